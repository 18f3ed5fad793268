// SPDX-License-Identifier: ISC
// Reporting: TAP (known deviations as TODO, unsupported cases as SKIP, so TAP consumers agree with
// the exit status), JUnit XML for CI dashboards, and the markdown matrix. See results.hpp.
#include "results.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

namespace refloop::conformance {

namespace {
// "@2.13.1.1,2.14.3.0" names `version`; "arch=armhf,s390x" names `architecture`.
bool lists(const std::string& list, const std::string& wanted) {
  std::istringstream names(list);
  for (std::string listed; std::getline(names, listed, ',');)
    if (listed == wanted) return true;
  return false;
}

const std::string arch_qualifier = "arch=";

// Takes the qualifiers off the front of `reason`; false when one of them excludes this runner.
bool qualifiers_hold(std::string& reason, const std::string& version, const std::string& architecture) {
  for (;;) {
    std::istringstream rest(reason);
    std::string word;
    rest >> word;
    if (word.starts_with('@')) {
      if (!lists(word.substr(1), version)) return false;
    } else if (word.starts_with(arch_qualifier)) {
      if (!lists(word.substr(arch_qualifier.size()), architecture)) return false;
    } else {
      return true;
    }
    reason.clear();
    std::getline(rest >> std::ws, reason);
  }
}
}  // namespace

const char* build_architecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
  return "armhf";
#elif defined(__arm__)
  return "armel";
#elif defined(__i386__)
  return "i386";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64el";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

Deviations load_deviations(const std::string& path, const std::string& version, const std::string& architecture) {
  Deviations deviations;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string case_id, column, reason;
    if (!(words >> case_id >> column)) continue;
    std::getline(words >> std::ws, reason);
    if (!qualifiers_hold(reason, version, architecture)) continue;
    deviations[case_id][column] = reason;
  }
  return deviations;
}

const std::string* deviation_reason(const Deviations& deviations, const std::string& case_id,
                                    const std::string& column) {
  const auto found = deviations.find(case_id);
  if (found == deviations.end()) return nullptr;
  const auto slash = column.find('/');
  const std::string backend = slash == std::string::npos ? column : column.substr(slash + 1);
  for (const std::string& key : {column, backend, std::string("*")}) {
    const auto reason = found->second.find(key);
    if (reason != found->second.end()) return &reason->second;
  }
  return nullptr;
}

bool unexpected(Status status) { return status == Status::fail || status == Status::unexpected_pass; }

const char* status_name(Status status) {
  switch (status) {
    case Status::pass: return "PASS";
    case Status::fail: return "FAIL";
    case Status::unsupported: return "UNSUPPORTED";
    case Status::known_deviation: return "KNOWN-DEVIATION";
    case Status::unexpected_pass: return "UNEXPECTED-PASS";
    case Status::not_applicable: return "N/A";
  }
  return "?";
}

namespace {

void print_diagnostic(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) std::printf("#   %s\n", line.c_str());
}

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

}  // namespace

// "NAME VERSION LIBRARY" of one implementation.
std::string identity_text(const Implementation& i) { return i.name + " " + i.version + " " + i.library; }

void write_tap(const std::vector<Result>& results, const std::vector<Implementation>& implementations) {
  std::printf("TAP version 13\n1..%zu\n", results.size());
  for (const Implementation& i : implementations) std::printf("# implementation %s: %s\n", i.column.c_str(), identity_text(i).c_str());
  std::size_t n = 0;
  for (const Result& r : results) {
    const bool ok = r.status == Status::pass || r.status == Status::unsupported || r.status == Status::not_applicable;
    std::printf("%s %zu - %s %s", ok ? "ok" : "not ok", ++n, r.column.c_str(), r.case_id.c_str());
    if (r.status == Status::unsupported) std::printf(" # SKIP unsupported: %s", r.detail.c_str());
    if (r.status == Status::not_applicable) std::printf(" # SKIP not applicable: %s", r.detail.c_str());
    if (r.status == Status::known_deviation) std::printf(" # TODO known deviation: %s", r.detail.c_str());
    std::printf("\n");
    if (r.status == Status::fail) print_diagnostic(r.summary + "\n" + r.detail);
    if (r.status == Status::unexpected_pass)
      print_diagnostic("listed as a known deviation but passes; remove it from the expectations file: " + r.detail);
  }
}

