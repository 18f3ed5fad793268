// SPDX-License-Identifier: ISC
// What the tai suite needs from an implementation under test (conformance/suites/tai/README.md): an
// adapter performs one operation of the vocabulary (tai_case.hpp) at a time and returns its
// result, or says beforehand that its API cannot perform it (the case is then N/A, not applicable).
// Adapters hold no state between operations; a fresh one is made for each case anyway.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapter.hpp"
#include "tai_case.hpp"

namespace refloop::conformance::tai_suite {

// The tai suite's adapter (the one adapter concept, framework/adapter.hpp). Its not_applicable
// says why the API cannot perform `op` (no such form, a value its types cannot hold, an input
// length it cannot be told), which makes the case N/A; the rest is the tai vocabulary.
class TaiAdapter : public Adapter<Op> {
 public:
  virtual Outcome perform(const Op& op) = 0;
};

struct Column {
  std::string implementation;  // names conformance/expectations/<implementation>.txt
  std::string name;            // the matrix column: refloop, model, refloop-skalibs, skalibs
  bool c_api = false;          // performs the `# api: c` cases (TAICOMPAT)
  std::function<std::unique_ptr<TaiAdapter>()> make;
};

// The columns this runner executable offers that match --impl (or "all"); empty with `error`
// set when none does.
std::vector<Column> available_columns(const std::string& impl, std::string& error);

}  // namespace refloop::conformance::tai_suite
