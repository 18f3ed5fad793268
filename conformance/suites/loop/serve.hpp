// SPDX-License-Identifier: ISC
// The adapter's side of the process protocol (spec/adapter.md) for any in-process loop adapter:
// `RUNNER --serve --impl I --backend B` speaks the protocol on its standard input and output for
// the one column it offers, so the protocol itself is tested against the in-process column.
#pragma once

#include "loop_adapter.hpp"
#include "protocol.hpp"

namespace refloop::conformance::loop_suite {

// Serves `adapter` until the runner closes standard input; the exit status.
int serve(LoopAdapter& adapter, const protocol::Identity& identity);

}  // namespace refloop::conformance::loop_suite
