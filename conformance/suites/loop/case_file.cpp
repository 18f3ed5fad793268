// SPDX-License-Identifier: ISC
// Reading case files: each line goes through the model's own parser (so the vocabulary has one
// grammar, MODEL-001), and the runner's comment lines (`# expect:`) and requirement citations are
// picked out here. See case_file.hpp for the format.
#include "case_file.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "case_text.hpp"
#include "loop/ops_text.hpp"

namespace refloop::conformance::loop_suite {
namespace {

using model::loop::Band;
using model::loop::Code;
using model::loop::Kind;


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
  if (arrow == std::string::npos) return Unexpected{std::string("expect: missing '-> outcome'")};
  std::istringstream events(text.substr(0, arrow));
  for (std::string word; events >> word;) {
    const auto event = parse_event(word);
    if (!event) return Unexpected{"expect: not a callback: '" + word + "' (t0, k0, c0a.in)"};
    expect.events.push_back(*event);
  }
  std::istringstream rest(text.substr(arrow + 2));
  std::string word;
  rest >> word;
  const auto outcome = parse_outcome(word);
  if (!outcome) return Unexpected{"expect: not an outcome: '" + word + "' (polled, quit, empty, deadlock)"};
  expect.outcome = *outcome;
  if (rest >> word) {
    std::string amount;
    if (word != "clock" || !(rest >> amount) || amount.size() < 2 || amount[0] != '+' ||
        amount.find_first_not_of("0123456789", 1) != std::string::npos)
      return Unexpected{std::string("expect: after the outcome only 'clock +N' (ns) may follow")};
    std::uint64_t ns = 0;
    const auto [end, error] = std::from_chars(amount.data() + 1, amount.data() + amount.size(), ns);
    if (error != std::errc() || end != amount.data() + amount.size())
      return Unexpected{"expect: clock " + amount + " does not fit in 64 bits of nanoseconds"};
    expect.clock_ns = ns;
  }
  return expect;
}

// `\n` in an expected text is a newline (a message on stderr ends with one).
std::string unescaped(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// `fatal [later] [stderr] "a" | "b" [; BACKEND = none ...]`
Expected<FatalExpectation, std::string> parse_fatal(const std::string& text, std::size_t line) {
  FatalExpectation fatal;
  fatal.line = line;
  std::istringstream words(text);
  std::string word;
  words >> word;  // "fatal"
  std::string rest;
  std::getline(words >> std::ws, rest);
  for (bool more = true; more;) {
    more = false;
    for (auto [flag, field] : {std::pair{"later", &fatal.later}, std::pair{"stderr", &fatal.on_stderr}})
      if (rest.rfind(flag, 0) == 0) {
        *field = true;
        rest = trimmed(rest.substr(std::string(flag).size()));
        more = true;
      }
  }
  const auto last_quote = rest.rfind('"');
  const auto semicolon = rest.find(';', last_quote == std::string::npos ? 0 : last_quote);
  if (semicolon != std::string::npos) {
    std::istringstream parts(rest.substr(semicolon + 1));
    for (std::string part; std::getline(parts, part, ';');) {
      const auto equals = part.find('=');
      const std::string name = trimmed(part.substr(0, equals));
      if (equals == std::string::npos || name.empty() || trimmed(part.substr(equals + 1)) != "none")
        return Unexpected{"expect: '" + trimmed(part) + "' is not 'BACKEND = none'"};
      fatal.not_on.push_back(name);
    }
    rest = trimmed(rest.substr(0, semicolon));
  }
  while (!rest.empty()) {
    const auto close = rest.size() > 1 && rest[0] == '"' ? rest.find('"', 1) : std::string::npos;
    if (close == std::string::npos) return Unexpected{std::string("expect: fatal takes quoted texts: fatal \"a\" | \"b\"")};
    fatal.any_of.push_back(unescaped(rest.substr(1, close - 1)));
    rest = trimmed(rest.substr(close + 1));
    if (rest.rfind('|', 0) == 0) rest = trimmed(rest.substr(1));
  }
  if (fatal.any_of.empty()) return Unexpected{std::string("expect: fatal needs at least one quoted text")};
  return fatal;
}

// `= VALUE; BACKEND = VALUE; ...`
Expected<ResultExpectation, std::string> parse_result(const std::string& text) {
  ResultExpectation result;
  std::istringstream parts(text);
  bool first = true;
  for (std::string part; std::getline(parts, part, ';'); first = false) {
    part = trimmed(part);
    const auto equals = part.find('=');
    if (equals == std::string::npos) return Unexpected{"expect: '" + part + "' is not 'BACKEND = VALUE'"};
    const std::string name = trimmed(part.substr(0, equals)), value = trimmed(part.substr(equals + 1));
    if (first != name.empty()) return Unexpected{std::string("expect: write '= VALUE' first, then 'BACKEND = VALUE'")};
    if (first) result.value = value;
    else result.per_backend.emplace_back(name, value);
  }
  return result;
}

// Attaches the text after `# expect:` to the step it follows.
std::optional<std::string> attach_expectation(Step& step, const std::string& text, std::size_t line) {
  const bool is_run = !step.probe && (step.op.code == Code::run || step.op.code == Code::run_nowait);
  if (text.rfind("fatal", 0) == 0) {
    auto fatal = parse_fatal(text, line);
    if (!fatal) return fatal.error();
    step.fatal = *fatal;
  } else if (step.probe && text.rfind("=", 0) == 0) {
    auto result = parse_result(text);
    if (!result) return result.error();
    step.result = *result;
  } else if (is_run) {
    auto expect = parse_expectation(text, line);
    if (!expect) return expect.error();
    step.expect = *expect;
  } else {
    return std::string("an expect line after this step must be 'fatal ...' (or '= ...' after a probe)");
  }
  return std::nullopt;
}

// `# expect[ILP32]: ...` after a step's `# expect:` line: the expectation where int, long and
// pointers are 32 bits (IVAPI-002's ILP32 sizes), which replaces the line above in a runner
// built for such a target and is only parsed elsewhere. The runner and the adapter it asks are
// one build, so the runner's own data model is the adapter's.
const std::string ilp32_expect = "expect[ILP32]:";
constexpr bool built_ilp32 = sizeof(int) == 4 && sizeof(long) == 4 && sizeof(void*) == 4;

std::optional<std::string> replace_where_ilp32(Step& step, const std::string& text, std::size_t line) {
  if (!step.expect && !step.result && !step.fatal) return std::string("an expect[ILP32] line must follow an expect line");
  Step ilp32 = step;
  if (auto problem = attach_expectation(ilp32, text, line)) return problem;
  if (built_ilp32) step = ilp32;
  return std::nullopt;
}

}  // namespace

// A `!` line: the probe's name and its text; the target goes through the vocabulary's grammar.
Expected<Probe, std::string> parse_probe(const std::string& text) {
  std::istringstream words(text.substr(1));
  Probe probe;
  words >> probe.name;
  std::getline(words >> std::ws, probe.text);
  probe.text = trimmed(probe.text);
  if (std::find(std::begin(probe_names), std::end(probe_names), probe.name) == std::end(probe_names) &&
      !is_ivykis_probe(probe.name))
    return Unexpected{"unknown probe '" + probe.name + "' (conformance/README.md lists them)"};
  const bool takes_target = !(probe.name == "fatal" || probe.name == "default-fatal-handler" ||
                              probe.name == "backend-name" || (is_ivykis_probe(probe.name) && probe.name != "register-bad-expiry"));
  if (!takes_target) return probe;
  if (probe.text.empty()) return Unexpected{"probe " + probe.name + " needs a target (c0a, t0, k0)"};
  const bool banded = probe.name == "set-handler";
  const auto ops = model::loop::parse_ops((banded ? "set " : "unreg ") + probe.text);
  if (!ops || ops->size() != 1) return Unexpected{"probe " + probe.name + ": bad target '" + probe.text + "'"};
  probe.op = ops->front();
  return probe;
}

Expected<Case, CaseError> load_case(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected{CaseError{path, 0, "cannot open"}};
  return parse_case(in, path);
}

Expected<Case, CaseError> parse_case(std::istream& in, const std::string& path) {
  Case c;
  c.id = case_id_of(path);
  std::string raw;
  for (std::size_t line = 1; std::getline(in, raw); ++line) {
    const std::string text = trimmed(raw);
    collect_citations(text, c.requirements);
    if (text.rfind("#", 0) == 0) {
      const std::string comment = trimmed(text.substr(1));
      if (comment.rfind("expect:", 0) == 0) {
        if (c.steps.empty()) return Unexpected{CaseError{path, line, "an expect line must follow a step"}};
        if (auto problem = attach_expectation(c.steps.back(), trimmed(comment.substr(7)), line))
          return Unexpected{CaseError{path, line, *problem}};
      } else if (comment.rfind(ilp32_expect, 0) == 0) {
        if (c.steps.empty()) return Unexpected{CaseError{path, line, "an expect[ILP32] line must follow an expect line"}};
        if (auto problem = replace_where_ilp32(c.steps.back(), trimmed(comment.substr(ilp32_expect.size())), line))
          return Unexpected{CaseError{path, line, *problem}};
      } else if (c.summary.empty() && c.steps.empty()) {
        c.summary = comment;
      }
      continue;
    }
    if (text.rfind("!", 0) == 0) {
      auto probe = parse_probe(text);
      if (!probe) return Unexpected{CaseError{path, line, probe.error()}};
      c.steps.push_back(Step{line, Op{}, *probe, std::nullopt, std::nullopt, std::nullopt});
      continue;
    }
    const auto ops = model::loop::parse_ops(raw);
    if (!ops) return Unexpected{CaseError{path, line, ops.error().message}};
    for (const Op& op : *ops) c.steps.push_back(Step{line, op, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  }
  if (c.requirements.empty()) return Unexpected{CaseError{path, 0, "the header cites no requirement ([req:ID])"}};
  return c;
}

bool fatal_message_matches(const FatalExpectation& expect, const std::string& message) {
  return std::any_of(expect.any_of.begin(), expect.any_of.end(),
                     [&](const std::string& text) { return message.find(text) != std::string::npos; });
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

}  // namespace refloop::conformance::loop_suite
