// SPDX-License-Identifier: ISC
// The adapters built into refloop-conformance: refloop::Loop on a named backend, and the loop
// model itself as an implementation (conformance/README.md).
#pragma once

#include <memory>
#include <string_view>

#include "subject.hpp"

namespace refloop::conformance {

std::unique_ptr<Subject> make_refloop_subject(std::string_view backend);
std::unique_ptr<Subject> make_model_subject();

}  // namespace refloop::conformance
