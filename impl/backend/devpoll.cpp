// SPDX-License-Identifier: ISC
// The /dev/poll backend (spec/loop.md, BACKEND; spec/os.md OS-250..OS-299): Solaris/illumos
// poll(4D), natively where the system has it ("devpoll") and everywhere on the emulator of
// model/os/devpoll_emulator.hpp ("devpoll~emu"). The interest set lives in the kernel: notify()
// queues an fd, and the flush before each wait writes its pollfd entries in one batch. /dev/poll
// ORs a written mask into the cached one, so narrowing an fd's interest writes POLLREMOVE first,
// then the new mask. DP_POLL reports fd numbers only, so the backend keeps a map back to the Fd.
// Unregistering writes POLLREMOVE at once: the caller may close the fd right after.
#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "backend.hpp"
#include "os/emulators.hpp"
#include "pending_fds.hpp"
#include "poll_events.hpp"
#include "refloop/kernel/wait_plan.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::detail {

namespace {

constexpr std::uint64_t one_day_ms = 86'400'000;
constexpr std::size_t entries_per_write = 1024;  // keeps a batch far below {OPEN_MAX}

// POLLHUP and POLLERR are always reported (poll(4D) follows poll(2)); an err-only fd asks for
// POLLHUP alone so that it is in the set with a non-empty mask.
short devpoll_mask(unsigned bands) {
  return poll_events_for(bands, BackendTraits::ErrOnly::errors_only);
}

class DevpollBackend final : public Backend {
 public:
  DevpollBackend(const BackendTraits& traits, int dpfd, const kernel::SysCalls& sys,
                 std::unique_ptr<os::Emulators> own_emulators)
      : traits_(traits), own_emulators_(std::move(own_emulators)), sys_(sys), dpfd_(dpfd) {}
  ~DevpollBackend() override { sys_.fd->close(dpfd_); }
  DevpollBackend(const DevpollBackend&) = delete;
  DevpollBackend& operator=(const DevpollBackend&) = delete;

  [[nodiscard]] std::string_view name() const override { return traits_.name; }
  void poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) override;
  void notify(Fd& fd) override;
  int notify_sync(Fd& fd) override;
  void forget(Fd& fd) override;
  int prepare_flags(int fd) override { return set_nonblocking_and_cloexec(*sys_.fd, fd); }

 private:
  void add_entries(Fd& fd, unsigned wanted);
  int write_entries();
  void flush_queue();
  void report(const pollfd& entry, ReadySink& sink);

  const BackendTraits& traits_;
  std::unique_ptr<os::Emulators> own_emulators_;  // ~emu over the tables it was given
  kernel::SysCalls sys_;  // every system call goes through these tables
  int dpfd_;
  PendingFds queue_;                  // fds whose wanted bands may differ from the set's
  std::vector<pollfd> pending_;       // entries for the next write
  std::unordered_map<int, Fd*> in_set_;  // fd number -> its Fd, for every fd in the set
  std::vector<pollfd> results_;
};

// The entries that make the set's mask for fd equal `wanted`: POLLREMOVE when bands go away
// (the set ORs), then the new mask when some remain.
void DevpollBackend::add_entries(Fd& fd, unsigned wanted) {
  const unsigned registered = fd.state.registered_bands;
  if (registered != 0 && (registered & ~wanted) != 0)
    pending_.push_back(pollfd{fd.fd, kernel::pollremove, 0});
  if (wanted != 0) pending_.push_back(pollfd{fd.fd, devpoll_mask(wanted), 0});
}

// Writes the pending entries in batches; 0 or the errno of the failed write.
int DevpollBackend::write_entries() {
  for (std::size_t done = 0; done < pending_.size(); done += entries_per_write) {
    const std::size_t count = std::min(entries_per_write, pending_.size() - done);
    const std::size_t bytes = count * sizeof(pollfd);
    if (sys_.devpoll->write(dpfd_, pending_.data() + done, bytes) != static_cast<ssize_t>(bytes)) {
      const int error = errno;
      pending_.clear();
      return error;
    }
  }
  pending_.clear();
  return 0;
}

// implements: BACKEND-002 (lazy: queue once; nothing to do when the set already agrees)
void DevpollBackend::notify(Fd& fd) { queue_.add(fd); }

void DevpollBackend::flush_queue() {
  std::vector<Fd*> changed;
  queue_.flush([&](Fd& fd) {
    const unsigned wanted = fd.state.wanted_bands;
    if (wanted == fd.state.registered_bands) return;
    const auto owner = in_set_.find(fd.fd);
    if (owner != in_set_.end() && owner->second != &fd)
      fatal("%.*s backend: fd %d is registered twice", static_cast<int>(name().size()),
            name().data(), fd.fd);
    add_entries(fd, wanted);
    changed.push_back(&fd);
  });
  if (const int error = write_entries(); error != 0)
    fatal("%.*s backend: write to /dev/poll failed: error %d[%s]", static_cast<int>(name().size()),
          name().data(), error, std::strerror(error));
  for (Fd* fd : changed) {
    fd->state.registered_bands = fd->state.wanted_bands;
    if (fd->state.registered_bands == 0) in_set_.erase(fd->fd);
    else in_set_[fd->fd] = fd;
  }
}

