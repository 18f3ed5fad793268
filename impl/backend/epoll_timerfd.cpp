// SPDX-License-Identifier: ISC
// The "epoll-timerfd" backend (spec/loop.md, BACKEND-013): epoll.cpp's backend, whose deadlines
// are carried by a timerfd in the epoll set instead of epoll_wait's millisecond timeout, so a
// deadline is kept to the nanosecond on any Linux since 2.6.25. epoll_wait itself only blocks
// with no timeout, or checks with a zero one. Everything but the wait is epoll.cpp's.
//
// The kernel timer is set relative to the loop's stamp (deadline - stamp, from the one wait plan):
// the loop's clock is a Clock of its own (spec/time.md), not CLOCK_MONOTONIC, so the plan's
// relative timeout is the only conversion there is; setting it after the stamp was taken can only
// make it fire later, never earlier. It is set only when the instant it stands for changes, so a
// loop waiting again for the same deadline (I/O before a distant timer) makes no extra call.
//
// The timerfd is never read: timerfd_settime(2) resets its expiration count, and with it its
// readiness, so the call that sets the next deadline (or disarms the timer before a wait with no
// deadline) is the one that clears the last expiry.
#include <sys/timerfd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "epoll_wait_step.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::detail {

namespace {

class TimerfdWait final : public EpollWaitStep {
 public:
  TimerfdWait(const kernel::SysCalls& sys, int timerfd) : sys_(sys), timerfd_(timerfd) {}
  ~TimerfdWait() override { sys_.fd->close(timerfd_); }
  TimerfdWait(const TimerfdWait&) = delete;
  TimerfdWait& operator=(const TimerfdWait&) = delete;

  [[nodiscard]] int timerfd() const { return timerfd_; }
  int wait(int epfd, epoll_event* events, int capacity, const kernel::WaitPlan& plan,
           const tain& stamp) override;
  [[nodiscard]] int extra_events() const override { return 1; }
  int join(int epfd) override;

 private:
  // What the kernel timer is doing: nothing, counting down to armed_for_ (on the loop's clock),
  // or expired (readable until the next timerfd_settime).
  enum class KernelTimer { idle, armed, expired };

  void set_kernel_timer(const kernel::WaitPlan& plan, const tain& stamp);
  void settime(const timespec& relative);
  int drop_timer_event(epoll_event* events, int count);

  kernel::SysCalls sys_;
  int timerfd_;
  KernelTimer state_ = KernelTimer::idle;
  tain armed_for_{};
};

[[noreturn]] void call_failed(const char* call, int error) {
  fatal("%s backend: %s failed: error %d[%s]", epoll_timerfd_traits.name.data(), call, error,
        std::strerror(error));
}

void TimerfdWait::settime(const timespec& relative) {
  const itimerspec value{timespec{0, 0}, relative};
  if (sys_.timerfd->timerfd_settime(timerfd_, 0, &value, nullptr) != 0)
    call_failed("timerfd_settime", errno);
}

// implements: BACKEND-013 (no deadline: disarmed; a check needs no timer; otherwise the timer
// stands for stamp + timeout, set again only when that instant changes or the timer expired)
void TimerfdWait::set_kernel_timer(const kernel::WaitPlan& plan, const tain& stamp) {
  if (!plan.timeout) {
    if (state_ != KernelTimer::idle) settime(timespec{0, 0});
    state_ = KernelTimer::idle;
    return;
  }
  if (*plan.timeout == tain_zero) return;
  const tain instant = stamp + *plan.timeout;
  if (state_ == KernelTimer::armed && armed_for_ == instant) return;
  timespec relative{};
  settime(*kernel::timeout_timespec(plan, relative));
  state_ = KernelTimer::armed;
  armed_for_ = instant;
}

// Removes the timerfd's entry (keeping the order of the others) and notes the expiry.
int TimerfdWait::drop_timer_event(epoll_event* events, int count) {
  epoll_event* end = std::remove_if(events, events + count, [](const epoll_event& event) {
    return event.data.u64 == wait_step_event_data;
  });
  if (end != events + count) state_ = KernelTimer::expired;
  return static_cast<int>(end - events);
}

int TimerfdWait::wait(int epfd, epoll_event* events, int capacity, const kernel::WaitPlan& plan,
                      const tain& stamp) {
  set_kernel_timer(plan, stamp);
  const bool check = plan.timeout && *plan.timeout == tain_zero;
  const int count = sys_.epoll->epoll_wait(epfd, events, capacity, check ? 0 : -1);
  if (count >= 0) return drop_timer_event(events, count);
  const int error = errno;
  if (error == EINTR) return -1;
  call_failed("epoll_wait", error);
}

// The timerfd, watched for its expiry, identified in the epoll set by wait_step_event_data.
int TimerfdWait::join(int epfd) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = wait_step_event_data;
  return sys_.epoll->epoll_ctl(epfd, EPOLL_CTL_ADD, timerfd_, &event) == 0 ? 0 : errno;
}

std::unique_ptr<EpollWaitStep> make_timerfd_wait(const kernel::SysCalls& sys, int epfd) {
  const int timerfd = sys.timerfd->timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (timerfd < 0) return nullptr;
  auto step = std::make_unique<TimerfdWait>(sys, timerfd);
  if (step->join(epfd) != 0) return nullptr;
  return step;
}

}  // namespace

const BackendTraits epoll_timerfd_traits{
    .name = "epoll-timerfd",
    .timeout_unit = tain::normalised(0, 1),  // a timerfd's it_value
    .timeout_cap = largest_timespec,
    .err_only = BackendTraits::ErrOnly::errors_only,
    .sees_hangup_of_unwritable_out_only_fd = true,
    .closed_fd = BackendTraits::ClosedFd::when_added,
    .regular_file = BackendTraits::RegularFile::refused,
    .fd_limit = 0,
    .lazy_registration = true,
    .timer_task_order_may_vary = false,
    .wait_call = "epoll_wait",
    .interest_call = "epoll_ctl",
    .fallback_wait_call = {},
    .fallback_timeout_unit = tain_zero,
    .timer_call = "timerfd_settime",
    .trial_removal_call = "epoll_ctl",
};

std::unique_ptr<Backend> make_epoll_timerfd_backend(const kernel::SysCalls& sys) {
  if (sys.timerfd == nullptr || sys.epoll == nullptr || sys.fd == nullptr) return nullptr;
  return make_epoll_family_backend(sys, epoll_timerfd_traits,
                                   [&sys](int epfd) { return make_timerfd_wait(sys, epfd); });
}

}  // namespace refloop::detail
