// SPDX-License-Identifier: ISC
// The one wait path (refloop/kernel/wait_plan.hpp).
#include "refloop/kernel/wait_plan.hpp"

#include <limits>

namespace refloop::kernel {

// implements: IOPAUSE-012, IOPAUSE-013, IOPAUSE-014, BACKEND-004. The clock decides how long the
// kernel may really block (a simulated clock says 0); "forever" is tain_infinite_relative to it.
WaitPlan plan_wait(const tain* deadline, const tain& stamp, Clock& clock) {
  if (deadline == nullptr) {
    const tain allowed = clock.kernel_timeout(tain_infinite_relative);
    if (allowed >= tain_infinite_relative) return WaitPlan{std::nullopt, tain_infinite_relative};
    return WaitPlan{allowed, tain_infinite_relative};
  }
  const tain wanted = stamp < *deadline ? *deadline - stamp : tain_zero;
  return WaitPlan{clock.kernel_timeout(wanted), wanted};
}

// implements: IOPAUSE-041, IOPAUSE-015, BACKEND-004 (rounded up to whole milliseconds)
int timeout_milliseconds(const WaitPlan& plan, std::uint64_t cap_ms) {
  if (!plan.timeout) return -1;
  const std::uint64_t ms = milliseconds_from_tain(*plan.timeout);
  return static_cast<int>(ms > cap_ms ? cap_ms : ms);
}

// implements: IOPAUSE-040 (exact; only a wait beyond what a time_t holds is clamped)
const timespec* timeout_timespec(const WaitPlan& plan, timespec& storage) {
  if (!plan.timeout) return nullptr;
  const auto exact = timespec_from_tain_relative(*plan.timeout);
  storage = exact ? *exact : timespec{std::numeric_limits<time_t>::max(), nano_per_second - 1};
  return &storage;
}

// implements: IOPAUSE-043 (rounded up to the microsecond)
timeval* timeout_timeval(const WaitPlan& plan, timeval& storage) {
  if (!plan.timeout) return nullptr;
  const auto rounded_up = timeval_from_tain_relative(*plan.timeout);
  storage = rounded_up ? *rounded_up : timeval{std::numeric_limits<time_t>::max(), 999'999};
  return &storage;
}

// implements: IOPAUSE-014, CLOCK-006
void finish_wait(const WaitPlan& plan, int ready, Clock& clock) {
  if (ready == 0) clock.waited_idle(plan.idle);
}

}  // namespace refloop::kernel
