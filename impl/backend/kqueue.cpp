// SPDX-License-Identifier: ISC
// The kqueue backend (spec/os.md, OS-120..OS-124; spec/loop.md, BACKEND). Interest changes are
// queued by notify() and sent in the changelist of the kevent call that waits, as ivykis does;
// unregistering deletes the fd's knotes at once, because the caller may close the fd as soon as
// unregister_fd returns. One wait is three steps: convert the deadline, make the call, translate
// the events.
//
// Built twice from this one file: `kqueue` on the system's own kqueue where <sys/event.h> exists,
// and `kqueue~emu` everywhere on the user-space emulation of model/os (spec/os.md, OS-003).
#include <cerrno>
#include <cstring>
#include <vector>

#include "backend.hpp"
#include "os/emulators.hpp"
#include "pending_fds.hpp"
#include "refloop/kernel/kqueue.hpp"
#include "refloop/kernel/wait_plan.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::detail {

using namespace refloop::kernel;  // struct kevent and its constants, native or refloop's own

namespace {

// implements: OS-123 (a timespec, exact; capped at a day, after which the loop polls again)
constexpr tain one_day = tain::seconds(86'400);
constexpr tain one_nanosecond = tain::normalised(0, 1);

// implements: OS-120 (which knotes an fd's wanted bands need)
bool wants_read_knote(unsigned bands) {
  return (bands & band_in) != 0 || ((bands & band_err) != 0 && (bands & band_out) == 0);
}
bool wants_write_knote(unsigned bands) { return (bands & band_out) != 0; }

// implements: OS-121 (EV_EOF is kqueue's hangup or error: in, out and err together)
unsigned bands_from_event(const struct kevent& event) {
  if (event.flags & EV_EOF) return band_in | band_out | band_err;
  return event.filter == EVFILT_READ ? band_in : band_out;
}

struct kevent make_change(Fd& fd, short filter, unsigned short flags) {
  struct kevent change {};
  change.ident = static_cast<std::uintptr_t>(fd.fd);
  change.filter = filter;
  change.flags = flags;
  change.udata = &fd;  // handed back unchanged with each event
  return change;
}

// The change an EV_ERROR entry answers (the entry's own flags say only EV_ERROR), for the message.
const char* describe_refused(const struct kevent& entry, const std::vector<struct kevent>& sent) {
  bool deleting = false;
  for (const struct kevent& change : sent)
    if (change.ident == entry.ident && change.filter == entry.filter)
      deleting = (change.flags & EV_DELETE) != 0;
  if (entry.filter == EVFILT_READ) return deleting ? "EV_DELETE, EVFILT_READ" : "EV_ADD, EVFILT_READ";
  return deleting ? "EV_DELETE, EVFILT_WRITE" : "EV_ADD, EVFILT_WRITE";
}


class KqueueBackend final : public Backend {
 public:
  KqueueBackend(const BackendTraits& traits, std::unique_ptr<os::Emulators> own_emulators,
                const SysCalls& sys, int kq)
      : traits_(traits), own_emulators_(std::move(own_emulators)), sys_(sys), kq_(kq) {}
  ~KqueueBackend() override { sys_.fd->close(kq_); }
  KqueueBackend(const KqueueBackend&) = delete;
  KqueueBackend& operator=(const KqueueBackend&) = delete;

  [[nodiscard]] std::string_view name() const override { return traits_.name; }
  void poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) override;
  void notify(Fd& fd) override;
  int notify_sync(Fd& fd) override;
  void forget(Fd& fd) override;
  int prepare_flags(int fd) override { return set_nonblocking_and_cloexec(*sys_.fd, fd); }

 private:
  void append_changes(Fd& fd, unsigned from, unsigned to);
  void collect_changes();
  int change_now(std::vector<struct kevent>& changes);
  void report(int count, ReadySink& sink);

  const BackendTraits& traits_;
  std::unique_ptr<os::Emulators> own_emulators_;  // kqueue~emu built over the native tables
  SysCalls sys_;  // every system call goes through these tables
  int kq_;
  PendingFds queue_;                       // fds whose wanted bands may differ from the kernel's
  std::vector<struct kevent> changes_;     // the changelist of the next wait
  std::size_t knotes_ = 0;                 // knotes the kernel holds (sizes the eventlist)
  std::vector<struct kevent> events_;
};

// The changes that take the kernel's knotes for `fd` from bands `from` to bands `to`.
void KqueueBackend::append_changes(Fd& fd, unsigned from, unsigned to) {
  const auto change = [&](short filter, bool had, bool wants) {
    if (had == wants) return;
    changes_.push_back(make_change(fd, filter, wants ? EV_ADD | EV_ENABLE : EV_DELETE));
    wants ? ++knotes_ : --knotes_;
  };
  change(EVFILT_READ, wants_read_knote(from), wants_read_knote(to));
  change(EVFILT_WRITE, wants_write_knote(from), wants_write_knote(to));
}

// implements: BACKEND-002 (lazy: queue once; nothing to do when the kernel already agrees)
void KqueueBackend::notify(Fd& fd) { queue_.add(fd); }

// The queued fds become the changelist; the kernel's state is what the changelist makes it
// (a refused change is fatal, OS-122; an interrupted call applied every change, OS-112).
void KqueueBackend::collect_changes() {
  changes_.clear();
  queue_.flush([this](Fd& fd) {
    append_changes(fd, fd.state.registered_bands, fd.state.wanted_bands);
    fd.state.registered_bands = static_cast<std::uint8_t>(fd.state.wanted_bands);
  });
}

// A changelist sent at once, with no eventlist: 0, or the errno of the first refusal.
int KqueueBackend::change_now(std::vector<struct kevent>& changes) {
  const timespec zero{0, 0};
  const int result = sys_.kqueue->kevent(kq_, changes.data(), static_cast<int>(changes.size()),
                                         nullptr, 0, &zero);
  return result < 0 ? errno : 0;
}

// implements: OS-122, BACKEND-008 (register_fd_try: an fd with no handlers is tried with
// EVFILT_READ, then deleted again), FAULT-006 (a failed trial EV_DELETE leaves the knote recorded
// with the trial band, so the changelist of the next wait deletes it, or unregister_fd does)
int KqueueBackend::notify_sync(Fd& fd) {
  const unsigned wanted = fd.state.wanted_bands;
  const unsigned trial = wanted != 0 ? wanted : band_in;
  std::vector<struct kevent> adds;
  if (wants_read_knote(trial)) adds.push_back(make_change(fd, EVFILT_READ, EV_ADD | EV_ENABLE));
  if (wants_write_knote(trial)) adds.push_back(make_change(fd, EVFILT_WRITE, EV_ADD | EV_ENABLE));
  if (const int error = change_now(adds); error != 0) {
    // A change before the refused one may have been applied (OS-103): leave no trace (FAULT-003).
    for (const struct kevent& add : adds) {
      std::vector<struct kevent> undo{add};
      undo.front().flags = EV_DELETE;
      change_now(undo);
    }
    return error;
  }
  knotes_ += adds.size();
  fd.state.registered_bands = static_cast<std::uint8_t>(trial);
  if (wanted == 0) {
    std::vector<struct kevent> deletes = adds;
    for (struct kevent& change : deletes) change.flags = EV_DELETE;
    // EINTR: the deletes were applied all the same (OS-112), as in forget().
    if (const int error = change_now(deletes); error == 0 || error == EINTR) {
      knotes_ -= adds.size();
      fd.state.registered_bands = 0;
      return 0;
    }
    notify(fd);  // FAULT-006: the kernel still has the trial knote; the next changelist deletes it
  }
  return 0;
}

void KqueueBackend::forget(Fd& fd) {
  queue_.remove(fd);
  const std::size_t before = changes_.size();
  append_changes(fd, fd.state.registered_bands, 0);
  std::vector<struct kevent> deletes(changes_.begin() + static_cast<std::ptrdiff_t>(before), changes_.end());
  changes_.resize(before);
  fd.state.registered_bands = 0;
  if (deletes.empty()) return;
  // EINTR: the deletes were applied all the same (OS-112); found by the fault property.
  if (const int error = change_now(deletes); error != 0 && error != EINTR)
    fatal("%.*s backend: fd %d was closed while registered (kevent(EV_DELETE): error %d[%s])",
          static_cast<int>(name().size()), name().data(), fd.fd, error, std::strerror(error));
}

// implements: OS-121, OS-122 (events become bands; an EV_ERROR entry is a refused change)
void KqueueBackend::report(int count, ReadySink& sink) {
  for (int i = 0; i < count; ++i) {
    const struct kevent& event = events_[static_cast<std::size_t>(i)];
    if (event.flags & EV_ERROR) {
      const int error = static_cast<int>(event.data);
      fatal("%.*s backend: kevent(%s) on fd %d failed: error %d[%s]",
            static_cast<int>(name().size()), name().data(), describe_refused(event, changes_),
            static_cast<int>(event.ident), error, std::strerror(error));
    }
    sink.ready(*static_cast<Fd*>(event.udata), bands_from_event(event));
  }
}

void KqueueBackend::poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) {
  collect_changes();
  kernel::WaitPlan plan = kernel::plan_wait(wait_deadline(deadline), stamp, clock);
  if (plan.timeout && *plan.timeout > one_day) plan.timeout = one_day;
  timespec storage{};
  const timespec* timeout = kernel::timeout_timespec(plan, storage);
  events_.resize(changes_.size() + knotes_ + 1);
  const int count = sys_.kqueue->kevent(kq_, changes_.data(), static_cast<int>(changes_.size()),
                                        events_.data(), static_cast<int>(events_.size()), timeout);
  if (count < 0) {
    changes_.clear();
    if (errno == EINTR) return;
    fatal("%.*s backend: kevent failed: error %d[%s]", static_cast<int>(name().size()),
          name().data(), errno, std::strerror(errno));
  }
  kernel::finish_wait(plan, count, clock);
  report(count, sink);
  changes_.clear();
}

