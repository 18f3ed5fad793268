// SPDX-License-Identifier: ISC
// The epoll backend (spec/loop.md, BACKEND). Interest changes are queued by notify() and sent
// to the kernel in one batch just before each wait, so a handler that switches bands back and
// forth within an iteration costs nothing. Unregistering sends nothing either: the fd's watch
// goes stale and the flush removes it, unless the same fd number was registered again by then
// and the kernel confirms the entry is still that file's (FD-012). Event data names a watch of
// the fd-indexed table (epoll_watches.hpp) by number and tag, never an Fd's address, so an entry
// refloop can no longer remove (FD-014) never reaches a freed or different Fd (FD-013). A kernel
// refusal at the flush is fatal (FATAL-004), as in ivykis. The wait is a step of its own
// (epoll_wait_step.hpp): this file's waits with epoll_pwait2 (BACKEND-012); epoll_timerfd.cpp's
// waits on a timerfd (BACKEND-013).
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "epoll_wait_step.hpp"
#include "pending_fds.hpp"
#include "epoll_watches.hpp"
#include "refloop/kernel/wait_plan.hpp"
#include "refloop/loop/fatal.hpp"
#include "refloop/loop/grow_only_list.hpp"

namespace refloop::detail {

namespace {

// implements: BACKEND-004 (epoll_wait's timeout: whole milliseconds rounded up, never early;
// capped at a day, after which the loop simply polls again)
constexpr std::uint64_t one_day_ms = 86'400'000;
constexpr tain one_millisecond = tain::normalised(0, 1'000'000);

std::uint32_t epoll_mask(unsigned bands) {
  // ERR and HUP are always reported by epoll; an err-only fd is added with an empty mask.
  return ((bands & band_in) ? EPOLLIN : 0u) | ((bands & band_out) ? EPOLLOUT : 0u);
}

// implements: BACKEND-003 (ERR or HUP reports in, out and err together)
unsigned bands_from_epoll(std::uint32_t events) {
  unsigned bands = 0;
  if (events & EPOLLIN) bands |= band_in;
  if (events & EPOLLOUT) bands |= band_out;
  if (events & (EPOLLERR | EPOLLHUP)) bands |= band_in | band_out | band_err;
  return bands;
}

const char* op_name(int op) {
  return op == EPOLL_CTL_ADD ? "EPOLL_CTL_ADD" : op == EPOLL_CTL_DEL ? "EPOLL_CTL_DEL" : "EPOLL_CTL_MOD";
}

// What an interest change came to: 0, or the errno of the call `op` that failed (op 0: no call
// was made, the table refused it: the fd number is registered twice, FD-011).
struct Change {
  int error = 0;
  int op = 0;
  bool took_over = false;  // an ADD answered EEXIST took a stale or lingering watch over
};

class EpollBackend final : public Backend {
 public:
  EpollBackend(int epfd, const kernel::SysCalls& sys, const BackendTraits& traits,
               std::unique_ptr<EpollWaitStep> wait_step)
      : sys_(sys), epfd_(epfd), traits_(traits), wait_step_(std::move(wait_step)) {}
  ~EpollBackend() override { sys_.fd->close(epfd_); }
  EpollBackend(const EpollBackend&) = delete;
  EpollBackend& operator=(const EpollBackend&) = delete;

  [[nodiscard]] std::string_view name() const override { return traits_.name; }
  void poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) override;
  void notify(Fd& fd) override;
  int notify_sync(Fd& fd) override;
  void forget(Fd& fd) override;
  bool take_over(Fd& fd, int* error) override;
  int prepare_flags(int fd) override { return set_nonblocking_and_cloexec(*sys_.fd, fd); }

 private:
  int control(int epfd, int op, int fd, std::uint32_t tag, unsigned bands);
  void record(EpollWatch& watch, Fd* owner, unsigned bands);
  Change add_watch(Fd& fd, unsigned bands);
  Change add_entry(Fd& fd, EpollWatch* known, unsigned bands);
  Change reuse_entry(Fd& fd, EpollWatch& watch, unsigned bands);
  void flush_one(Fd& fd);
  void flush_queue();
  void remove_stale_watches();
  // Saves the flush's walk of stale_ (a table lookup per fd unregistered since the last flush)
  // when every one of them was registered again, as in a loop whose handlers re-arm their fds.
  [[nodiscard]] bool every_stale_watch_taken_over() const { return still_stale_ == 0; }
  int report_events(int count, ReadySink& sink);  // the events claimed
  void rebuild_set();
  [[noreturn]] void refused(const Change& change, int fd) const;

