// SPDX-License-Identifier: ISC
// The leap-seconds.list parser == model/time/leap_file_model.hpp (spec/time.md LEAP-007 to
// LEAP-009): files written by format_leap_seconds_list for random tables, then damaged by one to
// three random edits (lines swapped, dropped, doubled, characters changed, inserted or removed,
// the text cut short), must get the same verdict from both: the same error and line, or the same
// table, with "tampered" exactly when the well-formed text's SHA-1 differs from its #h words.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "../../impl/time/sha1.hpp"
#include "refloop/time/leap.hpp"
#include "time/leap_file_model.hpp"

namespace refloop {
namespace {

LeapTable table_of(const model::LeapList& leaps) {
  std::vector<LeapSecond> entries;
  for (std::size_t i = 0; i < leaps.size(); ++i) entries.push_back({leaps[i], 11 + static_cast<int>(i)});
  return *LeapTable::create(std::move(entries), std::nullopt);
}

rc::Gen<model::LeapList> leap_lists() {
  auto random = rc::gen::map(rc::gen::container<std::vector<int>>(rc::gen::inRange(1, 40)), [](const std::vector<int>& gaps) {
    model::LeapList leaps;
    std::int64_t months = 1972 * 12;
    for (const int gap : gaps) {
      months += gap;
      leaps.push_back(model::days_since_1970(months / 12, static_cast<int>(months % 12) + 1, 1) * model::day);
    }
    return leaps;
  });
  return rc::gen::weightedOneOf<model::LeapList>({{1, rc::gen::just(model::builtin_leaps())}, {2, random}});
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start) + "\n");
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line;
  return text;
}

// One random edit of the kinds a damaged or hand-edited file shows.
std::string damage(std::string text) {
  auto lines = split_lines(text);
  const int kind = *rc::gen::inRange(0, 8);
  if (lines.empty()) return text;
  const std::size_t a = *rc::gen::inRange<std::size_t>(0, lines.size());
  const std::size_t b = *rc::gen::inRange<std::size_t>(0, lines.size());
  const std::size_t at = *rc::gen::inRange<std::size_t>(0, text.size() + 1);
  const char c = *rc::gen::elementOf(std::string("0123456789 \t#$@hx\r\n-+aF"));
  switch (kind) {
    case 0: std::swap(lines[a], lines[b]); return join(lines);
    case 1: lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(a)); return join(lines);
    case 2: lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(b), lines[a]); return join(lines);
    case 3: if (at < text.size()) text[at] = c; return text;
    case 4: text.insert(at, 1, c); return text;
    case 5: if (at < text.size()) text.erase(at, 1); return text;
    case 6: {  // a digit turned into another digit, often in a header or the hash: undetectable but for #h
      std::vector<std::size_t> digits;
      const bool in_header = *rc::gen::arbitrary<bool>();  // #$, #@ and #h lines only
      for (std::size_t i = 0, line = 0; i < text.size(); ++i) {
        if (i > 0 && text[i - 1] == '\n') line = i;
        const bool header = text.compare(line, 2, "#$") == 0 || text.compare(line, 2, "#@") == 0 ||
                            text.compare(line, 2, "#h") == 0;
        if (text[i] >= '0' && text[i] <= '9' && (header || !in_header)) digits.push_back(i);
      }
      if (digits.empty()) return text;
      const std::size_t d = digits[at % digits.size()];
      text[d] = static_cast<char>('0' + (text[d] - '0' + 1 + c % 9) % 10);
      return text;
    }
    default: return text.substr(0, at);
  }
}

LeapFileErrc impl_code(model::FileError error) {
  switch (error) {
    case model::FileError::malformed: return LeapFileErrc::malformed;
    case model::FileError::out_of_order: return LeapFileErrc::out_of_order;
    case model::FileError::unsupported: return LeapFileErrc::unsupported;
  }
  return LeapFileErrc::unreadable;
}

// [req:LEAP-007] [req:LEAP-008] [req:LEAP-009] [req:LEAP-010]
RC_GTEST_PROP(LeapFileProperty, LEAP_007_parser_matches_model_on_damaged_files, ()) {
  const auto leaps = *leap_lists();
  const auto updated = *rc::gen::inRange<std::int64_t>(0, 2'000'000'000);
  const auto expires = *rc::gen::inRange<std::int64_t>(0, 2'000'000'000);
  std::string text = format_leap_seconds_list(table_of(leaps), updated, expires);
  const int edits = *rc::gen::inRange(0, 4);
  for (int i = 0; i < edits; ++i) text = damage(text);

  const auto impl = parse_leap_seconds_list(text);
  const auto want = model::parse_leap_file(text);
  RC_TAG(want.error ? static_cast<int>(*want.error) : 9);  // 0 malformed, 1 out of order, 2 unsupported, 9 well formed
  if (want.error) {
    RC_ASSERT(!impl.has_value());
    RC_ASSERT(impl.error().code == impl_code(*want.error));
    RC_ASSERT(impl.error().line == want.line);
    return;
  }
  const auto digest = detail::sha1(want.hashed_text);
  const bool hash_ok = std::vector<std::uint32_t>(digest.begin(), digest.end()) == want.hash;
  RC_TAG(hash_ok ? "hash matches" : "tampered");
  RC_ASSERT(impl.has_value() == hash_ok);
  if (!hash_ok) {
    RC_ASSERT(impl.error().code == LeapFileErrc::tampered);
    RC_ASSERT(impl.error().line == want.hash_line);
    return;
  }
  std::vector<std::int64_t> midnights;
  for (const auto& leap : impl->leaps()) midnights.push_back(leap.posix_midnight);
  RC_ASSERT(midnights == want.leaps);
  RC_ASSERT(impl->expires_posix() == want.expires_posix);
}

}  // namespace
}  // namespace refloop
