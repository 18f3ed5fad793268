// SPDX-License-Identifier: ISC
// The OS-interface suite (spec/os.md; conformance/os/README.md): cases written against the C
// interfaces themselves (kevent, epoll, poll), one call per line with its expected answer, run
// against a column: the system's native tables, or the emulators of model/os. The same case text
// runs unchanged on both, and natively on a system that has the interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "os/emulators.hpp"
#include "refloop/kernel/syscalls.hpp"
#include "refloop/time/clock.hpp"

namespace refloop::os_suite {

// Where the calls go. A native column's tables are the system's; an emulated one's are an
// os::Emulators set on a simulated clock (its name ends in "~emu", spec/os.md OS-003).
struct Column {
  std::string name;
  kernel::SysCalls sys;
  os::Emulators* emulators = nullptr;  // the knobs, on an emulated column only
};

struct Outcome {
  enum class Result { pass, fail, not_applicable } result = Result::pass;
  std::string detail;  // what failed, or why the case does not apply
};

// Runs one case's text on a column. Never throws and never crashes on malformed text: a line it
// cannot read is a failure naming the line (the fuzz target feeds it arbitrary bytes).
Outcome run_case(std::string_view text, Column& column);

// The two columns this system offers: "native" (every interface the system has) and "os~emu"
// (the emulated interfaces, over the native fds). `clock` drives the emulated column's waits.
Column native_column();
Column emulated_column(os::Emulators& emulators);

}  // namespace refloop::os_suite
