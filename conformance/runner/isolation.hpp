// SPDX-License-Identifier: ISC
// Running one case on one column in a child process (conformance/README.md, "Probes"): a case
// may end in a fatal error (which aborts the process, FATAL-001) or spin forever (ivykis's busy
// loop on a closed fd), and neither may take the runner down or hang it.
#pragma once

#include "case_file.hpp"
#include "columns.hpp"
#include "results.hpp"

namespace refloop::conformance {

// How long a child may go without finishing a step before it is killed and the case fails.
inline constexpr int step_timeout_ms = 5000;

Result run_case_isolated(const Case& c, const Column& column);

}  // namespace refloop::conformance
