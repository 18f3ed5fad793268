// SPDX-License-Identifier: ISC
// Parser and printer of the operation text form (spec/model.md, MODEL-001). The parser is a
// fuzz target (fuzz/loop_ops_parse.cpp): every input gives a sequence or an error naming the
// line, numbers are bounded before they are converted, and printing is canonical.
#include "loop/ops_text.hpp"

#include <charconv>
#include <optional>

namespace refloop::model::loop {

namespace {

using Result = Expected<Op, std::string>;

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::string quoted(std::string_view word) { return "'" + std::string(word) + "'"; }

// A decimal number without sign, at most `limit`.
std::optional<std::uint64_t> number(std::string_view word, std::uint64_t limit) {
  if (word.empty() || word.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc() || end != word.data() + word.size() || value > limit) return std::nullopt;
  return value;
}

// c<channel><a|b>, t<n>, k<n>, self.
std::optional<Ref> ref(std::string_view word) {
  if (word == "self") return Ref{Kind::self, 0};
  if (word.size() == 3 && word[0] == 'c' && word[1] >= '0' && word[1] < '0' + max_channels &&
      (word[2] == 'a' || word[2] == 'b'))
    return Ref{Kind::fd, static_cast<std::uint8_t>(2 * (word[1] - '0') + (word[2] - 'a'))};
  if (word.size() == 2 && word[0] == 't' && word[1] >= '0' && word[1] < '0' + max_timers)
    return Ref{Kind::timer, static_cast<std::uint8_t>(word[1] - '0')};
  if (word.size() == 2 && word[0] == 'k' && word[1] >= '0' && word[1] < '0' + max_tasks)
    return Ref{Kind::task, static_cast<std::uint8_t>(word[1] - '0')};
  return std::nullopt;
}

std::optional<int> script_id(std::string_view word) {
  if (word.size() == 2 && word[0] == 's' && word[1] >= '0' && word[1] < '0' + max_scripts)
    return word[1] - '0';
  return std::nullopt;
}

std::optional<Band> band(std::string_view word) {
  if (word == "in") return Band::in;
  if (word == "out") return Band::out;
  if (word == "err") return Band::err;
  return std::nullopt;
}

Result fail(std::string message) { return Unexpected<std::string>{std::move(message)}; }

Result bytes_op(Code code, const std::vector<std::string_view>& w) {
  if (w.size() != 3) return fail(std::string(w[0]) + " takes an end and a byte count");
  const auto target = ref(w[1]);
  if (!target || (target->kind != Kind::fd && target->kind != Kind::self)) return fail("not a channel end: " + quoted(w[1]));
  const auto count = number(w[2], max_bytes);
  if (!count) return fail("byte count must be 0.." + std::to_string(max_bytes) + ": " + quoted(w[2]));
  return Op{code, *target, Band::in, -1, static_cast<std::int64_t>(*count), {}};
}

Result reg_op(const std::vector<std::string_view>& w) {
  if (w.size() < 2) return fail("reg takes an object");
  const auto target = ref(w[1]);
  if (!target) return fail("not an object: " + quoted(w[1]));
  if (target->kind != Kind::timer || w.size() == 2) {
    if (w.size() != 2) return fail("reg of an fd or task takes no delay");
    return Op{Code::reg, *target, Band::in, -1, 0, {}};
  }
  if (w.size() != 3 || w[2].size() < 2 || (w[2][0] != '+' && w[2][0] != '-'))
    return fail("reg of a timer takes a signed delay in ns, e.g. +5");
  const auto delay = number(w[2].substr(1), max_nanoseconds);
  if (!delay) return fail("timer delay out of range: " + quoted(w[2]));
  const auto magnitude = static_cast<std::int64_t>(*delay);
  return Op{Code::reg, *target, Band::in, -1, w[2][0] == '-' ? -magnitude : magnitude, {}};
}

Result set_op(const std::vector<std::string_view>& w) {
  if (w.size() != 3) return fail("set takes a target and a script");
  const auto dot = w[1].find('.');
  const auto target = ref(w[1].substr(0, dot));
  if (!target) return fail("not an object: " + quoted(w[1]));
  const bool is_fd = dot != std::string_view::npos;
  if (target->kind != Kind::self && is_fd != (target->kind == Kind::fd))
    return fail("an fd handler is set as c0a.in, a timer or task as t0");
  const auto which = is_fd ? band(w[1].substr(dot + 1)) : std::optional<Band>(Band::in);
  if (!which) return fail("not a band (in, out, err): " + quoted(w[1]));
  if (is_fd && w[2] == "-") return Op{Code::set, *target, *which, -1, 0, {}, true};
  const auto script = script_id(w[2]);
  if (!script) return fail("not a script: " + quoted(w[2]));
  return Op{Code::set, *target, *which, *script, 0, {}, is_fd};
}

Result simple_target_op(Code code, const std::vector<std::string_view>& w, bool fd_only, bool task_only) {
  if (w.size() != 2) return fail(std::string(w[0]) + " takes one object");
  const auto target = ref(w[1]);
  const bool self = target && target->kind == Kind::self;
  if (!target || (!self && fd_only && target->kind != Kind::fd) || (!self && task_only && target->kind != Kind::task))
    return fail("wrong object for " + std::string(w[0]) + ": " + quoted(w[1]));
  return Op{code, *target, Band::in, -1, 0, {}};
}

Result no_argument_op(Code code, const std::vector<std::string_view>& w) {
  if (w.size() != 1) return fail(std::string(w[0]) + " takes no argument");
  return Op{code, {}, Band::in, -1, 0, {}};
}

Result plain_op(std::string_view text) {
  const auto w = words(text);
  if (w.empty()) return fail("empty operation");
  const auto& verb = w[0];
  if (verb == "pipe") return no_argument_op(Code::pipe, w);
  if (verb == "socketpair") return no_argument_op(Code::socketpair, w);
  if (verb == "quit") return no_argument_op(Code::quit, w);
  if (verb == "write") return bytes_op(Code::write, w);
  if (verb == "read") return bytes_op(Code::read, w);
  if (verb == "close") return simple_target_op(Code::close, w, true, false);
  if (verb == "unreg") return simple_target_op(Code::unreg, w, false, false);
  if (verb == "stamp") return simple_target_op(Code::stamp, w, false, true);
  if (verb == "reg") return reg_op(w);
  if (verb == "set") return set_op(w);
  if (verb == "run" && w.size() == 1) return Op{Code::run, {}, Band::in, -1, 0, {}};
  if (verb == "run" && w.size() == 2 && w[1] == "nowait") return Op{Code::run_nowait, {}, Band::in, -1, 0, {}};
  if (verb == "run") return fail("run takes nothing or 'nowait'");
  if (verb == "advance") {
    const auto by = w.size() == 2 ? number(w[1], max_nanoseconds) : std::nullopt;
    if (!by) return fail("advance takes a count of ns, 0.." + std::to_string(max_nanoseconds));
    return Op{Code::advance, {}, Band::in, -1, static_cast<std::int64_t>(*by), {}};
  }
  return fail("unknown operation " + quoted(verb));
}

// script s1: action, action, ...
Result script_op(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return fail("a script is written 'script s1: action, ...'");
  const auto head = words(text.substr(0, colon));
  const auto id = head.size() == 2 ? script_id(head[1]) : std::nullopt;
  if (!id) return fail("a script is written 'script s1: action, ...'");
  Op op{Code::script, {}, Band::in, *id, 0, {}};
  const auto body = text.substr(colon + 1);
  if (words(body).empty()) return op;
  for (auto part : split(body, ',')) {
    auto action = plain_op(part);
    if (!action) return action;
    if (!allowed_in_script(action->code)) return fail("not allowed in a script: " + quoted(words(part)[0]));
    if (op.body.size() == max_script_length)
      return fail("a script has at most " + std::to_string(max_script_length) + " actions");
    op.body.push_back(*action);
  }
  return op;
}

std::string_view band_name(Band b) {
  switch (b) {
    case Band::err: return "err";
    case Band::in: return "in";
    case Band::out: return "out";
  }
  return "?";
}

}  // namespace

Expected<std::vector<Op>, ParseError> parse_ops(std::string_view text) {
  std::vector<Op> ops;
  std::size_t number_of_line = 0;
  for (auto line : split(text, '\n')) {
    ++number_of_line;
    line = line.substr(0, line.find('#'));
    const auto w = words(line);
    if (w.empty()) continue;
    auto op = w[0] == "script" ? script_op(line) : plain_op(line);
    if (op && op->target.kind == Kind::self) op = fail("'self' is only meaningful in a script");
    if (!op) return Unexpected<ParseError>{ParseError{number_of_line, op.error()}};
    ops.push_back(*op);
  }
  return ops;
}

std::string format_ref(const Ref& r) {
  switch (r.kind) {
    case Kind::fd:
      return "c" + std::to_string(channel_of(r.index)) + static_cast<char>('a' + side_of(r.index));
    case Kind::timer: return "t" + std::to_string(r.index);
    case Kind::task: return "k" + std::to_string(r.index);
    case Kind::self: return "self";
  }
  return "?";
}

std::string format_op(const Op& op) {
  const std::string target = format_ref(op.target);
  const std::string amount = std::to_string(op.amount);
  switch (op.code) {
    case Code::pipe: return "pipe";
    case Code::socketpair: return "socketpair";
    case Code::write: return "write " + target + " " + amount;
    case Code::read: return "read " + target + " " + amount;
    case Code::close: return "close " + target;
    case Code::reg:
      if (op.target.kind != Kind::timer) return "reg " + target;
      return "reg " + target + (op.amount < 0 ? " -" + std::to_string(-op.amount) : " +" + amount);
    case Code::unreg: return "unreg " + target;
    case Code::set: {
      const std::string script = op.handler < 0 ? "-" : "s" + std::to_string(op.handler);
      if (!op.banded) return "set " + target + " " + script;
      return "set " + target + "." + std::string(band_name(op.band)) + " " + script;
    }
    case Code::stamp: return "stamp " + target;
    case Code::advance: return "advance " + amount;
    case Code::run: return "run";
    case Code::run_nowait: return "run nowait";
    case Code::quit: return "quit";
    case Code::script: {
      std::string text = "script s" + std::to_string(op.handler) + ":";
      for (std::size_t i = 0; i < op.body.size(); ++i) text += (i ? ", " : " ") + format_op(op.body[i]);
      return text;
    }
  }
  return "?";
}

std::string format_ops(const std::vector<Op>& ops) {
  std::string text;
  for (const auto& op : ops) text += format_op(op) + "\n";
  return text;
}

}  // namespace refloop::model::loop
