// SPDX-License-Identifier: ISC
// An iopause conformance case (conformance/suites/iopause/README.md): a world of pipes, socketpairs and
// fds, entries asking for READ/WRITE, waits (one call, iopause_stamp, deepsleepuntil) with a
// deadline relative to the time of the call, optional scripted native answers, probes of
// compile-time facts, and `# expect:` lines after a wait or probe. Requirements: spec/iopause.md.
// This header uses only the standard library, so the runners built against Debian's
// <skalibs/iopause.h> share it.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "case_error.hpp"
#include "refloop/expected.hpp"

namespace refloop::conformance::iopause_suite {

// An end of a channel: `c2b` is channel 2, end 1. A pipe reads at end a, writes at end b.
struct EndRef {
  unsigned channel = 0;
  unsigned end = 0;
};

enum class FdKind { end, negative, unopened, number, fill_beyond_rlimit };
struct EntrySpec {
  FdKind kind = FdKind::end;
  EndRef end;
  int number = -1;  // FdKind::number
  short events = 0;
};

enum class WaitKind { wait, wait_default, wait_stamp, deepsleep };
enum class StampKind { fresh, stale, null };

struct Answer {  // a scripted native answer: the call returns `result` with `error` as errno
  int result = 0;
  int error = 0;
};

// One expectation line; a field left empty is not checked.
struct Expectation {
  std::size_t line = 0;
  std::vector<std::string> backends;  // `# expect[select,skalibs]:`; empty = every column
  std::optional<int> result;
  std::optional<std::string> error;  // errno name, or "unchanged"
  std::optional<std::vector<short>> revents;
  std::optional<std::int64_t> clock_ns;  // time since the call began
  std::optional<std::string> stamp;       // "reached" or "fresh"
  std::optional<std::string> native;      // kind of the first native call, or "none" (no call)
  std::optional<std::string> timeout;     // "none", "max" or a duration in ns
  std::optional<std::string> calls;       // "N" or ">=N"
  std::optional<bool> exceptfds;
  std::optional<bool> sigmask;
  bool deadlock = false;
  std::optional<std::string> answer;  // of a probe
};

enum class OpKind { pipe, socketpair, write, close, entry, clear, clock_real, script, wait, probe };
struct Op {
  std::size_t line = 0;
  OpKind kind = OpKind::pipe;
  EndRef end;              // write, close
  unsigned count = 0;      // write
  EntrySpec entry;         // entry
  Answer answer;           // script
  WaitKind wait = WaitKind::wait;
  std::optional<std::int64_t> deadline_ns;  // relative to the clock at the call; nullopt = none
  StampKind stamp = StampKind::fresh;
  std::int64_t stale_ns = 0;  // the stamp is the clock minus this
  std::string probe;          // probe name
  std::vector<Expectation> expect;  // on wait and probe
  std::string text;                 // the line as written, for messages
};

struct Case {
  std::string id;
  std::string summary;
  std::vector<std::string> requirements;
  std::vector<Op> ops;
};

// Reads one case file; the error names the file and line (framework/case_error.hpp).
Expected<Case, CaseError> load_case(const std::string& path);
// The same from a stream (fuzz/iopause_case_parse.cpp); `path` names it in errors and gives the id.
Expected<Case, CaseError> parse_case(std::istream& in, const std::string& path);

// "EINVAL" -> EINVAL (the names the cases use), 0 when unknown; and back.
int errno_from_name(const std::string& name);
std::string errno_name(int error);
// Whether an expectation line applies to a column: `# expect[...]` lists backends ("select"),
// implementations ("skalibs") or whole column names ("refloop/poll").
bool applies(const Expectation& expect, const std::string& backend, const std::string& implementation,
             const std::string& column);

}  // namespace refloop::conformance::iopause_suite