  kernel::SysCalls sys_;  // every system call goes through these tables
  int epfd_;
  PendingFds queue_;                // fds whose wanted bands may differ from the kernel's
  EpollWatches watches_;            // the kernel's entries, by fd number
  // Fd numbers whose watch went stale since the last flush; appended on every unregister_fd.
  detail::GrowOnlyList<int, 64> stale_;
  std::size_t still_stale_ = 0;     // watches stale now (not taken over, not removed yet)
  std::size_t in_kernel_ = 0;       // watches with a kernel entry (sizes the event buffer)
  std::vector<epoll_event> events_;
  const BackendTraits& traits_;  // epoll's or epoll-timerfd's
  std::unique_ptr<EpollWaitStep> wait_step_;
};

int EpollBackend::control(int epfd, int op, int fd, std::uint32_t tag, unsigned bands) {
  epoll_event event{};
  event.events = epoll_mask(bands);
  event.data.u64 = EpollWatches::event_data(fd, tag);
  return sys_.epoll->epoll_ctl(epfd, op, fd, &event) == 0 ? 0 : errno;
}

// The watch now has a kernel entry for `bands` reporting to `owner` (bands 0: no entry).
void EpollBackend::record(EpollWatch& watch, Fd* owner, unsigned bands) {
  if (watch.bands == 0 && bands != 0) ++in_kernel_;
  if (watch.bands != 0 && bands == 0) --in_kernel_;
  if (watch.stale) --still_stale_;
  watch.owner = bands != 0 ? owner : nullptr;
  watch.bands = static_cast<std::uint8_t>(bands);
  watch.stale = false;
}

[[noreturn]] void EpollBackend::refused(const Change& change, int fd) const {
  if (change.op == 0)
    fatal("%s backend: fd %d is registered twice in this loop (FD-011: epoll keeps one entry per "
          "fd number)", traits_.name.data(), fd);
  fatal("%s backend: epoll_ctl(%s) on fd %d failed: error %d[%s]", traits_.name.data(),
        op_name(change.op), fd, change.error, std::strerror(change.error));
}

// implements: BACKEND-002 (lazy: queue once; nothing to do when the kernel already agrees)
void EpollBackend::notify(Fd& fd) { queue_.add(fd); }

// implements: FD-013 (every new kernel entry gets a fresh tag), FD-012 and FD-014 (an EEXIST is
// the kernel saying that the file now at this number already has an entry under it: the stale
// watch's, or one that lingered; any other refusal goes to the caller). The table grows only
// once the kernel has accepted the number.
Change EpollBackend::add_watch(Fd& fd, unsigned bands) {
  EpollWatch* known = watches_.find(fd.fd);
  if (known != nullptr && known->owner != nullptr && known->owner != &fd) return Change{EEXIST, 0};
  return add_entry(fd, known, bands);
}

// The ADD of add_watch for a number whose watch the table may hold (`known`, else nullptr).
// take_over calls it directly with the stale watch it found, which saves a second table lookup,
// the owner check (a stale watch has no owner) and the lookup after an EEXIST.
Change EpollBackend::add_entry(Fd& fd, EpollWatch* known, unsigned bands) {
  const std::uint32_t tag = watches_.fresh_tag();
  const int error = control(epfd_, EPOLL_CTL_ADD, fd.fd, tag, bands);
  if (error == EEXIST && known != nullptr && (known->stale || known->lingering))
    return reuse_entry(fd, *known, bands);
  if (error != 0) return Change{error, EPOLL_CTL_ADD};
  EpollWatch& watch = known != nullptr ? *known : watches_.at(fd.fd);
  // A new entry: a stale watch's file has left this number, and its entry may linger (FD-014).
  if (watch.stale) watch.lingering = true;
  watch.tag = tag;
  record(watch, &fd, bands);
  return Change{};
}

// implements: FD-012. Saves the EPOLL_CTL_DEL of unregister_fd and makes the ADD that proved the
// entry is this file's the only call of a re-arm: the stale watch is taken over with its tag when
// the bands agree; otherwise (or when the entry may be one that lingered) one MOD gives it the
// bands and a fresh tag.
Change EpollBackend::reuse_entry(Fd& fd, EpollWatch& watch, unsigned bands) {
  if (!watch.stale || watch.lingering || watch.bands != bands) {
    const std::uint32_t tag = watches_.fresh_tag();
    if (const int error = control(epfd_, EPOLL_CTL_MOD, fd.fd, tag, bands); error != 0)
      return Change{error, EPOLL_CTL_MOD};
    watch.tag = tag;
    watch.lingering = false;
  }
  record(watch, &fd, bands);
  return Change{.took_over = true};
}

void EpollBackend::flush_one(Fd& fd) {
  const unsigned wanted = fd.state.wanted_bands;
  const unsigned registered = fd.state.registered_bands;
  if (wanted == registered) return;
  Change change;
  if (registered == 0) {
    change = add_watch(fd, wanted);
  } else {
    EpollWatch& watch = watches_.at(fd.fd);  // made when the kernel accepted the fd
    const int op = wanted == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    change = Change{control(epfd_, op, fd.fd, watch.tag, wanted), op};
    if (change.error == 0) record(watch, &fd, wanted);
  }
  if (change.error != 0) refused(change, fd.fd);
  fd.state.registered_bands = static_cast<std::uint8_t>(wanted);
}

void EpollBackend::flush_queue() {
  queue_.flush([this](Fd& fd) { flush_one(fd); });
  remove_stale_watches();
}

// implements: FD-012 (a watch still stale at the flush is removed), FD-014 (the caller may have
// closed its fd since unregister_fd, as FD-004 allows: EBADF or ENOENT then says the entry went
// with the file, or lingers where no fd number names it; either way it is no longer refloop's)
void EpollBackend::remove_stale_watches() {
  if (every_stale_watch_taken_over()) {
    stale_.clear();
    return;
  }
  for (std::size_t i = 0; i < stale_.size(); ++i) {
    const int number = stale_[i];
    EpollWatch& watch = watches_.at(number);
    if (!watch.stale) continue;  // taken over by a registration of the same number
    const int error = control(epfd_, EPOLL_CTL_DEL, number, 0, 0);
    if (error == EBADF || error == ENOENT) watch.lingering = true;
    else if (error != 0) refused(Change{error, EPOLL_CTL_DEL}, number);
    record(watch, nullptr, 0);
  }
  stale_.clear();
}

// implements: BACKEND-008 (register_fd_try: an fd with no handlers is tried with in and out,
// then removed again), FAULT-006 (a failed removal is retried by the flush before the next wait,
// so no wait ever sees the trial registration)
int EpollBackend::notify_sync(Fd& fd) {
  const unsigned wanted = fd.state.wanted_bands;
  if (wanted != 0 && fd.state.registered_bands == wanted) return 0;  // take_over's ADD made it
  const unsigned trial = wanted != 0 ? wanted : band_in | band_out;
  if (const Change added = add_watch(fd, trial); added.error != 0) return added.error;
  if (wanted == 0 && control(epfd_, EPOLL_CTL_DEL, fd.fd, 0, 0) == 0) {
    record(watches_.at(fd.fd), nullptr, 0);
    return 0;
  }
  fd.state.registered_bands = static_cast<std::uint8_t>(trial);
  notify(fd);  // queued only when the kernel still has the trial bands
  return 0;
}

// implements: FD-020. A registration over its number's stale watch makes the flush's ADD now,
// before any fcntl: EEXIST proves (FD-012) that the number still names the file refloop made
// non-blocking and close-on-exec (FD-009) when it was registered before, so the watch is taken
// over and no flag is looked at: the re-arm's only call. A success means another file has the
// number: its new entry stays, and the core prepares its flags. Never over a watch that may have
// a lingering entry: its file may have come back to the number through dup2, without FD_CLOEXEC.
bool EpollBackend::take_over(Fd& fd, int* error) {
  const unsigned wanted = fd.state.wanted_bands;
  EpollWatch* watch = watches_.find(fd.fd);
  if (wanted == 0 || watch == nullptr || !watch->stale || watch->lingering) return false;
  const Change change = add_entry(fd, watch, wanted);
  if (change.error != 0) {
    if (error == nullptr) refused(change, fd.fd);
    *error = change.error;
    return false;
  }
  fd.state.registered_bands = static_cast<std::uint8_t>(wanted);
  return change.took_over;
}

// implements: FD-012, FD-004. Saves the EPOLL_CTL_DEL: the watch goes stale, and no event can
// reach this Fd any more, because the watch no longer names it (FD-013). The flush before the
// next wait removes the entry unless a registration of the same fd number takes it over.
void EpollBackend::forget(Fd& fd) {
  queue_.remove(fd);
  if (fd.state.registered_bands == 0) return;
  EpollWatch& watch = watches_.existing(fd.fd);  // made when the kernel accepted the fd
  watch.owner = nullptr;
  watch.stale = true;
  ++still_stale_;
  fd.state.registered_bands = 0;
  stale_.append(fd.fd);  // last, so its rare growth is a tail call (forget runs on every re-arm)
}

void EpollBackend::poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) {
  flush_queue();
  // FD-015, TIME-005: a wait ended only by entries no watch claims (now cleared by the rebuild)
  // did not end for the loop: it waits again, until the same deadline.
  for (;;) {
    const kernel::WaitPlan plan = kernel::plan_wait(wait_deadline(deadline), stamp, clock);
    const auto extra = static_cast<std::size_t>(wait_step_->extra_events());
    events_.resize((in_kernel_ > 0 ? in_kernel_ : 1) + extra);
    const int count =
        wait_step_->wait(epfd_, events_.data(), static_cast<int>(events_.size()), plan, stamp);
    if (count < 0) return;  // interrupted: the round ends with nothing reported (FAULT-002)
    if (count == 0 || report_events(count, sink) > 0) {
      kernel::finish_wait(plan, count, clock);
      return;
    }
  }
}

