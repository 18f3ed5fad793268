// SPDX-License-Identifier: ISC
// Reading case files: each line goes through the model's own parser (so the vocabulary has one
// grammar, MODEL-001), and the runner's comment lines (`# expect:`) and requirement citations are
// picked out here. See case_file.hpp for the format.
#include "case_file.hpp"

#include <fstream>
#include <sstream>

#include "loop/ops_text.hpp"

namespace refloop::conformance {
namespace {

using model::loop::Band;
using model::loop::Code;
using model::loop::Kind;

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// `t3`, `k0`, `c1b.err`
std::optional<Event> parse_event(const std::string& word) {
  auto digit = [&](std::size_t at, char top) { return at < word.size() && word[at] >= '0' && word[at] <= top; };
  if (word.size() == 2 && (word[0] == 't' || word[0] == 'k') && digit(1, '7')) {
    const Kind kind = word[0] == 't' ? Kind::timer : Kind::task;
    return Event{Ref{kind, static_cast<std::uint8_t>(word[1] - '0')}, Band::in, 0};
  }
  if (word.size() < 5 || word[0] != 'c' || !digit(1, '3') || (word[2] != 'a' && word[2] != 'b') || word[3] != '.')
    return std::nullopt;
  const std::string band = word.substr(4);
  if (band != "err" && band != "in" && band != "out") return std::nullopt;
  const int end = 2 * (word[1] - '0') + (word[2] == 'b' ? 1 : 0);
  return Event{Ref{Kind::fd, static_cast<std::uint8_t>(end)}, band == "err" ? Band::err : band == "in" ? Band::in : Band::out, 0};
}

// Every `[req:AREA-NNN]` in a line.
void collect_citations(const std::string& text, std::vector<std::string>& into) {
  for (std::size_t at = text.find("[req:"); at != std::string::npos; at = text.find("[req:", at + 1)) {
    const std::size_t close = text.find(']', at);
    if (close == std::string::npos) return;
    const std::string id = text.substr(at + 5, close - at - 5);
    const std::size_t dash = id.find('-');
    const bool well_formed = dash != std::string::npos && dash > 0 && id.size() == dash + 4 &&
                             id.find_first_not_of("0123456789", dash + 1) == std::string::npos &&
                             id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == dash;
    if (well_formed) into.push_back(id);
  }
}

std::optional<Outcome> parse_outcome(const std::string& word) {
  for (Outcome o : {Outcome::polled, Outcome::quit, Outcome::empty, Outcome::deadlock})
    if (word == describe_outcome(o)) return o;
  return std::nullopt;
}

// The text after `# expect:`.
Expected<Expectation, std::string> parse_expectation(const std::string& text, std::size_t line) {
  Expectation expect;
  expect.line = line;
  const auto arrow = text.find("->");
  if (arrow == std::string::npos) return Unexpected(std::string("expect: missing '-> outcome'"));
  std::istringstream events(text.substr(0, arrow));
  for (std::string word; events >> word;) {
    const auto event = parse_event(word);
    if (!event) return Unexpected("expect: not a callback: '" + word + "' (t0, k0, c0a.in)");
    expect.events.push_back(*event);
  }
  std::istringstream rest(text.substr(arrow + 2));
  std::string word;
  rest >> word;
  const auto outcome = parse_outcome(word);
  if (!outcome) return Unexpected("expect: not an outcome: '" + word + "' (polled, quit, empty, deadlock)");
  expect.outcome = *outcome;
  if (rest >> word) {
    std::string amount;
    if (word != "clock" || !(rest >> amount) || amount.size() < 2 || amount[0] != '+' ||
        amount.find_first_not_of("0123456789", 1) != std::string::npos)
      return Unexpected(std::string("expect: after the outcome only 'clock +N' (ns) may follow"));
    expect.clock_ns = std::stoull(amount.substr(1));
  }
  return expect;
}

std::string stem_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind(".case");
  return dot == std::string::npos ? name : name.substr(0, dot);
}

}  // namespace

Expected<Case, std::string> load_case(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected(path + ": cannot open");
  Case c;
  c.id = stem_of(path);
  std::string raw;
  for (std::size_t line = 1; std::getline(in, raw); ++line) {
    const std::string text = trim(raw);
    const std::string where = path + ":" + std::to_string(line) + ": ";
    collect_citations(text, c.requirements);
    if (text.rfind("#", 0) == 0) {
      const std::string comment = trim(text.substr(1));
      if (comment.rfind("expect:", 0) == 0) {
        if (c.steps.empty() || (c.steps.back().op.code != Code::run && c.steps.back().op.code != Code::run_nowait))
          return Unexpected(where + "an expect line must follow a run");
        auto expect = parse_expectation(comment.substr(7), line);
        if (!expect) return Unexpected(where + expect.error());
        c.steps.back().expect = *expect;
      } else if (c.summary.empty() && c.steps.empty()) {
        c.summary = comment;
      }
      continue;
    }
    const auto ops = model::loop::parse_ops(raw);
    if (!ops) return Unexpected(where + ops.error().message);
    for (const Op& op : *ops) c.steps.push_back(Step{line, op, std::nullopt});
  }
  if (c.requirements.empty()) return Unexpected(path + ": the header cites no requirement ([req:ID])");
  return c;
}

std::optional<std::string> check_expectation(const Expectation& expect, const RunRecord& run) {
  auto show = [](const std::vector<Event>& events) {
    std::string s;
    for (const Event& e : events) {
      s += (s.empty() ? "" : " ") + model::loop::format_ref(e.object);
      if (e.object.kind == Kind::fd) s += e.band == Band::err ? ".err" : e.band == Band::in ? ".in" : ".out";
    }
    return s.empty() ? std::string("no callbacks") : s;
  };
  bool same = run.events.size() == expect.events.size();
  for (std::size_t i = 0; same && i < run.events.size(); ++i)
    same = run.events[i].object == expect.events[i].object &&
           (run.events[i].object.kind != Kind::fd || run.events[i].band == expect.events[i].band);
  if (!same) return "expected callbacks " + show(expect.events) + ", saw " + show(run.events);
  if (run.outcome != expect.outcome)
    return "expected outcome " + describe_outcome(expect.outcome) + ", saw " + describe_outcome(run.outcome);
  if (expect.clock_ns) {
    const tain since = run.clock - tain_epoch;
    const std::uint64_t ns = since.sec() * 1'000'000'000ull + since.nano();
    if (ns != *expect.clock_ns)
      return "expected the clock at +" + std::to_string(*expect.clock_ns) + " ns, saw +" + std::to_string(ns);
  }
  return std::nullopt;
}

}  // namespace refloop::conformance
