// SPDX-License-Identifier: ISC
// The columns of refloop-conformance-iopause: refloop's C++ iopause on each implementation
// (refloop/ppoll, refloop/poll, refloop/select) and the model, answering as ppoll.
#include "model_iopause.hpp"
#include "refloop_iopause.hpp"

namespace refloop::conformance::iopause_suite {

std::vector<Column> available_columns(const std::string& impl, const std::string& backend, std::string& error) {
  std::vector<Column> columns;
  if (impl == "all" || impl == "refloop") {
    for (IopauseImpl which : {IopauseImpl::ppoll, IopauseImpl::poll, IopauseImpl::select}) {
      const std::string name = iopause_impl_name(which);
      if (!backend.empty() && backend != name) continue;
      columns.push_back(Column{"refloop", "refloop/" + name, name, false, true,
                               [which](const Column&) { return make_refloop_iopause_adapter(which); }});
    }
  }
  const std::string model_answers_as = iopause_impl_name(iopause_default_impl);
  if ((impl == "all" || impl == "model") &&
      (backend.empty() || backend == model_answers_as || impl == "model"))
    columns.push_back(Column{"model", "model", model_answers_as, false, false,
                             [](const Column&) { return make_model_iopause_adapter(); }});
  if (columns.empty()) error = "no column for --impl " + impl + (backend.empty() ? "" : " --backend " + backend);
  return columns;
}

}  // namespace refloop::conformance::iopause_suite
