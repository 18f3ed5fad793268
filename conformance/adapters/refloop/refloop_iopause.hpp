// SPDX-License-Identifier: ISC
// The refloop iopause adapter (refloop_iopause.cpp): refloop's C++ iopause on one implementation.
#pragma once

#include <memory>

#include "iopause_adapter.hpp"
#include "refloop/iopause/iopause.hpp"

namespace refloop::conformance::iopause_suite {

std::unique_ptr<IopauseAdapter> make_refloop_iopause_adapter(IopauseImpl which);

}  // namespace refloop::conformance::iopause_suite
