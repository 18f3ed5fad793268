// SPDX-License-Identifier: ISC
// iopause over poll(2), millisecond timeouts (spec/iopause.md, IOPAUSE-041). The relative wait
// rounds UP to the millisecond, so poll never wakes before the deadline because of rounding,
// and a wait longer than INT_MAX ms (about 24.8 days) is clamped to INT_MAX ms instead of
// becoming poll's "no timeout" (skalibs passes -1 there); iopause_stamp then waits again.
#include <climits>

#include "iopause_steps.hpp"

namespace refloop {

int iopause_poll(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock) {
  return iopause_wait(IopauseImpl::poll, fds, deadline, stamp, clock, kernel::native_syscalls());
}

// implements: IOPAUSE-041, IOPAUSE-015
int detail::poll_step(std::span<iopause_fd> fds, const kernel::WaitPlan& plan,
                      const kernel::SysCalls& calls, ReventsForm form) {
  kernel::PollCalls& sys = *calls.poll;
  const int timeout = kernel::timeout_milliseconds(plan, INT_MAX);
  // The ready count (IOPAUSE-024), or -1.
  return poll_family_wait(fds, form, [&] { return sys.poll(fds.data(), fds.size(), timeout); });
}

}  // namespace refloop
