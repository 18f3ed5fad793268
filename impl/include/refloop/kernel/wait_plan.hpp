// SPDX-License-Identifier: ISC
// The one wait path shared by the loop backends and iopause (spec/iopause.md WAIT, spec/loop.md
// BACKEND-004): an absolute deadline and a stamp become a WaitPlan once, through the Clock; each
// native call then takes its timeout from the plan in its own unit, rounded UP so a wait never
// ends early, and capped (a cap is never turned into "no timeout": the caller simply waits again);
// after the wait, finish_wait is the one place a wait that found nothing is reported to the Clock.
//
// "No deadline" is encoded once: a null deadline here, and a plan whose timeout is empty.
#pragma once

#include <sys/time.h>

#include <cstdint>
#include <ctime>
#include <optional>

#include "refloop/time/clock.hpp"
#include "refloop/time/tain.hpp"

namespace refloop::kernel {

struct WaitPlan {
  std::optional<tain> timeout;  // how long the native call may block; empty: no timeout
  tain idle;                    // what the clock hears (waited_idle) if nothing was ready
};

// deadline - stamp (zero once the deadline has passed), as far as clock.kernel_timeout allows;
// a null deadline waits forever unless the clock refuses to (a simulated clock says 0).
WaitPlan plan_wait(const tain* deadline, const tain& stamp, Clock& clock);

// A zero-timeout check that no clock hears about (nothing to report: it never waits).
inline WaitPlan check_only() { return WaitPlan{tain_zero, tain_zero}; }

// Native timeouts. Milliseconds (poll, epoll_wait): -1 for no timeout, else rounded up and capped
// at cap_ms. Nanoseconds (ppoll) and microseconds (select, rounded up): null for no timeout, else
// capped at the largest time_t seconds; `storage` holds the value the returned pointer names.
int timeout_milliseconds(const WaitPlan& plan, std::uint64_t cap_ms);
const timespec* timeout_timespec(const WaitPlan& plan, timespec& storage);
timeval* timeout_timeval(const WaitPlan& plan, timeval& storage);

// After a native wait that did not fail: `ready` entries were reported. A wait that found nothing
// is reported to the clock (Clock::waited_idle), here and nowhere else.
void finish_wait(const WaitPlan& plan, int ready, Clock& clock);

}  // namespace refloop::kernel
