// SPDX-License-Identifier: ISC
// The tai adapter of the time model (model_tai.cpp).
#pragma once

#include <memory>

#include "tai_adapter.hpp"

namespace refloop::conformance::tai_suite {

std::unique_ptr<TaiAdapter> make_model_tai_adapter();

}  // namespace refloop::conformance::tai_suite
