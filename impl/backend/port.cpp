// SPDX-License-Identifier: ISC
// The event-port backend (spec/loop.md, BACKEND; spec/os.md OS-350..OS-399): Solaris/illumos
// port_associate(3C) and port_getn(3C), natively where the system has them ("port") and
// everywhere on the emulator of model/os/port_emulator.hpp ("port~emu"). An association is
// one-shot: once its event is retrieved the fd is no longer watched, so the backend counts its
// bands as unregistered and queues the fd for re-association at the next flush while bands are
// still wanted; that is how the level-triggered loop is built on it, as in ivykis. Interest
// changes are queued by notify() and sent just before each wait; unregistering dissociates at
// once, because the caller may close the fd right after.
#include <cerrno>
#include <cstring>
#include <vector>

#include "backend.hpp"
#include "os/emulators.hpp"
#include "pending_fds.hpp"
#include "poll_events.hpp"
#include "refloop/kernel/wait_plan.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::detail {

namespace {

// port_associate takes poll(2) events; POLLHUP and POLLERR are delivered whatever is asked, and
// an err-only fd asks for POLLHUP alone.
int port_mask(unsigned bands) { return poll_events_for(bands, BackendTraits::ErrOnly::errors_only); }

// Marks registered_bands of an fd associated by register_fd_try: the association stands, but the
// event it may have queued can be stale by the next wait (OS-355), so the flush associates it
// again. No band has this bit, so the marked value never equals wanted_bands.
constexpr std::uint8_t renew_before_wait = 0x80;
static_assert((renew_before_wait & (band_in | band_out | band_err)) == 0);

class PortBackend final : public Backend {
 public:
  PortBackend(const BackendTraits& traits, int port, const kernel::SysCalls& sys,
              std::unique_ptr<os::Emulators> own_emulators)
      : traits_(traits), own_emulators_(std::move(own_emulators)), sys_(sys), port_(port) {}
  ~PortBackend() override { sys_.fd->close(port_); }
  PortBackend(const PortBackend&) = delete;
  PortBackend& operator=(const PortBackend&) = delete;

  [[nodiscard]] std::string_view name() const override { return traits_.name; }
  void poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) override;
  void notify(Fd& fd) override;
  int notify_sync(Fd& fd) override;
  void forget(Fd& fd) override;
  int prepare_flags(int fd) override { return set_nonblocking_and_cloexec(*sys_.fd, fd); }

 private:
  int associate(Fd& fd, unsigned bands);
  int dissociate(Fd& fd);
  void flush_queue();
  unsigned retrieved(int result, unsigned nget);
  [[noreturn]] void failed(const char* call, int fd, int error) const;

  const BackendTraits& traits_;
  std::unique_ptr<os::Emulators> own_emulators_;  // ~emu over the tables it was given
  kernel::SysCalls sys_;  // every system call goes through these tables
  int port_;
  PendingFds queue_;               // fds whose wanted bands may differ from the port's
  std::size_t associated_ = 0;     // fds with a live association (sizes the event buffer)
  std::vector<kernel::port_event> events_;
};

void PortBackend::failed(const char* call, int fd, int error) const {
  fatal("%.*s backend: %s on fd %d failed: error %d[%s]", static_cast<int>(name().size()),
        name().data(), call, fd, error, std::strerror(error));
}

int PortBackend::associate(Fd& fd, unsigned bands) {
  if (sys_.port->port_associate(port_, kernel::port_source_fd, static_cast<std::uintptr_t>(fd.fd),
                                port_mask(bands), &fd) != 0)
    return errno;
  if (fd.state.registered_bands == 0) ++associated_;
  fd.state.registered_bands = static_cast<std::uint8_t>(bands);
  return 0;
}

int PortBackend::dissociate(Fd& fd) {
  if (sys_.port->port_dissociate(port_, kernel::port_source_fd,
                                 static_cast<std::uintptr_t>(fd.fd)) != 0)
    return errno;
  if (fd.state.registered_bands != 0) --associated_;
  fd.state.registered_bands = 0;
  return 0;
}

// implements: BACKEND-002 (lazy: queue once; nothing to do when the port already agrees)
void PortBackend::notify(Fd& fd) { queue_.add(fd); }

// Re-association replaces the events of a live association, so one call serves add and modify.
void PortBackend::flush_queue() {
  queue_.flush([&](Fd& fd) {
    const unsigned wanted = fd.state.wanted_bands;
    if (wanted == fd.state.registered_bands) return;
    if (wanted == 0) {
      if (const int error = dissociate(fd); error != 0) failed("port_dissociate", fd.fd, error);
    } else if (const int error = associate(fd, wanted); error != 0) {
      failed("port_associate", fd.fd, error);
    }
  });
}

// implements: BACKEND-008 (register_fd_try associates at once; an fd with no handlers is tried
// with in and out, then dissociated again), FD-003 (port_associate(3C) reports an object that is
// not a valid descriptor as EBADFD; the loop's contract calls a closed fd EBADF), FAULT-006 (a
// failed trial port_dissociate leaves the association recorded with the trial bands, so the
// flush before the next wait dissociates it again, or unregister_fd does), OS-355 (an fd that
// was ready at this association has its event queued now and delivered as it fired, OS-315,
// however long before the wait; so an association left in place is made again by the flush,
// which discards that event and looks afresh, OS-304, or dissociated by it)
int PortBackend::notify_sync(Fd& fd) {
  const unsigned wanted = fd.state.wanted_bands;
  if (const int error = associate(fd, wanted != 0 ? wanted : band_in | band_out); error != 0)
    return error == EBADFD ? EBADF : error;
  if (wanted == 0 && dissociate(fd) == 0) return 0;  // the trial is gone, and its event with it
  // The port keeps this association (the fd's own, or a trial whose port_dissociate failed).
  fd.state.registered_bands |= renew_before_wait;  // never equal to wanted: the flush renews it
  notify(fd);
  return 0;
}

