// SPDX-License-Identifier: ISC
// The one adapter concept of the conformance suites (conformance/README.md, "Testing your own
// implementation"): an adapter puts one implementation under test behind a suite's operation
// vocabulary. Every suite's adapter (loop_suite::LoopAdapter, iopause_suite::IopauseAdapter,
// tai_suite::TaiAdapter) is an Adapter<its Op> with the same two questions asked before a case
// runs, and adds the operations of its own suite. Standard library only, so adapters built
// against Debian's headers share it.
#pragma once

#include <optional>
#include <string>

namespace refloop::conformance {

template <class Operation>
class Adapter {
 public:
  using Op = Operation;
  virtual ~Adapter() = default;
  // Why this adapter cannot perform `op` (a real-time loop cannot `advance` a simulated clock);
  // nullopt when it can. A case with such an operation is reported UNSUPPORTED (loop, iopause) or
  // N/A (tai, whose refusals are all about the API's forms).
  [[nodiscard]] virtual std::optional<std::string> unsupported(const Op&) const { return std::nullopt; }
  // Why `op` is about an API the adapter does not offer (a nested run_once on <iv.h>, which has
  // none); nullopt when it is not. A case with such an operation is reported N/A.
  [[nodiscard]] virtual std::optional<std::string> not_applicable(const Op&) const { return std::nullopt; }
};

}  // namespace refloop::conformance