namespace {

std::string one_line(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n'; }, ' ');
  return text;
}

}  // namespace

std::string cause_of(const std::string& detail) {
  std::string text = detail;
  if (text.rfind("line ", 0) == 0)
    if (const auto end = text.find("): "); end != std::string::npos) text = text.substr(end + 3);
  if (text.empty() || text[0] != '[') return text.substr(0, text.find(':'));
  const auto close = text.find(']');
  if (close == std::string::npos) return text;
  const std::string id = text.substr(0, close + 1);
  const auto colon = text.find(':', close);
  const auto paren = text.find('(', close);
  constexpr std::size_t longest_phrase = 60;
  if (colon == std::string::npos || colon - close > longest_phrase || paren < colon) return id;
  return id + text.substr(close + 1, colon - close - 1);
}

void write_causes(const std::vector<Result>& results) {
  std::map<std::string, std::size_t> cases_by_cause;
  for (const Result& r : results)
    if (r.status == Status::fail) ++cases_by_cause[cause_of(r.detail)];
  if (cases_by_cause.empty()) return;
  std::vector<std::pair<std::string, std::size_t>> causes(cases_by_cause.begin(), cases_by_cause.end());
  std::stable_sort(causes.begin(), causes.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::printf("# failures by cause:\n");
  for (const auto& [cause, count] : causes) std::printf("#   %s: %zu case%s\n", cause.c_str(), count, count == 1 ? "" : "s");
}

// [req:ADAPTER-003] what a process adapter said about itself travels with its results.
constexpr const char* implementation_record = "#implementation";

bool append_results(const std::vector<Result>& results, const std::vector<Implementation>& implementations,
                    const std::string& path) {
  std::ofstream out(path, std::ios::app);
  for (const Implementation& i : implementations)
    out << implementation_record << '\t' << i.column << '\t' << one_line(i.name) << '\t' << one_line(i.version) << '\t'
        << one_line(i.library) << '\n';
  for (const Result& r : results)
    out << r.column << '\t' << r.case_id << '\t' << static_cast<int>(r.status) << '\t' << one_line(r.summary)
        << '\t' << one_line(r.detail) << '\n';
  return static_cast<bool>(out);
}

std::vector<Result> read_results(const std::string& path, std::vector<Implementation>& implementations) {
  std::vector<Result> results;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.size() == 5 && fields[0] == implementation_record) {
      implementations.push_back(Implementation{fields[1], fields[2], fields[3], fields[4]});
      continue;
    }
    if (fields.size() < 4 || fields[2].size() != 1 || fields[2][0] < '0') continue;  // not a line we wrote
    const int status = fields[2][0] - '0';
    if (status > static_cast<int>(Status::not_applicable)) continue;
    results.push_back(Result{fields[0], fields[1], fields[3], static_cast<Status>(status), fields.size() > 4 ? fields[4] : ""});
  }
  return results;
}

