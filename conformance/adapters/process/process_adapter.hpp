// SPDX-License-Identifier: ISC
// A loop adapter in another process (spec/adapter.md): any program that speaks the line protocol
// on its standard input and output, started once per case in the case's child process.
#pragma once

#include <memory>
#include <string>

#include "loop_adapter.hpp"
#include "protocol.hpp"

namespace refloop::conformance::loop_suite {

// `command` runs through /bin/sh -c; `column` names the column ("libev", "refloop-iv/poll").
std::unique_ptr<LoopAdapter> make_process_adapter(const std::string& command, const std::string& column);

// Starts `command`, reads its handshake and ends it: what it says about itself, or why the
// handshake failed (ADAPTER-002). The runner records the identity (ADAPTER-003).
Expected<protocol::Identity, std::string> read_identity(const std::string& command);

}  // namespace refloop::conformance::loop_suite
