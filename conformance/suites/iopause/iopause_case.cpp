// SPDX-License-Identifier: ISC
// Reading iopause case files (conformance/suites/iopause/README.md, "Case files"): one operation per
// line, `# expect:` lines attached to the wait or probe above them, `[req:ID]` citations and the
// summary from the header comment. Every malformed line is an error naming the file and line.
#include "iopause_case.hpp"

#include "case_text.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace refloop::conformance::iopause_suite {
namespace {

struct ErrnoName {
  const char* name;
  int value;
};
constexpr ErrnoName errno_names[] = {{"EINVAL", EINVAL}, {"EBADF", EBADF}, {"EMFILE", EMFILE},
                                     {"EINTR", EINTR},   {"ENOMEM", ENOMEM}, {"EDOM", EDOM},
                                     {"EFAULT", EFAULT}};

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

[[noreturn]] void bad(const std::string& why) { throw std::runtime_error(why); }

// `c0a` -> channel 0, end 0.
EndRef parse_end(const std::string& word) {
  if (word.size() < 3 || word[0] != 'c' || (word.back() != 'a' && word.back() != 'b')) bad("bad end '" + word + "'");
  const std::string digits = word.substr(1, word.size() - 2);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) bad("bad end '" + word + "'");
  return EndRef{static_cast<unsigned>(std::stoul(digits)), word.back() == 'a' ? 0u : 1u};
}

// `read|write`, `pollin|pollpri`, `none`, `0x15`.
short parse_events(const std::string& word) {
  static const std::pair<const char*, short> names[] = {
      {"read", POLLIN | POLLHUP}, {"write", POLLOUT},   {"except", POLLERR | POLLHUP | POLLNVAL},
      {"pollin", POLLIN},         {"pollout", POLLOUT}, {"pollpri", POLLPRI},
      {"pollhup", POLLHUP},       {"none", 0}};
  if (word.rfind("0x", 0) == 0) return static_cast<short>(std::stoi(word, nullptr, 16));
  short events = 0;
  std::istringstream in(word);
  for (std::string part; std::getline(in, part, '|');) {
    const auto* found = std::find_if(std::begin(names), std::end(names), [&](const auto& n) { return part == n.first; });
    if (found == std::end(names)) bad("bad events '" + word + "'");
    events = static_cast<short>(events | found->second);
  }
  return events;
}

