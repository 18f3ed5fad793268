// SPDX-License-Identifier: ISC
// Reading the tai suite's case files and comparing results (conformance/suites/tai/README.md has the
// grammar). Every operation line must be followed by exactly one `# expect:` line, so a case
// always says what it proves; the header cites the requirement as [req:ID].
#include "tai_case.hpp"

#include "case_text.hpp"

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>

namespace refloop::conformance::tai_suite {
namespace {


int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a "quoted" token with the escapes \\ \" \xHH; `at` is on the opening quote.
bool read_quoted(const std::string& line, std::size_t& at, std::string& out) {
  for (++at; at < line.size(); ++at) {
    const char c = line[at];
    if (c == '"') {
      ++at;
      return true;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++at == line.size()) return false;
    if (line[at] == '\\' || line[at] == '"') {
      out += line[at];
    } else if (line[at] == 'x' && at + 2 < line.size() && hex_digit(line[at + 1]) >= 0 && hex_digit(line[at + 2]) >= 0) {
      out += static_cast<char>(hex_digit(line[at + 1]) * 16 + hex_digit(line[at + 2]));
      at += 2;
    } else {
      return false;
    }
  }
  return false;
}

// Splits on blanks; a token that starts with '"' is a quoted string (kept with a leading '"'
// marker so "123" stays text).
bool tokenize(const std::string& line, std::vector<std::string>& tokens) {
  for (std::size_t at = 0; at < line.size();) {
    if (line[at] == ' ' || line[at] == '\t') {
      ++at;
    } else if (line[at] == '"') {
      std::string text = "\"";
      if (!read_quoted(line, at, text)) return false;
      tokens.push_back(text);
    } else {
      const std::size_t end = line.find_first_of(" \t", at);
      tokens.push_back(line.substr(at, end == std::string::npos ? std::string::npos : end - at));
      at = end == std::string::npos ? line.size() : end;
    }
  }
  return true;
}

// Decimal or 0x-hex, optionally negative; the result is taken modulo 2^64.
std::optional<std::uint64_t> parse_number(const std::string& word) {
  const bool negative = !word.empty() && word[0] == '-';
  std::string digits = negative ? word.substr(1) : word;
  const bool hex = digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
  if (hex) digits = digits.substr(2);
  if (digits.empty() || digits.size() > (hex ? 16 : 20)) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    const int d = hex_digit(c);
    if (d < 0 || (!hex && d > 9)) return std::nullopt;
    const std::uint64_t next = value * (hex ? 16 : 10) + static_cast<std::uint64_t>(d);
    if (!hex && (next - static_cast<std::uint64_t>(d)) / 10 != value) return std::nullopt;  // overflow
    value = next;
  }
  return negative ? std::uint64_t{0} - value : value;
}

// Hex bytes; '_' may separate groups for readability, '-' alone is no bytes.
std::optional<std::vector<std::uint8_t>> parse_bytes(const std::string& word) {
  std::vector<std::uint8_t> bytes;
  if (word == "-") return bytes;
  std::string digits;
  for (char c : word)
    if (c != '_') digits += c;
  if (digits.size() % 2 != 0) return std::nullopt;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    const int hi = hex_digit(digits[i]), lo = hex_digit(digits[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return bytes;
}

// "YYYY-MM-DD" and "HH:MM:SS[.fraction]" (fraction: 1 to 9 digits, in nanoseconds).
bool parse_civil(const std::string& date, const std::string& time, CivilTime& t) {
  long long year = 0;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(date.c_str(), "%lld-%d-%d%n", &year, &month, &day, &used) != 3 || used != static_cast<int>(date.size()))
    return false;
  if (std::sscanf(time.c_str(), "%d:%d:%d%n", &hour, &minute, &second, &used) != 3) return false;
  std::uint32_t nano = 0;
  const std::string fraction = time.substr(static_cast<std::size_t>(used));
  if (!fraction.empty()) {
    if (fraction[0] != '.' || fraction.size() < 2 || fraction.size() > 10) return false;
    for (std::size_t i = 1; i < 10; ++i) {
      const char c = i < fraction.size() ? fraction[i] : '0';
      if (c < '0' || c > '9') return false;
      nano = nano * 10 + static_cast<std::uint32_t>(c - '0');
    }
  }
  t = CivilTime{year, month, day, hour, minute, second, nano};
  return true;
}

const std::map<std::string, Verb>& verbs() {
  static const std::map<std::string, Verb> table{
      {"pack", Verb::pack}, {"unpack", Verb::unpack}, {"fmt", Verb::fmt}, {"scan", Verb::scan},
      {"tai_from_utc", Verb::tai_from_utc}, {"utc_from_tai", Verb::utc_from_tai},
      {"utc_time", Verb::utc_time}, {"from_utc_time", Verb::from_utc_time},
      {"from_timespec", Verb::from_timespec}, {"from_timespec_relative", Verb::from_timespec_relative},
      {"from_timeval", Verb::from_timeval}, {"from_timeval_relative", Verb::from_timeval_relative},
      {"to_timespec", Verb::to_timespec}, {"to_timespec_relative", Verb::to_timespec_relative},
      {"to_timeval", Verb::to_timeval}, {"to_timeval_relative", Verb::to_timeval_relative},
      {"to_ms", Verb::to_ms}, {"from_ms", Verb::from_ms}};
  return table;
}

const std::map<std::string, Form>& forms() {
  static const std::map<std::string, Form> table{
      {"tai64", Form::tai64}, {"tai64n", Form::tai64n}, {"tai64na", Form::tai64na},
      {"timestamp", Form::timestamp}, {"tai64-little", Form::tai64_little},
      {"tai64n-little", Form::tai64n_little}};
  return table;
}

// How many numbers a pack / fmt of `form` takes: the label, then nano, then atto.
std::size_t fields_of(Form form) {
  switch (form) {
    case Form::tai64: case Form::tai64_little: return 1;
    case Form::tai64na: return 3;
    default: return 2;
  }
}

// The number of numeric arguments of the verbs that take only numbers.
std::size_t arity(Verb verb) {
  switch (verb) {
    case Verb::tai_from_utc: case Verb::utc_from_tai: case Verb::from_ms: return 1;
    default: return 2;
  }
}

std::optional<std::string> parse_form_op(const std::vector<std::string>& words, Op& op) {
  if (words.size() < 2 || !forms().count(words[1])) return "expected a form (tai64, tai64n, tai64na, timestamp, tai64-little, tai64n-little)";
  op.form = forms().at(words[1]);
  const bool text_form = op.form == Form::timestamp;
  if (op.verb == Verb::pack || op.verb == Verb::fmt) {
    const bool text_ok = op.form == Form::tai64n || op.form == Form::timestamp || op.form == Form::tai64na;
    if (op.verb == Verb::pack ? text_form : !text_ok) return "this form cannot be used with " + words[0];
    if (words.size() != 2 + fields_of(op.form)) return "expected " + std::to_string(fields_of(op.form)) + " numbers";
    for (std::size_t i = 2; i < words.size(); ++i) {
      const auto n = parse_number(words[i]);
      if (!n) return "not a number: " + words[i];
      op.numbers.push_back(*n);
    }
    return std::nullopt;
  }
  if (words.size() != 3) return "expected one input after the form";
  if (op.verb == Verb::unpack) {
    if (text_form) return "timestamp is a text form: use scan";
    const auto bytes = parse_bytes(words[2]);
    if (!bytes) return "not hex bytes: " + words[2];
    op.bytes = *bytes;
    return std::nullopt;
  }
  if (op.form != Form::tai64n && op.form != Form::timestamp && op.form != Form::tai64na) return "scan takes tai64n, timestamp or tai64na";
  if (words[2].empty() || words[2][0] != '"') return "scan takes a \"quoted\" text";
  op.text = words[2].substr(1);
  return std::nullopt;
}

std::optional<std::string> parse_op(const std::string& line, Op& op) {
  std::vector<std::string> words;
  if (!tokenize(line, words) || words.empty()) return "unterminated or badly escaped \"text\"";
  if (!verbs().count(words[0])) return "unknown operation '" + words[0] + "'";
  op.verb = verbs().at(words[0]);
  op.source = line;
  if (op.verb == Verb::pack || op.verb == Verb::unpack || op.verb == Verb::fmt || op.verb == Verb::scan)
    return parse_form_op(words, op);
  if (op.verb == Verb::from_utc_time) {
    if (words.size() != 3 || !parse_civil(words[1], words[2], op.civil)) return "expected YYYY-MM-DD HH:MM:SS[.nnnnnnnnn]";
    return std::nullopt;
  }
  if (words.size() != 1 + arity(op.verb)) return "expected " + std::to_string(arity(op.verb)) + " numbers";
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto n = parse_number(words[i]);
    if (!n) return "not a number: " + words[i];
    op.numbers.push_back(*n);
  }
  return std::nullopt;
}



std::string show_number(std::uint64_t n) {
  char buffer[32];
  if (n >> 32) std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(n));
  else std::snprintf(buffer, sizeof buffer, "%llu", static_cast<unsigned long long>(n));
  return buffer;
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') out += std::string("\\") + static_cast<char>(c);
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    }
  }
  return out + "\"";
}

