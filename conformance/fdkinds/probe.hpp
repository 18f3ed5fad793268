// SPDX-License-Identifier: ISC
// Observing one cell of the fd-kind matrix (spec/loop.md, FD-016): registers a fresh fd of the
// kind, with in, out and err handlers, on a loop on the named backend through refloop's C++ API,
// in a child process of its own (a refusal may be fatal, and a kind may block a signal).
#pragma once

#include <string>

#include "expected.hpp"
#include "fd_kinds.hpp"

namespace refloop::fdkinds {

// Two children: one calls register_fd_try and, when it accepts, looks (one run_once(nowait))
// at once and after each stimulus; the other calls register_fd on a fresh fd and looks once.
Outcome observe(const Kind& kind, const std::string& backend);

}  // namespace refloop::fdkinds
