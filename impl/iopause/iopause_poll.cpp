// SPDX-License-Identifier: ISC
// iopause over poll(2), millisecond timeouts (spec/iopause.md, IOPAUSE-041). The relative wait
// rounds UP to the millisecond, so poll never wakes before the deadline because of rounding,
// and a wait longer than INT_MAX ms (about 24.8 days) is clamped to INT_MAX ms instead of
// becoming poll's "no timeout" (skalibs passes -1 there); iopause_stamp then waits again.
#include <climits>

#include "iopause_steps.hpp"

namespace refloop {

namespace {

// implements: IOPAUSE-041, IOPAUSE-015
int native_timeout(const tain& relative) {
  const std::uint64_t ms = milliseconds_from_tain(relative);
  return ms > static_cast<std::uint64_t>(INT_MAX) ? INT_MAX : static_cast<int>(ms);
}

}  // namespace

int iopause_poll(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock) {
  return detail::poll_wait(fds, deadline, stamp, clock, kernel::native_syscalls());
}

int detail::poll_wait(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
                      Clock& clock, const kernel::SysCalls& calls) {
  kernel::PollCalls& sys = *calls.poll;
  if (detail::check_and_clear(fds) < 0) return -1;
  const detail::WaitPlan plan = detail::plan_wait(deadline, stamp, clock);
  const int timeout = plan.timeout ? native_timeout(*plan.timeout) : -1;
  const int result =
      detail::poll_family_wait(fds, [&] { return sys.poll(fds.data(), fds.size(), timeout); });
  if (result < 0) return -1;
  return detail::finish(fds, plan, clock);
}

}  // namespace refloop