const char* kind_name(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::bytes: return "bytes";
    case Outcome::Kind::text: return "text";
    case Outcome::Kind::value: return "value";
    case Outcome::Kind::label: return "label";
    case Outcome::Kind::sysclock: return "sysclock";
    case Outcome::Kind::parts: return "parts";
    case Outcome::Kind::ms: return "ms";
    case Outcome::Kind::utc: return "utc";
    case Outcome::Kind::error: return "error";
  }
  return "?";
}

bool is_errno_name(const std::string& code) { return !code.empty() && code[0] == 'E'; }

}  // namespace

Expected<Case, CaseError> load_case(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected{CaseError{path, 0, "cannot open"}};
  return parse_case(in, path);
}

namespace {
// `# expect[32-bit time_t]: RESULT` after an operation's `# expect:` line: the result where
// time_t is 32 bits (TAIN-015, TAICOMPAT-032: seconds it cannot hold are refused there), which
// replaces the line above in a runner built for such a target and is only checked elsewhere.
const std::string narrow_time_t_expect = "expect[32-bit time_t]:";
bool replace_where_time_t_is_narrow(Case& c, const std::string& text, std::string& error) {
  if (c.steps.empty() || !c.steps.back().expect) {
    error = "an expect[32-bit time_t] line must follow an expect line";
    return false;
  }
  auto expect = parse_outcome(text, error);
  if (!expect) return false;
  if (sizeof(time_t) < 8) c.steps.back().expect = *expect;
  return true;
}
}  // namespace

