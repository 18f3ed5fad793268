// SPDX-License-Identifier: ISC
// The tai adapter of refloop's C++ time API (refloop_tai.cpp).
#pragma once

#include <memory>

#include "tai_adapter.hpp"

namespace refloop::conformance::tai_suite {

std::unique_ptr<TaiAdapter> make_refloop_tai_adapter();

}  // namespace refloop::conformance::tai_suite