// implements: BACKEND-008 (the set accepts any number, so a closed fd is found with a
// zero-timeout poll(2) first: EBADF; then the entry is written at once, an fd without handlers
// with in and out, removed again)
int DevpollBackend::notify_sync(Fd& fd) {
  if (in_set_.count(fd.fd) != 0) return EEXIST;
  pollfd probe{fd.fd, 0, 0};
  if (sys_.poll->poll(&probe, 1, 0) < 0) return errno;
  if (probe.revents & POLLNVAL) return EBADF;
  const unsigned wanted = fd.state.wanted_bands;
  pending_.push_back(pollfd{fd.fd, devpoll_mask(wanted != 0 ? wanted : band_in | band_out), 0});
  if (wanted == 0) pending_.push_back(pollfd{fd.fd, kernel::pollremove, 0});
  if (const int error = write_entries(); error != 0) return error;
  if (wanted == 0) return 0;
  fd.state.registered_bands = static_cast<std::uint8_t>(wanted);
  in_set_[fd.fd] = &fd;
  return 0;
}

void DevpollBackend::forget(Fd& fd) {
  queue_.remove(fd);
  if (fd.state.registered_bands == 0) return;
  pending_.push_back(pollfd{fd.fd, kernel::pollremove, 0});
  if (const int error = write_entries(); error != 0)
    fatal("%.*s backend: write of POLLREMOVE for fd %d failed: error %d[%s]",
          static_cast<int>(name().size()), name().data(), fd.fd, error, std::strerror(error));
  in_set_.erase(fd.fd);
  fd.state.registered_bands = 0;
}

// implements: FD-010 (a closed registered fd is reported as POLLNVAL: fatal, as on poll)
void DevpollBackend::report(const pollfd& entry, ReadySink& sink) {
  const auto owner = in_set_.find(entry.fd);
  if (owner == in_set_.end())
    fatal("%.*s backend: DP_POLL reported fd %d, which is not registered",
          static_cast<int>(name().size()), name().data(), entry.fd);
  if (entry.revents & POLLNVAL)
    fatal("%.*s backend: fd %d was closed while registered (POLLNVAL)",
          static_cast<int>(name().size()), name().data(), entry.fd);
  sink.ready(*owner->second, bands_from_revents(entry.revents));
}

// implements: BACKEND-004 (DP_POLL's timeout: whole milliseconds rounded up, capped at a day)
void DevpollBackend::poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) {
  flush_queue();
  const kernel::WaitPlan plan = kernel::plan_wait(wait_deadline(deadline), stamp, clock);
  results_.resize(in_set_.empty() ? 1 : in_set_.size());
  kernel::dvpoll request{};
  request.dp_fds = results_.data();
  request.dp_nfds = static_cast<int>(in_set_.size());
  request.dp_timeout = kernel::timeout_milliseconds(plan, one_day_ms);
  const int count = sys_.devpoll->ioctl(dpfd_, kernel::dp_poll, &request);
  if (count < 0) {
    if (errno == EINTR) return;
    fatal("%.*s backend: ioctl(DP_POLL) failed: error %d[%s]", static_cast<int>(name().size()),
          name().data(), errno, std::strerror(errno));
  }
  kernel::finish_wait(plan, count, clock);
  for (int i = 0; i < count; ++i) report(results_[static_cast<std::size_t>(i)], sink);
}

constexpr BackendTraits devpoll_traits_named(std::string_view name, bool emulated) {
  return BackendTraits{
      .name = name,
      .timeout_unit = tain::normalised(0, 1'000'000),
      .timeout_cap = tain::seconds(one_day_ms / 1000),
      .err_only = BackendTraits::ErrOnly::errors_only,  // written as POLLHUP alone
      .sees_hangup_of_unwritable_out_only_fd = true,   // POLLHUP is always reported
      .closed_fd = BackendTraits::ClosedFd::at_wait,   // POLLNVAL (poll(4D) NOTES)
      .regular_file = BackendTraits::RegularFile::always_ready,
      .fd_limit = 0,
      .lazy_registration = true,  // queued by notify, written before each wait
      .timer_task_order_may_vary = false,
      .wait_call = "ioctl",
      .interest_call = "write",
      .emulated = emulated,
      .fallback_wait_call = {},
      .fallback_timeout_unit = tain_zero,
      .timer_call = {},
      .trial_removal_call = {},  // the trial entry and its POLLREMOVE go in one write
  };
}

std::unique_ptr<Backend> make_on(const BackendTraits& traits, const kernel::SysCalls& sys,
                                 std::unique_ptr<os::Emulators> own_emulators) {
  const int dpfd = sys.devpoll->open("/dev/poll", O_RDWR);
  if (dpfd < 0) return nullptr;
  return std::make_unique<DevpollBackend>(traits, dpfd, sys, std::move(own_emulators));
}

}  // namespace

const BackendTraits devpoll_traits = devpoll_traits_named("devpoll", false);
const BackendTraits devpoll_emulated_traits = devpoll_traits_named("devpoll~emu", true);

// implements: OS-250 (the native backend runs on a native table only)
std::unique_ptr<Backend> make_devpoll_backend(const kernel::SysCalls& sys) {
  if (sys.devpoll == nullptr || sys.devpoll->emulated() || sys.poll == nullptr || sys.fd == nullptr)
    return nullptr;
  return make_on(devpoll_traits, sys, nullptr);
}

// implements: OS-003, OS-250 (the emulated backend runs on an emulated table: the one given, such
// as a fault table over os::Emulators, or else its own emulators over the tables given)
std::unique_ptr<Backend> make_emulated_devpoll_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  if (sys.devpoll != nullptr && sys.devpoll->emulated()) return make_on(devpoll_emulated_traits, sys, nullptr);
  auto own = std::make_unique<os::Emulators>(sys);
  const kernel::SysCalls emulated = own->table();
  return make_on(devpoll_emulated_traits, emulated, std::move(own));
}

}  // namespace refloop::detail