Expected<Case, CaseError> parse_case(std::istream& in, const std::string& path) {
  Case c;
  c.id = case_id_of(path);
  std::string raw;
  for (std::size_t line = 1; std::getline(in, raw); ++line) {
    const std::string text = trimmed(raw);
    auto bad = [&](std::string why) { return Unexpected{CaseError{path, line, std::move(why)}}; };
    collect_citations(text, c.requirements);
    if (text.empty()) continue;
    if (text[0] == '#') {
      const std::string comment = trimmed(text.substr(1));
      if (comment.rfind("expect:", 0) == 0) {
        if (c.steps.empty() || c.steps.back().expect) return bad("an expect line must follow an operation line");
        std::string why;
        auto expect = parse_outcome(comment.substr(7), why);
        if (!expect) return bad(why);
        c.steps.back().expect = *expect;
      } else if (comment.rfind(narrow_time_t_expect, 0) == 0) {
        std::string why;
        if (!replace_where_time_t_is_narrow(c, comment.substr(narrow_time_t_expect.size()), why)) return bad(why);
      } else if (comment == "api: c") {
        c.c_api = true;
      } else if (comment.rfind("api: c++", 0) == 0) {
        c.cpp_api_only = trimmed(comment.substr(8));
        if (c.cpp_api_only.empty()) c.cpp_api_only = "the C API deliberately differs (spec/time.md, TAICOMPAT)";
      } else if (c.summary.empty() && c.steps.empty()) {
        c.summary = comment;
      }
      continue;
    }
    if (!c.steps.empty() && !c.steps.back().expect) return bad("the operation above has no '# expect:' line");
    Step step{line, {}, std::nullopt};
    if (auto why = parse_op(text, step.op)) return bad(*why);
    c.steps.push_back(step);
  }
  if (c.steps.empty() || !c.steps.back().expect)
    return Unexpected{CaseError{path, 0, "no operations, or the last has no '# expect:' line"}};
  if (c.requirements.empty()) return Unexpected{CaseError{path, 0, "the header cites no requirement ([req:ID])"}};
  return c;
}

std::optional<Outcome> parse_outcome(const std::string& text, std::string& error) {
  std::vector<std::string> words;
  if (!tokenize(text, words) || words.empty()) {
    error = "expect: empty or badly quoted";
    return std::nullopt;
  }
  Outcome o;
  const std::string& kind = words[0];
  std::size_t i = 1;
  auto number = [&](std::uint64_t& into) {
    const auto n = i < words.size() ? parse_number(words[i]) : std::nullopt;
    if (n) into = *n, ++i;
    return n.has_value();
  };
  bool ok = true;
  if (kind == "bytes" && words.size() == 2) {
    const auto bytes = parse_bytes(words[1]);
    ok = bytes.has_value();
    if (ok) o = bytes_outcome(*bytes);
    i = 2;
  } else if (kind == "text" && words.size() == 2 && words[1][0] == '"') {
    o = text_outcome(words[1].substr(1));
    i = 2;
  } else if (kind == "utc" && words.size() == 3) {
    o.kind = Outcome::Kind::utc;
    o.text = words[1] + " " + words[2];
    i = 3;
  } else if (kind == "error") {
    o.kind = Outcome::Kind::error;
    if (i < words.size() && words[i] != "at") o.code = words[i++];
    std::uint64_t at = 0;
    if (i < words.size() && words[i] == "at" && (++i, number(at))) o.at = at;
  } else {
    const std::map<std::string, Outcome::Kind> numeric{{"value", Outcome::Kind::value}, {"label", Outcome::Kind::label},
        {"sysclock", Outcome::Kind::sysclock}, {"parts", Outcome::Kind::parts}, {"ms", Outcome::Kind::ms}};
    ok = numeric.count(kind) != 0;
    if (ok) o.kind = numeric.at(kind);
    for (std::uint64_t n = 0; ok && number(n);) o.numbers.push_back(n);
    std::uint64_t consumed = 0;
    if (ok && o.kind == Outcome::Kind::value && i + 1 < words.size() && words[i] == "consumed" && (++i, number(consumed)))
      o.consumed = consumed;
    if (ok && o.kind == Outcome::Kind::sysclock && i < words.size() && words[i] == "leap") o.leap = true, ++i;
    ok = ok && !o.numbers.empty();
  }
  if (!ok || i != words.size()) {
    error = "expect: not a result: '" + trimmed(text) + "' (see conformance/suites/tai/README.md)";
    return std::nullopt;
  }
  return o;
}

