// SPDX-License-Identifier: ISC
// The adapters built into refloop-conformance: refloop::Loop on a named backend, and the loop
// model itself as an implementation (conformance/README.md).
#pragma once

#include <memory>
#include <string_view>

#include "refloop/kernel/syscalls.hpp"
#include "subject.hpp"

namespace refloop::conformance {

// `sys`, when given, is the kernel table the loop calls through (LoopOptions::sys): the fault
// property (property/loop/fault_property.cpp) passes a kernel::FaultCalls. It must outlive the subject.
std::unique_ptr<Subject> make_refloop_subject(std::string_view backend, const kernel::SysCalls* sys = nullptr);
std::unique_ptr<Subject> make_model_subject();

}  // namespace refloop::conformance