void PortBackend::forget(Fd& fd) {
  queue_.remove(fd);
  if (fd.state.registered_bands == 0) return;
  if (const int error = dissociate(fd); error != 0)
    fatal("%.*s backend: fd %d was closed while registered (port_dissociate: error %d[%s])",
          static_cast<int>(name().size()), name().data(), fd.fd, error, std::strerror(error));
}

// How many events port_getn delivered. On success *nget says so. With ETIME it may too, or may
// still hold the value given (port_get(3C)); so the list was pre-marked with source 0, and the
// filled entries are counted instead (OS-309, OS-311).
unsigned PortBackend::retrieved(int result, unsigned nget) {
  if (result == 0) return nget;
  unsigned filled = 0;
  while (filled < events_.size() && events_[filled].portev_source != 0) ++filled;
  return filled;
}

// implements: BACKEND-004 (port_getn's timeout: the exact timespec), OS-351 (one-shot: each
// delivered fd is unregistered and queued for re-association while bands are wanted), OS-352
// (ETIME with events delivered: those events are dispatched), OS-353 (an event of another source
// is fatal: its cookie is no Fd)
void PortBackend::poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) {
  flush_queue();
  const kernel::WaitPlan plan = kernel::plan_wait(wait_deadline(deadline), stamp, clock);
  timespec storage{};
  const timespec* timeout = kernel::timeout_timespec(plan, storage);
  events_.assign(associated_ > 0 ? associated_ : 1, kernel::port_event{});
  unsigned nget = 1;
  const int result = sys_.port->port_getn(port_, events_.data(),
                                          static_cast<unsigned>(events_.size()), &nget, timeout);
  if (result < 0 && errno != ETIME) {
    if (errno == EINTR) return;
    fatal("%.*s backend: port_getn failed: error %d[%s]", static_cast<int>(name().size()),
          name().data(), errno, std::strerror(errno));
  }
  const unsigned count = retrieved(result, nget);
  kernel::finish_wait(plan, static_cast<int>(count), clock);
  for (unsigned i = 0; i < count; ++i) {
    if (events_[i].portev_source != kernel::port_source_fd)
      fatal("%.*s backend: port_getn returned an event of source %u, which it never asked for",
            static_cast<int>(name().size()), name().data(), unsigned{events_[i].portev_source});
    Fd& fd = *static_cast<Fd*>(events_[i].portev_user);
    --associated_;
    fd.state.registered_bands = 0;
    notify(fd);
    sink.ready(fd, bands_from_revents(events_[i].portev_events));
  }
}

constexpr BackendTraits port_traits_named(std::string_view name, bool emulated) {
  return BackendTraits{
      .name = name,
      .timeout_unit = tain::normalised(0, 1),
      .timeout_cap = tain::normalised(9'223'372'036'854'775'807u, 999'999'999),
      .err_only = BackendTraits::ErrOnly::errors_only,  // associated for POLLHUP alone
      .sees_hangup_of_unwritable_out_only_fd = true,   // POLLHUP is always delivered
      .closed_fd = BackendTraits::ClosedFd::when_told, // dissociated by close: EBADFD / ENOENT
      .regular_file = BackendTraits::RegularFile::always_ready,
      .fd_limit = 0,
      .lazy_registration = true,  // queued by notify, associated before each wait
      .timer_task_order_may_vary = false,
      .wait_call = "port_getn",
      .interest_call = "port_associate",
      .emulated = emulated,
      .fallback_wait_call = {},
      .fallback_timeout_unit = tain_zero,
      .timer_call = {},
      .trial_removal_call = "port_dissociate",
  };
}

std::unique_ptr<Backend> make_on(const BackendTraits& traits, const kernel::SysCalls& sys,
                                 std::unique_ptr<os::Emulators> own_emulators) {
  const int port = sys.port->port_create();
  if (port < 0) return nullptr;
  return std::make_unique<PortBackend>(traits, port, sys, std::move(own_emulators));
}

}  // namespace

const BackendTraits port_traits = port_traits_named("port", false);
const BackendTraits port_emulated_traits = port_traits_named("port~emu", true);

// implements: OS-350 (the native backend runs on a native table only)
std::unique_ptr<Backend> make_port_backend(const kernel::SysCalls& sys) {
  if (sys.port == nullptr || sys.port->emulated() || sys.fd == nullptr) return nullptr;
  return make_on(port_traits, sys, nullptr);
}

// implements: OS-003, OS-350 (the emulated backend runs on an emulated table: the one given, such
// as a fault table over os::Emulators, or else its own emulators over the tables given)
std::unique_ptr<Backend> make_emulated_port_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  if (sys.port != nullptr && sys.port->emulated()) return make_on(port_emulated_traits, sys, nullptr);
  auto own = std::make_unique<os::Emulators>(sys);
  const kernel::SysCalls emulated = own->table();
  return make_on(port_emulated_traits, emulated, std::move(own));
}

}  // namespace refloop::detail