std::string format_outcome(const Outcome& o) {
  std::string s = kind_name(o.kind);
  if (o.kind == Outcome::Kind::text) return s + " " + quoted(o.text);
  if (o.kind == Outcome::Kind::bytes || o.kind == Outcome::Kind::utc) return s + " " + o.text;
  if (o.kind == Outcome::Kind::error) {
    if (!o.code.empty()) s += " " + o.code;
    if (o.at) s += " at " + show_number(*o.at);
    return s;
  }
  for (std::uint64_t n : o.numbers) s += " " + show_number(n);
  if (o.consumed) s += " consumed " + show_number(*o.consumed);
  if (o.leap) s += " leap";
  return s;
}

std::string hex_of(const std::vector<std::uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : bytes) s += std::string{digits[b >> 4], digits[b & 15]};
  return s;
}

std::string format_civil(const CivilTime& t) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02d %02d:%02d:%02d.%09u", static_cast<long long>(t.year), t.month,
                t.day, t.hour, t.minute, t.second, static_cast<unsigned>(t.nano));
  return buffer;
}

std::optional<std::string> mismatch(const Outcome& expected, const Outcome& actual) {
  const std::string why = "expected " + format_outcome(expected) + ", saw " + format_outcome(actual);
  if (expected.kind != actual.kind) return why;
  if (expected.kind == Outcome::Kind::error) {
    const bool comparable = !expected.code.empty() && !actual.code.empty() &&
                            is_errno_name(expected.code) == is_errno_name(actual.code);
    if (comparable && expected.code != actual.code) return why;
    if (comparable && expected.at && expected.at != actual.at) return why;
    return std::nullopt;
  }
  if (expected.text != actual.text || expected.numbers != actual.numbers || expected.leap != actual.leap) return why;
  if (expected.consumed && expected.consumed != actual.consumed) return why;
  return std::nullopt;
}

Outcome bytes_outcome(const std::vector<std::uint8_t>& bytes) {
  Outcome o;
  o.kind = Outcome::Kind::bytes;
  o.text = hex_of(bytes);
  return o;
}

Outcome text_outcome(std::string text) {
  Outcome o;
  o.kind = Outcome::Kind::text;
  o.text = std::move(text);
  return o;
}

Outcome value_outcome(std::vector<std::uint64_t> numbers, std::optional<std::uint64_t> consumed) {
  Outcome o = numbers_outcome(Outcome::Kind::value, std::move(numbers));
  o.consumed = consumed;
  return o;
}

Outcome error_outcome(std::string code, std::optional<std::uint64_t> at) {
  Outcome o;
  o.kind = Outcome::Kind::error;
  o.code = std::move(code);
  o.at = at;
  return o;
}

Outcome numbers_outcome(Outcome::Kind kind, std::vector<std::uint64_t> numbers) {
  Outcome o;
  o.kind = kind;
  o.numbers = std::move(numbers);
  return o;
}

const char* errno_name(int error) {
  switch (error) {
    case EINVAL: return "EINVAL";
    case EOVERFLOW: return "EOVERFLOW";
    case ERANGE: return "ERANGE";
    case ENOSYS: return "ENOSYS";
    case 0: return "E0";  // failed without setting errno
  }
  return "Eother";
}

std::size_t binary_size(Form form) {
  switch (form) {
    case Form::tai64: case Form::tai64_little: return 8;
    case Form::tai64na: return 16;
    default: return 12;
  }
}

std::size_t text_size(Form form) {
  switch (form) {
    case Form::timestamp: return 25;
    case Form::tai64na: return 32;
    default: return 24;
  }
}

}  // namespace refloop::conformance::tai_suite
