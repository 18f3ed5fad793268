// SPDX-License-Identifier: ISC
// The epoll backend (spec/loop.md, BACKEND). Interest changes are queued by notify() and sent
// to the kernel in one batch just before each wait, so a handler that switches bands back and
// forth within an iteration costs nothing; unregistering is immediate, because the caller may
// close the fd as soon as unregister_fd returns. A kernel refusal at the flush is fatal
// (FATAL-004), as in ivykis. The wait is a step of its own (epoll_wait_step.hpp): this file's
// waits with epoll_pwait2 (BACKEND-012); epoll_timerfd.cpp's waits on a timerfd (BACKEND-013).
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "epoll_wait_step.hpp"
#include "pending_fds.hpp"
#include "refloop/kernel/wait_plan.hpp"
#include "refloop/loop/fatal.hpp"

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

 private:
  int control(int op, Fd& fd, unsigned bands);
  void flush_one(Fd& fd);
  void flush_queue();

  kernel::SysCalls sys_;  // every system call goes through these tables
  int epfd_;
  PendingFds queue_;                // fds whose wanted bands may differ from the kernel's
  std::size_t in_kernel_ = 0;       // fds the kernel watches (sizes the event buffer)
  std::vector<epoll_event> events_;
  const BackendTraits& traits_;  // epoll's or epoll-timerfd's
  std::unique_ptr<EpollWaitStep> wait_step_;
};

int EpollBackend::control(int op, Fd& fd, unsigned bands) {
  epoll_event event{};
  event.events = epoll_mask(bands);
  event.data.ptr = &fd;
  if (sys_.epoll->epoll_ctl(epfd_, op, fd.fd, &event) != 0) return errno;
  if (op == EPOLL_CTL_ADD) ++in_kernel_;
  if (op == EPOLL_CTL_DEL) --in_kernel_;
  return 0;
}

// implements: BACKEND-002 (lazy: queue once; nothing to do when the kernel already agrees)
void EpollBackend::notify(Fd& fd) { queue_.add(fd); }

void EpollBackend::flush_one(Fd& fd) {
  const unsigned wanted = fd.state.wanted_bands;
  const unsigned registered = fd.state.registered_bands;
  if (wanted == registered) return;
  const int op = registered == 0 ? EPOLL_CTL_ADD : wanted == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
  if (const int error = control(op, fd, wanted); error != 0)
    fatal("%s backend: epoll_ctl(%s) on fd %d failed: error %d[%s]", traits_.name.data(),
          op_name(op), fd.fd, error, std::strerror(error));
  fd.state.registered_bands = static_cast<std::uint8_t>(wanted);
}

void EpollBackend::flush_queue() {
  queue_.flush([this](Fd& fd) { flush_one(fd); });
}

// implements: BACKEND-008 (register_fd_try: an fd with no handlers is tried with in and out,
// then removed again), FAULT-006 (a failed removal is retried by the flush before the next wait,
// so no wait ever sees the trial registration)
int EpollBackend::notify_sync(Fd& fd) {
  const unsigned wanted = fd.state.wanted_bands;
  const unsigned trial = wanted != 0 ? wanted : band_in | band_out;
  if (const int error = control(EPOLL_CTL_ADD, fd, trial); error != 0) return error;
  if (wanted == 0 && control(EPOLL_CTL_DEL, fd, 0) == 0) return 0;
  fd.state.registered_bands = static_cast<std::uint8_t>(trial);
  notify(fd);  // queued only when the kernel still has the trial bands
  return 0;
}

void EpollBackend::forget(Fd& fd) {
  queue_.remove(fd);
  if (fd.state.registered_bands == 0) return;
  if (const int error = control(EPOLL_CTL_DEL, fd, 0); error != 0)
    fatal("%s backend: fd %d was closed while registered (epoll_ctl(EPOLL_CTL_DEL): error "
          "%d[%s])", traits_.name.data(), fd.fd, error, std::strerror(error));
  fd.state.registered_bands = 0;
}

void EpollBackend::poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) {
  flush_queue();
  const kernel::WaitPlan plan = kernel::plan_wait(wait_deadline(deadline), stamp, clock);
  const auto extra = static_cast<std::size_t>(wait_step_->extra_events());
  events_.resize((in_kernel_ > 0 ? in_kernel_ : 1) + extra);
  const int count =
      wait_step_->wait(epfd_, events_.data(), static_cast<int>(events_.size()), plan, stamp);
  if (count < 0) return;  // interrupted: the round ends with nothing reported (FAULT-002)
  kernel::finish_wait(plan, count, clock);
  for (int i = 0; i < count; ++i)
    sink.ready(*static_cast<Fd*>(events_[static_cast<std::size_t>(i)].data.ptr),
               bands_from_epoll(events_[static_cast<std::size_t>(i)].events));
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
    .closed_fd = BackendTraits::ClosedFd::when_told, // epoll_ctl fails with EBADF
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
