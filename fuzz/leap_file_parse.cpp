// SPDX-License-Identifier: ISC
// Fuzz target: the leap-seconds.list parser (spec/time.md LEAP-006 to LEAP-009, LEAP-012).
// Target function: refloop::parse_leap_seconds_list, on an exactly sized copy of the input so a
// read past it is an ASan report. An accepted file must give a valid table whose data agrees
// with an independent re-reading of the input and its #h line; a refused one must name a line
// that exists; neither may touch the table in use.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "refloop/time/leap.hpp"
#include "sha1.hpp"

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
  }
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

// The n-th run of characters not in " \t\r" in `line`, from `from` on.
std::string token(std::string_view line, std::size_t from, int n) {
  std::size_t at = from;
  for (int i = 0; i <= n; ++i) {
    at = line.find_first_not_of(" \t\r", at);
    if (at == std::string_view::npos) return "";
    const std::size_t end = std::min(line.find_first_of(" \t\r", at), line.size());
    if (i == n) return std::string(line.substr(at, end - at));
    at = end;
  }
  return "";
}

// [req:LEAP-009] Re-read the accepted input naively: the hashed text and the #h words.
void hash_agrees(std::string_view text) {
  std::string updated, expires, data;
  unsigned words[5] = {};
  for (const std::string_view line : lines_of(text)) {
    if (line.substr(0, 2) == "#$") updated = token(line, 2, 0);
    if (line.substr(0, 2) == "#@") expires = token(line, 2, 0);
    if (line.substr(0, 2) == "#h")
      for (int i = 0; i < 5; ++i) words[i] = static_cast<unsigned>(std::strtoul(token(line, 2, i).c_str(), nullptr, 16));
    if (!line.empty() && line[0] >= '0' && line[0] <= '9') {
      const std::string_view fields = line.substr(0, line.find('#'));  // a comment may follow directly
      data += token(fields, 0, 0) + token(fields, 0, 1);
    }
  }
  const auto digest = refloop::detail::sha1(updated + expires + data);
  for (int i = 0; i < 5; ++i) require(digest[i] == words[i], "accepted a file whose #h does not match its data");
}

// [req:LEAP-006] [req:LEAP-010] [req:LEAP-012]
void accepted_table_is_valid(const refloop::LeapTable& table, std::string_view text) {
  require(refloop::LeapTable::create(table.leaps(), table.expires_posix()).has_value(), "accepted an invalid table");
  require(table.expires_posix().has_value(), "a parsed table must have an expiry");
  hash_agrees(text);
  const auto again = refloop::parse_leap_seconds_list(refloop::format_leap_seconds_list(table, 0, *table.expires_posix()));
  require(again.has_value() && again->leaps() == table.leaps(), "format then parse changed the table");
}

// [req:LEAP-007] [req:LEAP-008]
void refusal_names_a_line(const refloop::LeapFileError& error, std::string_view text) {
  require(error.line <= lines_of(text).size(), "error names a line past the end");
  require(!error.message.empty(), "error without a message");
  if (error.line > 0)
    require(error.message.find("line " + std::to_string(error.line)) != std::string::npos, "message does not name the line");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::unique_ptr<char[]> exact(new char[size ? size : 1]);
  if (size) std::memcpy(exact.get(), data, size);
  const std::string_view text(exact.get(), size);
  const auto in_use = refloop::leap_table_in_use();
  const auto parsed = refloop::parse_leap_seconds_list(text);
  require(refloop::leap_table_in_use() == in_use, "parsing changed the table in use");  // [req:LEAP-002]
  if (parsed)
    accepted_table_is_valid(*parsed, text);
  else
    refusal_names_a_line(parsed.error(), text);
  return 0;
}
