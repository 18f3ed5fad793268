// SPDX-License-Identifier: ISC
// The ivykis adapter (ivykis_loop.cpp): an implementation of <iv.h> on one poll method.
#pragma once

#include <memory>
#include <string>

#include "loop_adapter.hpp"

namespace refloop::conformance::loop_suite {

// `implementation` names the column ("ivykis", "refloop-iv"); `method` is the poll method the
// process chose (the caller sets IV_EXCLUDE_POLL_METHOD before the first adapter).
std::unique_ptr<LoopAdapter> make_ivykis_loop_adapter(const std::string& implementation, const std::string& method);

}  // namespace refloop::conformance::loop_suite
