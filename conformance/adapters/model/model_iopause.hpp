// SPDX-License-Identifier: ISC
// The iopause model as an adapter (model_iopause.cpp).
#pragma once

#include <memory>

#include "iopause_adapter.hpp"

namespace refloop::conformance::iopause_suite {

std::unique_ptr<IopauseAdapter> make_model_iopause_adapter();

}  // namespace refloop::conformance::iopause_suite
