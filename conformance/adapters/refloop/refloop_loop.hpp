// SPDX-License-Identifier: ISC
// The refloop loop adapter (refloop_loop.cpp): refloop::Loop on a named backend over a
// SimulatedClock (conformance/README.md).
#pragma once

#include <memory>
#include <string_view>

#include "refloop/kernel/syscalls.hpp"
#include "loop_adapter.hpp"

namespace refloop::conformance::loop_suite {

// `sys`, when given, is the kernel table the loop calls through (LoopOptions::sys): the fault
// property (property/loop/fault_property.cpp) passes a kernel::FaultCalls. It must outlive the adapter.
std::unique_ptr<LoopAdapter> make_refloop_loop_adapter(std::string_view backend, const kernel::SysCalls* sys = nullptr);

}  // namespace refloop::conformance::loop_suite
