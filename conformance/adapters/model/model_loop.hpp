// SPDX-License-Identifier: ISC
// The loop model as an adapter (model_loop.cpp): the loop suite's reference column.
#pragma once

#include <memory>

#include "loop_adapter.hpp"

namespace refloop::conformance::loop_suite {

std::unique_ptr<LoopAdapter> make_model_loop_adapter();

}  // namespace refloop::conformance::loop_suite
