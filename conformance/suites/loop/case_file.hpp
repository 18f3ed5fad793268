// SPDX-License-Identifier: ISC
// A conformance case file (conformance/README.md): the operation vocabulary's text form
// (spec/model.md, MODEL-001) with a header comment that names and quotes the requirement, and
// optional explicit expectations the model's parser sees as comments:
//   # expect: t0 k0 c0a.in -> polled clock +5000
// which says what the `run` just above it did: the callbacks in order, the outcome, and
// optionally the simulated clock in ns since the start.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "case_error.hpp"
#include "loop/ops.hpp"
#include "refloop/expected.hpp"
#include "loop_adapter.hpp"

namespace refloop::conformance::loop_suite {

struct Expectation {
  std::size_t line = 0;
  std::vector<Event> events;  // object and band matter; the script does not
  Outcome outcome = Outcome::polled;
  std::optional<std::uint64_t> clock_ns;  // since the start of the case
};

// `# expect: fatal [later] [stderr] "text" | "other" [; BACKEND = none ...]`: the step (or, with
// `later`, this step or any later one) ends the process through the fatal path, with a message
// containing one of the texts; `stderr` means the message must appear on standard error (the
// default handler). `BACKEND = none`: on that backend no fatal error is expected at all (where
// the spec says a backend does not report the misuse, as epoll a close while registered, FD-010).
struct FatalExpectation {
  std::size_t line = 0;
  bool later = false;
  bool on_stderr = false;
  std::vector<std::string> any_of;
  std::vector<std::string> not_on;
  [[nodiscard]] bool applies_to(const std::string& backend) const {
    for (const auto& name : not_on)
      if (name == backend) return false;
    return true;
  }
};

// `# expect: = VALUE; select = OTHER`: a probe's result, optionally per backend.
struct ResultExpectation {
  std::string value;
  std::vector<std::pair<std::string, std::string>> per_backend;
  [[nodiscard]] const std::string& for_backend(const std::string& backend) const {
    for (const auto& [name, v] : per_backend)
      if (name == backend) return v;
    return value;
  }
};

struct Step {
  std::size_t line = 0;
  Op op;
  std::optional<Probe> probe;          // a `!` line instead of an operation
  std::optional<Expectation> expect;   // only on run / run_nowait
  std::optional<ResultExpectation> result;  // only on probes
  std::optional<FatalExpectation> fatal;
};

struct Case {
  std::string id;       // the file name without .case, e.g. FD-007-1
  std::string summary;  // the first header comment line
  std::vector<std::string> requirements;  // every [req:ID] in the file
  std::vector<Step> steps;
};

// Reads and parses one case file; the error names the file and line (framework/case_error.hpp).
Expected<Case, CaseError> load_case(const std::string& path);
// The same from a stream (the fuzz target fuzz/loop_case_parse.cpp); `path` names it in errors
// and gives the case id.
Expected<Case, CaseError> parse_case(std::istream& in, const std::string& path);

// A probe line (`! register-try c0a`); the serving side of the process protocol reads probes so.
Expected<Probe, std::string> parse_probe(const std::string& text);
// Whether a message satisfies a fatal expectation (one of its texts is part of it).
bool fatal_message_matches(const FatalExpectation& expect, const std::string& message);

// Whether a recorded run matches an expectation; nullopt if it does, else why not.
std::optional<std::string> check_expectation(const Expectation& expect, const RunRecord& run);

}  // namespace refloop::conformance::loop_suite