// `+3ms`, `-1ms`, `+1400ns`, `+30d`, `+0`: signed nanoseconds.
std::int64_t parse_duration(const std::string& word) {
  if (word.size() < 2 || (word[0] != '+' && word[0] != '-')) bad("bad duration '" + word + "' (needs a sign)");
  const std::size_t used = std::min(word.find_first_not_of("0123456789", 1), word.size()) - 1;  // digits
  if (used == 0 || used > 18) bad("bad duration '" + word + "' (1 to 18 digits after the sign)");
  const std::int64_t number = std::stoll(word.substr(1, used));
  const std::string unit = word.substr(1 + used);
  static const std::pair<const char*, std::int64_t> units[] = {
      {"", 1}, {"ns", 1}, {"us", 1000}, {"ms", 1'000'000}, {"s", 1'000'000'000}, {"d", 86'400'000'000'000}};
  const auto* found = std::find_if(std::begin(units), std::end(units), [&](const auto& u) { return unit == u.first; });
  if (found == std::end(units)) bad("bad duration unit in '" + word + "'");
  std::int64_t magnitude = 0;
  if (__builtin_mul_overflow(number, found->second, &magnitude)) bad("duration '" + word + "' does not fit in 64-bit nanoseconds");
  return word[0] == '-' ? -magnitude : magnitude;
}

EntrySpec parse_entry(const std::vector<std::string>& w) {
  if (w.size() != 3) bad("entry needs a fd and events");
  EntrySpec e;
  e.events = parse_events(w[2]);
  if (w[1] == "-1") e.kind = FdKind::negative;
  else if (w[1] == "unopened") e.kind = FdKind::unopened;
  else if (w[1] == "fill-beyond-rlimit") e.kind = FdKind::fill_beyond_rlimit;
  else if (w[1].rfind("fd=", 0) == 0) e.kind = FdKind::number, e.number = std::stoi(w[1].substr(3));
  else e.end = parse_end(w[1]);
  return e;
}

void parse_wait_options(const std::vector<std::string>& w, Op& op) {
  bool has_deadline = false;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const auto eq = w[i].find('=');
    const std::string key = w[i].substr(0, eq), value = eq == std::string::npos ? "" : w[i].substr(eq + 1);
    if (key == "deadline") {
      has_deadline = true;
      if (value != "none") op.deadline_ns = parse_duration(value);
    } else if (key == "stamp" && value == "null") {
      op.stamp = StampKind::null;
    } else if (key == "stamp") {
      op.stamp = StampKind::stale;
      op.stale_ns = -parse_duration(value);
      if (op.stale_ns < 0) bad("a stamp can only be late (stamp=-2ms)");
    } else {
      bad("bad wait option '" + w[i] + "'");
    }
  }
  if (!has_deadline) bad("a wait needs deadline=<duration>|none");
}

Op parse_op(const std::string& text) {
  const std::vector<std::string> w = words_of(text);
  Op op;
  op.text = text;
  const std::string& verb = w.at(0);
  if (verb == "pipe" || verb == "socketpair") {
    op.kind = verb == "pipe" ? OpKind::pipe : OpKind::socketpair;
  } else if (verb == "write" && w.size() == 3) {
    op.kind = OpKind::write, op.end = parse_end(w[1]), op.count = static_cast<unsigned>(std::stoul(w[2]));
  } else if (verb == "close" && w.size() == 2) {
    op.kind = OpKind::close, op.end = parse_end(w[1]);
  } else if (verb == "entry") {
    op.kind = OpKind::entry, op.entry = parse_entry(w);
  } else if (verb == "clear") {
    op.kind = OpKind::clear;
  } else if (verb == "clock" && w.size() == 2 && w[1] == "real") {
    op.kind = OpKind::clock_real;
  } else if (verb == "script" && (w.size() == 2 || w.size() == 3)) {
    op.kind = OpKind::script;
    op.answer.result = std::stoi(w[1]);
    if (w.size() == 3 && (op.answer.error = errno_from_name(w[2])) == 0) bad("unknown errno " + w[2]);
  } else if (verb == "wait" || verb == "wait-default" || verb == "wait-stamp" || verb == "deepsleep") {
    op.kind = OpKind::wait;
    op.wait = verb == "wait" ? WaitKind::wait : verb == "wait-default" ? WaitKind::wait_default
            : verb == "wait-stamp" ? WaitKind::wait_stamp : WaitKind::deepsleep;
    parse_wait_options(w, op);
    if (op.wait == WaitKind::deepsleep && !op.deadline_ns) bad("deepsleep needs a deadline");
  } else if (verb == "probe" && w.size() == 2) {
    op.kind = OpKind::probe, op.probe = w[1];
  } else {
    bad("unknown operation '" + text + "'");
  }
  return op;
}

void parse_expect_token(const std::string& token, Expectation& e) {
  const auto eq = token.find('=');
  const std::string key = token.substr(0, eq), value = eq == std::string::npos ? "" : token.substr(eq + 1);
  if (key == "deadlock" && eq == std::string::npos) { e.deadlock = true; return; }
  if (eq == std::string::npos) bad("bad expectation '" + token + "'");
  if (key == "result") e.result = std::stoi(value);
  else if (key == "errno") e.error = value;
  else if (key == "clock") e.clock_ns = parse_duration(value);
  else if (key == "stamp") e.stamp = value;
  else if (key == "native") e.native = value;
  else if (key == "calls") e.calls = value;
  else if (key == "exceptfds") e.exceptfds = value == "yes";
  else if (key == "sigmask") e.sigmask = value == "yes";
  else if (key == "answer") e.answer = value;
  else if (key == "timeout") e.timeout = value == "none" || value == "max" ? value : std::to_string(parse_duration("+" + value));
  else if (key == "revents") {
    std::vector<short> list;
    std::istringstream in(value);
    for (std::string part; std::getline(in, part, ',');) list.push_back(static_cast<short>(std::stoi(part, nullptr, 0)));
    e.revents = list;
  } else bad("bad expectation '" + token + "'");
  if (key == "errno" && value != "unchanged" && errno_from_name(value) == 0) bad("unknown errno " + value);
}

// `# expect: ...` or `# expect[select,poll]: ...`
Expectation parse_expect(const std::string& comment) {
  Expectation e;
  std::string rest = comment.substr(std::string("# expect").size());
  if (!rest.empty() && rest[0] == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos) bad("bad expect[...]");
    std::istringstream in(rest.substr(1, close - 1));
    for (std::string b; std::getline(in, b, ',');) e.backends.push_back(b);
    rest = rest.substr(close + 1);
  }
  if (rest.empty() || rest[0] != ':') bad("bad expect line");
  for (const std::string& token : words_of(rest.substr(1))) parse_expect_token(token, e);
  return e;
}


}  // namespace

Expected<Case, CaseError> load_case(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected{CaseError{path, 0, "cannot read"}};
  return parse_case(in, path);
}

// The line parsers below throw std::runtime_error with the reason; the error leaves here as the
// suites' one CaseError.
Expected<Case, CaseError> parse_case(std::istream& in, const std::string& path) {
  Case c;
  c.id = case_id_of(path);
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
    try {
      if (line.rfind("# expect", 0) == 0) {
        if (c.ops.empty() || (c.ops.back().kind != OpKind::wait && c.ops.back().kind != OpKind::probe))
          bad("an expectation must follow a wait or a probe");
        c.ops.back().expect.push_back(parse_expect(line));
        c.ops.back().expect.back().line = number;
      } else if (line[0] == '#') {
        if (c.summary.empty()) c.summary = trimmed(line.substr(1));
        collect_citations(line, c.requirements);
      } else {
        c.ops.push_back(parse_op(line));
        c.ops.back().line = number;
      }
    } catch (const std::exception& e) {
      return Unexpected{CaseError{path, number, e.what()}};
    }
  }
  if (c.ops.empty()) return Unexpected{CaseError{path, 0, "no operations"}};
  return c;
}

int errno_from_name(const std::string& name) {
  for (const ErrnoName& e : errno_names)
    if (name == e.name) return e.value;
  return 0;
}

std::string errno_name(int error) {
  for (const ErrnoName& e : errno_names)
    if (error == e.value) return e.name;
  return std::to_string(error);
}

bool applies(const Expectation& expect, const std::string& backend, const std::string& implementation,
             const std::string& column) {
  if (expect.backends.empty()) return true;
  return std::any_of(expect.backends.begin(), expect.backends.end(), [&](const std::string& b) {
    return b == backend || b == implementation || b == column;
  });
}

}  // namespace refloop::conformance::iopause_suite