// implements: FD-013 (an event reaches the Fd its number's watch reports to only while the watch
// holds the event's tag; any other event is dropped), FD-015 (and then the set is made afresh)
int EpollBackend::report_events(int count, ReadySink& sink) {
  int claimed = 0;
  for (int i = 0; i < count; ++i) {
    const epoll_event& event = events_[static_cast<std::size_t>(i)];
    if (EpollWatch* watch = watches_.claimed_by(event.data.u64)) {
      sink.ready(*watch->owner, bands_from_epoll(event.events));
      ++claimed;
    }
  }
  if (claimed < count) rebuild_set();
  return claimed;
}

// implements: FD-015. Only after an event that no watch claims: its entry is one refloop cannot
// name by fd number any more (FD-014), and level-triggered, it would end every wait at once. A new
// set holds the live watches (same tags) and the wait step's entries; the old one is closed with
// the entries nobody owns. Costs one call per live watch, once per such event.
void EpollBackend::rebuild_set() {
  const int fresh = sys_.epoll->epoll_create1(EPOLL_CLOEXEC);
  if (fresh < 0) {
    const int error = errno;
    fatal("%s backend: epoll_create1 failed: error %d[%s]", traits_.name.data(), error,
          std::strerror(error));
  }
  auto& watches = watches_.all();
  for (std::size_t number = 0; number < watches.size(); ++number) {
    EpollWatch& watch = watches[number];
    watch.lingering = false;
    if (watch.bands == 0) continue;
    const auto fd = static_cast<int>(number);
    if (const int error = control(fresh, EPOLL_CTL_ADD, fd, watch.tag, watch.bands); error != 0)
      refused(Change{error, EPOLL_CTL_ADD}, fd);
  }
  if (const int error = wait_step_->join(fresh); error != 0)
    fatal("%s backend: epoll_ctl(EPOLL_CTL_ADD) of its own timer failed: error %d[%s]",
          traits_.name.data(), error, std::strerror(error));
  sys_.fd->close(epfd_);
  epfd_ = fresh;
}

