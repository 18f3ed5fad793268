// SPDX-License-Identifier: ISC
// What the tai suite needs from an implementation under test (conformance/tai/README.md): an
// adapter performs one operation of the vocabulary (tai_case.hpp) at a time and returns its
// result, or says beforehand that its API cannot perform it (the case is then N/A, not applicable).
// Adapters hold no state between operations; a fresh one is made for each case anyway.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tai_case.hpp"

namespace refloop::conformance::taisuite {

class TaiSubject {
 public:
  virtual ~TaiSubject() = default;
  // Why this API cannot perform `op` (no such form, a value its types cannot hold, an input
  // length it cannot be told); nullopt when it can.
  [[nodiscard]] virtual std::optional<std::string> unsupported(const Op& op) const = 0;
  virtual Outcome perform(const Op& op) = 0;
};

struct TaiColumn {
  std::string implementation;  // names conformance/expectations/<implementation>.txt
  std::string name;            // the matrix column: refloop, model, refloop-skalibs, skalibs
  bool c_api = false;          // performs the `# api: c` cases (TAICOMPAT)
  std::function<std::unique_ptr<TaiSubject>()> make;
};

// The columns this runner executable offers that match --impl (or "all"); empty with `error`
// set when none does.
std::vector<TaiColumn> available_columns(const std::string& impl, std::string& error);

// The adapters of refloop-conformance-tai.
std::unique_ptr<TaiSubject> make_refloop_tai_subject();
std::unique_ptr<TaiSubject> make_model_tai_subject();

}  // namespace refloop::conformance::taisuite
