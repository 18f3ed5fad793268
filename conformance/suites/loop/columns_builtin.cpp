// SPDX-License-Identifier: ISC
// Columns of refloop-conformance: refloop::Loop on each compiled backend (spec/loop.md
// BACKEND-005), and the loop model as an implementation.
#include "columns.hpp"
#include "refloop/loop/loop.hpp"
#include "model_loop.hpp"
#include "refloop_loop.hpp"

namespace refloop::conformance::loop_suite {

std::vector<Column> available_columns(const std::string& impl, const std::string& backend, std::string& error) {
  std::vector<Column> columns;
  if (impl == "refloop" || impl == "all") {
    for (std::string_view compiled : compiled_backends()) {
      if (!backend.empty() && backend != compiled) continue;
      const std::string name(compiled);
      columns.push_back(Column{"refloop", "refloop/" + name, [name] { return make_refloop_loop_adapter(name); }});
    }
  }
  if ((impl == "model" || impl == "all") && (backend.empty() || impl == "model"))
    columns.push_back(Column{"model", "model", [] { return make_model_loop_adapter(); }});
  if (columns.empty()) error = "no column matches --impl " + impl + " --backend " + backend + " (this runner offers refloop and model)";
  return columns;
}

}  // namespace refloop::conformance::loop_suite
