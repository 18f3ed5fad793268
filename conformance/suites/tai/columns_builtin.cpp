// SPDX-License-Identifier: ISC
// Columns of refloop-conformance-tai: refloop's C++ API (refloop/time) and the time model
// (model/time) as an implementation. The C API columns live in their own executables
// (adapters/skalibs/skalibs_tai.cpp), so skalibs' and refloop's identically named C symbols never meet.
#include "model_tai.hpp"
#include "refloop_tai.hpp"

namespace refloop::conformance::tai_suite {

std::vector<Column> available_columns(const std::string& impl, std::string& error) {
  std::vector<Column> columns;
  if (impl == "refloop" || impl == "all") columns.push_back(Column{"refloop", "refloop", false, make_refloop_tai_adapter});
  if (impl == "model" || impl == "all") columns.push_back(Column{"model", "model", false, make_model_tai_adapter});
  if (columns.empty()) error = "no column matches --impl " + impl + " (this runner offers refloop and model)";
  return columns;
}

}  // namespace refloop::conformance::tai_suite
