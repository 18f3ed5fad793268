// SPDX-License-Identifier: ISC
// The one step in which refloop's two epoll backends differ: how they wait (spec/loop.md,
// BACKEND-012 and BACKEND-013). epoll.cpp owns everything else (interest, the lazy flush,
// register_fd_try, forget, dispatch) for both; a backend file supplies its wait step:
//   epoll.cpp           epoll_pwait2 with a nanosecond timeout, falling back to epoll_wait
//   epoll_timerfd.cpp   a timerfd in the epoll set carries the deadline; epoll_wait blocks
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "backend.hpp"
#include "refloop/kernel/wait_plan.hpp"

namespace refloop::detail {

class EpollWaitStep {
 public:
  virtual ~EpollWaitStep() = default;

  // Waits on `epfd` as `plan` says (`stamp`: the loop's now, from which the plan was made) into
  // `events`, which has room for `capacity` entries. Returns how many entries are the loop's fds,
  // in the order the kernel gave them, at the front of `events`; -1 when the wait was interrupted
  // (EINTR: the round ends, FAULT-002). Any other failure is fatal here (FAULT-004), naming the
  // backend and the call.
  virtual int wait(int epfd, epoll_event* events, int capacity, const kernel::WaitPlan& plan,
                   const tain& stamp) = 0;

  // Entries a wait may return besides the loop's fds (the timerfd's).
  [[nodiscard]] virtual int extra_events() const { return 0; }

  // The backend made its epoll set afresh (FD-015): adds the step's own entries, if any, to
  // `epfd`, with `wait_step_event_data`. Returns 0 or the errno of the failed call.
  virtual int join(int /*epfd*/) { return 0; }
};

// The event data of a wait step's own entries. A watch's data is its tag in the upper 32 bits
// and its fd number in the lower (FD-013); no watch has tag 0, so no watch's data is this.
constexpr std::uint64_t wait_step_event_data = 0;

// An epoll backend with `traits` (its name, for messages and name()) and the wait step that
// `make_step` builds for the new epoll fd; nullptr when the epoll fd or the step cannot be made
// (FAULT-005).
std::unique_ptr<Backend> make_epoll_family_backend(
    const kernel::SysCalls& sys, const BackendTraits& traits,
    const std::function<std::unique_ptr<EpollWaitStep>(int epfd)>& make_step);

}  // namespace refloop::detail
