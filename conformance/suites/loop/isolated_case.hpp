// SPDX-License-Identifier: ISC
// Running one case on one column in a child process (conformance/README.md, "Probes"): a case
// may end in a fatal error (which aborts the process, FATAL-001) or spin forever (ivykis's busy
// loop on a closed fd), and neither may take the runner down or hang it.
#pragma once

#include "case_file.hpp"
#include "columns.hpp"
#include "isolation.hpp"
#include "results.hpp"

namespace refloop::conformance::loop_suite {

Result run_case_isolated(const Case& c, const Column& column);

}  // namespace refloop::conformance::loop_suite
