// SPDX-License-Identifier: ISC
// The runner's results and how they are reported (conformance/README.md): TAP on stdout, JUnit
// XML and a markdown matrix (rows: cases, named after the requirement they prove; columns:
// implementation x backend) in files. A result is judged against the implementation's known
// deviations (conformance/expectations/<implementation>.txt): a listed failure is a
// KNOWN-DEVIATION, a listed case that passes is an UNEXPECTED-PASS, so the list stays true.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace refloop::conformance {

// not_applicable: the case is about an API the column does not offer (a C API case on the C++
// API); shown as N/A, never counted as a failure.
enum class Status { pass, fail, unsupported, known_deviation, unexpected_pass, not_applicable };

struct Result {
  std::string column;  // "refloop/epoll", "model"
  std::string case_id;
  std::string summary;
  Status status = Status::pass;
  std::string detail;  // why it failed, is unsupported, or the listed deviation's reason
};

// What a column's implementation said about itself through the process protocol (spec/adapter.md,
// ADAPTER-003): recorded in TAP, the results file and the matrix.
struct Implementation {
  std::string column;
  std::string name;
  std::string version;
  std::string library;
};

// Known deviations of one implementation: case id -> (column or "*") -> reason.
using Deviations = std::map<std::string, std::map<std::string, std::string>>;
// The Debian name of the architecture this code was compiled for (`amd64`, `armhf`, `s390x`;
// `unknown` for one not named here), which `arch=` qualifiers of known deviations name.
const char* build_architecture();
// Reads `CASE-ID COLUMN [@VERSION[,VERSION...]] [arch=ARCH[,ARCH...]] reason...` lines (`#`
// comments); a missing file lists nothing. A line with @VERSION holds only for those versions of
// the implementation's library: it is read only when `version` (the version the runner linked,
// REFLOOP_PEER_VERSION) is one of them. A line with arch= holds only on those architectures: it
// is read only when `architecture` (the runner's, build_architecture()) is one of them.
Deviations load_deviations(const std::string& path, const std::string& version,
                           const std::string& architecture = build_architecture());
// The listed reason for a case in a column ("refloop/epoll" matches "epoll" and "*"), or null.
const std::string* deviation_reason(const Deviations& deviations, const std::string& case_id,
                                    const std::string& column);

[[nodiscard]] bool unexpected(Status status);
const char* status_name(Status status);

void write_tap(const std::vector<Result>& results, const std::vector<Implementation>& implementations);
// Results of several runner processes (one per ivykis method) are collected in one file, one
// tab-separated line per result, and reported together.
bool append_results(const std::vector<Result>& results, const std::vector<Implementation>& implementations,
                    const std::string& path);
std::vector<Result> read_results(const std::string& path, std::vector<Implementation>& implementations);
bool write_junit(const std::vector<Result>& results, const std::string& path);
// The matrix has one table per suite (loop, ivapi, iopause, tai: suite_of the case id's prefix), each
// with the columns that ran that suite's cases.
bool write_matrix(const std::vector<Result>& results, const std::vector<Implementation>& implementations,
                  const std::string& path);
std::string suite_of(const std::string& case_id);
// The cause a failure's detail names, for grouping: its requirement ID and, when the verdict
// names one ("[LOOP-001] polls before running expired timers: ..."), the cause's phrase; without
// the step prefix ("line 7 (run): ").
std::string cause_of(const std::string& detail);
// "# failures by cause:" and one TAP comment line per cause with its number of failing cases.
void write_causes(const std::vector<Result>& results);

}  // namespace refloop::conformance
