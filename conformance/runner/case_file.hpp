// SPDX-License-Identifier: ISC
// A conformance case file (conformance/README.md): the operation vocabulary's text form
// (spec/model.md, MODEL-001) with a header comment that names and quotes the requirement, and
// optional explicit expectations the model's parser sees as comments:
//   # expect: t0 k0 c0a.in -> polled clock +5000
// which says what the `run` just above it did: the callbacks in order, the outcome, and
// optionally the simulated clock in ns since the start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loop/ops.hpp"
#include "refloop/expected.hpp"
#include "subject.hpp"

namespace refloop::conformance {

struct Expectation {
  std::size_t line = 0;
  std::vector<Event> events;  // object and band matter; the script does not
  Outcome outcome = Outcome::polled;
  std::optional<std::uint64_t> clock_ns;  // since the start of the case
};

struct Step {
  std::size_t line = 0;
  Op op;
  std::optional<Expectation> expect;  // only on run / run_nowait
};

struct Case {
  std::string id;       // the file name without .case, e.g. FD-007-1
  std::string summary;  // the first header comment line
  std::vector<std::string> requirements;  // every [req:ID] in the file
  std::vector<Step> steps;
};

// Reads and parses one case file; the error names the file and line.
Expected<Case, std::string> load_case(const std::string& path);

// Whether a recorded run matches an expectation; nullopt if it does, else why not.
std::optional<std::string> check_expectation(const Expectation& expect, const RunRecord& run);

}  // namespace refloop::conformance
