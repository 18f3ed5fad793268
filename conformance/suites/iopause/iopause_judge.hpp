// SPDX-License-Identifier: ISC
// Runs one iopause case on one column and judges it (conformance/suites/iopause/README.md, "How a case
// is judged"): every wait is compared with the model (model/iopause) where the model can express
// it, with the rules spec/iopause.md fixes for every call (IOPAUSE-024, 025, 030, 032..034), and
// with the case's `# expect:` lines; native calls are observed through the interposed
// poll/ppoll/select (impl/iopause/testing/native_spy.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "iopause_adapter.hpp"
#include "iopause_case.hpp"
#include "results.hpp"

namespace refloop::conformance::iopause_suite {

// How late a real-time wait may end (late side only: never early). Real waits in the cases are a
// few milliseconds; the default margin, 250 ms, absorbs a loaded machine. An emulated CPU on a
// loaded machine needs more: REFLOOP_REAL_TIME_TOLERANCE_MS (whole milliseconds, 1 to 60000)
// replaces it, and ci/containers sets it for the qemu-user targets. A bad value ends the runner
// with a message naming the variable.
std::int64_t real_time_tolerance_ns();

// Why a wait's elapsed time is wrong, or nothing: on the simulated clock it must be exactly
// `expected`; on the real clock (`real`) never less, and at most real_time_tolerance_ns() more.
std::optional<std::string> check_elapsed(std::int64_t expected, std::int64_t seen, bool real);

// PASS, FAIL with the line and reason, or UNSUPPORTED with the adapter's reason.
Result run_case(const Case& c, const Column& column);

}  // namespace refloop::conformance::iopause_suite
