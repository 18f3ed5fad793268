// SPDX-License-Identifier: ISC
// The one column of the install test's runner: the installed template adapter, built by this
// project against the installed kit and <iv.h>, through the process protocol (spec/adapter.md).
#include "columns.hpp"
#include "process_adapter.hpp"

namespace refloop::conformance::loop_suite {

std::vector<Column> available_columns(const std::string&, const std::string& backend, std::string&) {
  const std::string method = backend.empty() ? "poll" : backend;
  const std::string name = "installed-iv/" + method;
  return {Column{"installed-iv", name, [method, name] { return make_process_adapter(IV_ADAPTER " " + method, name); }}};
}

}  // namespace refloop::conformance::loop_suite