bool write_junit(const std::vector<Result>& results, const std::string& path) {
  std::ofstream out(path);
  if (!out) return false;
  std::size_t failures = 0, skipped = 0;
  for (const Result& r : results) {
    failures += unexpected(r.status);
    skipped += r.status == Status::unsupported || r.status == Status::known_deviation || r.status == Status::not_applicable;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"refloop-conformance\" tests=\""
      << results.size() << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\">\n";
  std::set<std::string> columns;
  for (const Result& r : results) columns.insert(r.column);
  for (const std::string& column : columns) {
    out << "  <testsuite name=\"" << xml_escaped(column) << "\">\n";
    for (const Result& r : results) {
      if (r.column != column) continue;
      out << "    <testcase classname=\"" << xml_escaped(column) << "\" name=\"" << xml_escaped(r.case_id) << "\"";
      if (r.status == Status::pass) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      if (unexpected(r.status))
        out << "      <failure message=\"" << status_name(r.status) << "\">" << xml_escaped(r.detail) << "</failure>\n";
      else
        out << "      <skipped message=\"" << status_name(r.status) << ": " << xml_escaped(r.detail) << "\"/>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return static_cast<bool>(out);
}

std::string suite_of(const std::string& case_id) {
  for (const char* prefix : {"IOPAUSE-", "IOCOMPAT-"})
    if (case_id.rfind(prefix, 0) == 0) return "iopause";
  for (const char* prefix : {"TAI-", "TAIN-", "LABEL-", "LEAP-", "CLOCK-", "TAICOMPAT-"})
    if (case_id.rfind(prefix, 0) == 0) return "tai";
  if (case_id.rfind("IVAPI-", 0) == 0) return "ivapi";
  return "loop";
}

namespace {

// One table: the rows and columns that have results in one suite, in first-seen column order.
void write_suite_table(std::ostream& out, const std::vector<Result>& results, const std::string& suite) {
  std::vector<std::string> columns, rows;
  for (const Result& r : results) {
    if (suite_of(r.case_id) != suite) continue;
    if (std::find(columns.begin(), columns.end(), r.column) == columns.end()) columns.push_back(r.column);
    if (std::find(rows.begin(), rows.end(), r.case_id) == rows.end()) rows.push_back(r.case_id);
  }
  std::sort(rows.begin(), rows.end());
  out << "\n## " << suite << " (`conformance/cases/" << suite << "/`): " << rows.size() << " cases x "
      << columns.size() << " columns\n\n| case |";
  for (const std::string& c : columns) out << " " << c << " |";
  out << "\n| --- |";
  for (std::size_t i = 0; i < columns.size(); ++i) out << " --- |";
  out << "\n";
  for (const std::string& row : rows) {
    out << "| " << row << " |";
    for (const std::string& column : columns) {
      const auto cell = std::find_if(results.begin(), results.end(), [&](const Result& r) {
        return r.case_id == row && r.column == column;
      });
      out << " " << (cell == results.end() ? "" : status_name(cell->status)) << " |";
    }
    out << "\n";
  }
}

}  // namespace

bool write_matrix(const std::vector<Result>& results, const std::vector<Implementation>& implementations,
                  const std::string& path) {
  std::ofstream out(path);
  if (!out) return false;
  out << "# refloop conformance matrix\n\nRows: cases (`conformance/cases/<suite>/<ID>.case`, named after the "
         "requirement they prove). Columns: implementation/backend. Cells: PASS, FAIL, UNSUPPORTED, "
         "KNOWN-DEVIATION (listed in `conformance/expectations/`), UNEXPECTED-PASS (listed, but passes), "
         "N/A (the case is about an API the column does not offer, e.g. a C API case on the C++ API).\n";
  for (const char* suite : {"loop", "ivapi", "iopause", "tai"})
    if (std::any_of(results.begin(), results.end(), [&](const Result& r) { return suite_of(r.case_id) == suite; }))
      write_suite_table(out, results, suite);
  std::size_t bad = 0;
  for (const Result& r : results) bad += unexpected(r.status);
  if (!implementations.empty()) out << "\nImplementations (as their adapters named themselves):\n\n";
  for (const Implementation& i : implementations) out << "- `" << i.column << "`: " << identity_text(i) << "\n";
  out << "\n" << results.size() << " results, " << bad << " unexpected.\n";
  return static_cast<bool>(out);
}

}  // namespace refloop::conformance
