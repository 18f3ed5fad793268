// SPDX-License-Identifier: ISC
// Columns of refloop-conformance-tai: refloop's C++ API (refloop/time) and the time model
// (model/time) as an implementation. The C API columns live in their own executables
// (skalibs_tai_subject.cpp), so skalibs' and refloop's identically named C symbols never meet.
#include "tai_subject.hpp"

namespace refloop::conformance::taisuite {

std::vector<TaiColumn> available_columns(const std::string& impl, std::string& error) {
  std::vector<TaiColumn> columns;
  if (impl == "refloop" || impl == "all") columns.push_back(TaiColumn{"refloop", "refloop", false, make_refloop_tai_subject});
  if (impl == "model" || impl == "all") columns.push_back(TaiColumn{"model", "model", false, make_model_tai_subject});
  if (columns.empty()) error = "no column matches --impl " + impl + " (this runner offers refloop and model)";
  return columns;
}

}  // namespace refloop::conformance::taisuite
