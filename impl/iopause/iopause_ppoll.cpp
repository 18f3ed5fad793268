// SPDX-License-Identifier: ISC
// iopause over ppoll(2), nanosecond timeouts (spec/iopause.md, IOPAUSE-040). The relative wait
// converts exactly; only a wait beyond what a time_t holds is clamped (IOPAUSE-015).
#include <limits>

#include "iopause_steps.hpp"

namespace refloop {

namespace {

// implements: IOPAUSE-040
timespec native_timeout(const tain& relative) {
  const auto exact = timespec_from_tain_relative(relative);
  if (exact) return *exact;
  return timespec{std::numeric_limits<time_t>::max(), nano_per_second - 1};
}

}  // namespace

int iopause_ppoll(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock) {
  return detail::ppoll_wait(fds, deadline, stamp, clock, kernel::native_syscalls());
}

int detail::ppoll_wait(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
                       Clock& clock, const kernel::SysCalls& calls) {
  kernel::PollCalls& sys = *calls.poll;
  if (detail::check_and_clear(fds) < 0) return -1;
  const detail::WaitPlan plan = detail::plan_wait(deadline, stamp, clock);
  timespec timeout{};
  if (plan.timeout) timeout = native_timeout(*plan.timeout);
  const int result = detail::poll_family_wait(fds, [&] {
    return sys.ppoll(fds.data(), fds.size(), plan.timeout ? &timeout : nullptr, nullptr);
  });
  if (result < 0) return -1;
  return detail::finish(fds, plan, clock);
}

}  // namespace refloop