// implements: BACKEND-012. Waits with epoll_pwait2's nanosecond timeout while the kernel offers
// it; the first failure that says it does not (ENOSYS: kernel < 5.11 or a C library without the
// wrapper; EPERM: a seccomp filter; EINVAL: some 32-bit kernels, since refloop's arguments are
// valid) switches this loop to epoll_wait for good, and the same wait is made at once with it.
// The choice is per loop, not per process: seccomp filters are per thread, as loops are, and a
// loop shares no mutable state with another. errno is read only after a call that failed.
class PreciseWait final : public EpollWaitStep {
 public:
  explicit PreciseWait(const kernel::SysCalls& sys) : sys_(sys) {}
  int wait(int epfd, epoll_event* events, int capacity, const kernel::WaitPlan& plan,
           const tain& /*stamp*/) override;

 private:
  static bool kernel_lacks_it(int error) {
    return error == ENOSYS || error == EPERM || error == EINVAL;
  }

  kernel::SysCalls sys_;
  bool precise_ = true;  // epoll_pwait2 has not said it is missing
};

[[noreturn]] void wait_failed(const char* call, int error) {
  fatal("epoll backend: %s failed: error %d[%s]", call, error, std::strerror(error));
}

int PreciseWait::wait(int epfd, epoll_event* events, int capacity, const kernel::WaitPlan& plan,
                      const tain&) {
  if (precise_) {
    timespec storage{};
    const int count = sys_.epoll->epoll_pwait2(epfd, events, capacity,
                                               kernel::timeout_timespec(plan, storage), nullptr);
    if (count >= 0) return count;
    const int error = errno;
    if (error == EINTR) return -1;
    if (!kernel_lacks_it(error)) wait_failed("epoll_pwait2", error);
    precise_ = false;
  }
  const int count =
      sys_.epoll->epoll_wait(epfd, events, capacity, kernel::timeout_milliseconds(plan, one_day_ms));
  if (count >= 0) return count;
  const int error = errno;
  if (error == EINTR) return -1;
  wait_failed("epoll_wait", error);
}

}  // namespace

