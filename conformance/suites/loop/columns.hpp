// SPDX-License-Identifier: ISC
// The columns one runner executable offers. refloop-conformance offers refloop on every compiled
// backend and the model (columns_builtin.cpp); the ivykis runners offer one implementation of
// <iv.h> on one poll method per process (adapters/ivykis/ivykis_columns.cpp), because ivykis chooses its method
// once per process.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loop_adapter.hpp"

namespace refloop::conformance::loop_suite {

struct Column {
  std::string implementation;  // names conformance/expectations/<implementation>.txt
  std::string name;            // "refloop/epoll", "ivykis/poll", "model"
  std::function<std::unique_ptr<LoopAdapter>()> make;
};

// The columns matching --impl (or "all") and --backend (or empty: every one); an error message
// instead when the request cannot be served by this executable.
std::vector<Column> available_columns(const std::string& impl, const std::string& backend, std::string& error);

}  // namespace refloop::conformance::loop_suite