// implements: OS-124
constexpr BackendTraits kqueue_traits_named(std::string_view name, bool emulated) {
  return BackendTraits{
      .name = name,
      .timeout_unit = one_nanosecond,
      .timeout_cap = one_day,
      .err_only = BackendTraits::ErrOnly::as_readable,  // watched with EVFILT_READ (OS-121)
      .sees_hangup_of_unwritable_out_only_fd = true,    // EVFILT_WRITE sets EV_EOF
      .closed_fd = BackendTraits::ClosedFd::when_told,  // close dropped the knotes; EV_DELETE: EBADF
      .regular_file = BackendTraits::RegularFile::read_until_eof,  // OS-113
      .fd_limit = 0,
      .lazy_registration = true,  // queued by notify, sent with the next wait
      .timer_task_order_may_vary = false,
      .wait_call = "kevent",
      .interest_call = "kevent",
      .emulated = emulated,
      .fallback_wait_call = {},
      .fallback_timeout_unit = tain_zero,
      .timer_call = {},
      .trial_removal_call = "kevent",
      .end_of_input_is_hangup = true,  // EV_EOF on EVFILT_READ after a FIN (OS-125)
  };
}

std::unique_ptr<Backend> make_on(const BackendTraits& traits, std::unique_ptr<os::Emulators> own,
                                 const SysCalls& sys) {
  if (sys.kqueue == nullptr || sys.fd == nullptr || sys.kqueue->emulated() != traits.emulated)
    return nullptr;
  const int kq = sys.kqueue->kqueue();
  if (kq < 0) return nullptr;
  return std::make_unique<KqueueBackend>(traits, std::move(own), sys, kq);
}

}  // namespace

#if REFLOOP_HAVE_KQUEUE
const BackendTraits kqueue_traits = kqueue_traits_named("kqueue", false);

std::unique_ptr<Backend> make_kqueue_backend(const SysCalls& sys) {
  return make_on(kqueue_traits, nullptr, sys);
}
#endif

const BackendTraits kqueue_emu_traits = kqueue_traits_named("kqueue~emu", true);

// implements: OS-003 (on tables that already hold an emulated kqueue, such as a fault table over
// os::Emulators, it uses them; otherwise it builds its own emulators over `sys`)
std::unique_ptr<Backend> make_kqueue_emu_backend(const SysCalls& sys) {
  if (sys.kqueue != nullptr && sys.kqueue->emulated()) return make_on(kqueue_emu_traits, nullptr, sys);
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  auto own = std::make_unique<os::Emulators>(sys);
  const SysCalls emulated = own->table();
  return make_on(kqueue_emu_traits, std::move(own), emulated);
}

}  // namespace refloop::detail