const BackendTraits epoll_traits{
    .name = "epoll",
    .timeout_unit = tain::normalised(0, 1),  // epoll_pwait2; one_millisecond after the fallback
    .timeout_cap = largest_timespec,
    .err_only = BackendTraits::ErrOnly::errors_only,  // added with an empty mask
    .sees_hangup_of_unwritable_out_only_fd = true,   // EPOLLHUP is always reported
    .closed_fd = BackendTraits::ClosedFd::when_added,  // the flush's ADD: EBADF (FD-010)
    .regular_file = BackendTraits::RegularFile::refused,  // epoll_ctl: EPERM
    .fd_limit = 0,
    .lazy_registration = true,  // queued by notify, flushed before each wait
    .timer_task_order_may_vary = false,
    .wait_call = "epoll_pwait2",
    .interest_call = "epoll_ctl",
    .fallback_wait_call = "epoll_wait",
    .fallback_timeout_unit = one_millisecond,
    .timer_call = {},
    .trial_removal_call = "epoll_ctl",
};

std::unique_ptr<Backend> make_epoll_family_backend(
    const kernel::SysCalls& sys, const BackendTraits& traits,
    const std::function<std::unique_ptr<EpollWaitStep>(int epfd)>& make_step) {
  if (sys.epoll == nullptr || sys.fd == nullptr) return nullptr;
  const int epfd = sys.epoll->epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return nullptr;
  auto wait_step = make_step(epfd);
  if (!wait_step) {
    sys.fd->close(epfd);
    return nullptr;
  }
  return std::make_unique<EpollBackend>(epfd, sys, traits, std::move(wait_step));
}

std::unique_ptr<Backend> make_epoll_backend(const kernel::SysCalls& sys) {
  return make_epoll_family_backend(sys, epoll_traits, [&sys](int) {
    return std::make_unique<PreciseWait>(sys);
  });
}

}  // namespace refloop::detail
