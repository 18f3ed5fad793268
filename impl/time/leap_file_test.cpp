// SPDX-License-Identifier: ISC
// Unit tests of the leap-seconds.list parser, loader and writer (spec/time.md, LEAP-007 to
// LEAP-012): tzdata's real file (a copy in the fuzz corpus), one test per way a file can be
// refused with the line it must name, and the table in use across loads.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "refloop/time/leap.hpp"
#include "sha1.hpp"

namespace {

using refloop::LeapFileErrc;
using refloop::LeapTable;

const std::string corpus = std::string(REFLOOP_SOURCE_DIR) + "/fuzz/corpus/leap_file_parse/";
constexpr std::int64_t tzdata_expiry = 3'991'593'600 - 2'208'988'800;  // 2026-06-28

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A file with the given header values and data lines and a correct #h line.
std::string file_with_hash(const std::string& updated, const std::string& expires,
                           const std::vector<std::pair<std::string, std::string>>& data) {
  std::string hashed = updated + expires;
  std::string text = "# test file\n#$\t" + updated + "\n#@\t" + expires + "\n";
  for (const auto& [ntp, offset] : data) {
    hashed += ntp + offset;
    text += ntp + "\t" + offset + "\t# comment\n";
  }
  char words[64];
  const auto d = refloop::detail::sha1(hashed);
  std::snprintf(words, sizeof words, "%08x %08x %08x %08x %08x", d[0], d[1], d[2], d[3], d[4]);
  return text + "#h\t" + words + "\n";
}

const std::vector<std::pair<std::string, std::string>> two_lines = {{"2272060800", "10"}, {"2287785600", "11"}};

refloop::LeapFileError refused(std::string_view text) { return refloop::parse_leap_seconds_list(text).error(); }

// [req:LEAP-007] [req:LEAP-009] [req:LEAP-010]
TEST(LeapFile, LEAP_007_tzdata_file_parses_to_the_builtin_table) {
  const auto table = refloop::parse_leap_seconds_list(read(corpus + "tzdata-2025b.list"));
  ASSERT_TRUE(table.has_value()) << table.error().message;
  EXPECT_EQ(table->leaps(), LeapTable::builtin().leaps());
  EXPECT_EQ(table->expires_posix(), tzdata_expiry);
  EXPECT_TRUE(table->expired_at(1'795'305'600));  // 2026-11-22: expired, loaded anyway
  EXPECT_FALSE(table->expired_at(tzdata_expiry - 1));
}

TEST(LeapFile, LEAP_007_minimal_file_and_line_endings) {
  const std::string minimal = file_with_hash("3960835200", "3991593600", two_lines);
  ASSERT_TRUE(refloop::parse_leap_seconds_list(minimal).has_value());
  std::string crlf;
  for (const char c : minimal) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_TRUE(refloop::parse_leap_seconds_list(crlf).has_value());
  EXPECT_TRUE(refloop::parse_leap_seconds_list(minimal.substr(0, minimal.size() - 1)).has_value());  // no final LF
  EXPECT_TRUE(refloop::parse_leap_seconds_list("\n  \n" + minimal + "\t\n").has_value());
  const auto only_baseline = refloop::parse_leap_seconds_list(file_with_hash("1", "2", {{"2272060800", "10"}}));
  ASSERT_TRUE(only_baseline.has_value());
  EXPECT_TRUE(only_baseline->leaps().empty());
}

TEST(LeapFile, LEAP_007_syntax_errors_name_the_line) {
  const std::string good = file_with_hash("3960835200", "3991593600", two_lines);
  const struct { std::string from, to; std::size_t line; } edits[] = {
      {"#$\t3960835200", "#$3960835200", 2},       {"#$\t3960835200", "#$\t", 2},
      {"#$\t3960835200", "#$\t39608x5200", 2},     {"#@\t3991593600", "#@\t3991593600 1", 3},
      {"#@\t3991593600", "#@\t1099511627777", 3},  {"2287785600\t11", "2287785600\t+11", 5},
      {"2287785600\t11", "2287785600", 5},          {"2287785600\t11", "2287785600\t11x", 5},
      {"2287785600\t11", "2287785600 11 12", 5},    {"2287785600\t11", "-2287785600\t11", 5},
      {"2287785600\t11", "x", 5},                   {"2287785600\t11", "2287785600\t1099511627777", 5},
  };
  for (const auto& edit : edits) {
    std::string text = good;
    text.replace(text.find(edit.from), edit.from.size(), edit.to);
    const auto error = refused(text);
    EXPECT_EQ(error.code, LeapFileErrc::malformed) << edit.to;
    EXPECT_EQ(error.line, edit.line) << edit.to;
    EXPECT_NE(error.message.find("line " + std::to_string(edit.line)), std::string::npos) << error.message;
  }
}

TEST(LeapFile, LEAP_007_hash_line_syntax) {
  const std::string good = file_with_hash("3960835200", "3991593600", two_lines);
  const std::string hash_line = good.substr(good.find("#h"));
  const std::string body = good.substr(0, good.find("#h"));
  for (const std::string bad : {"#h\n", "#h\t1 2 3 4\n", "#h\t1 2 3 4 5 6\n", "#h\t123456789 2 3 4 5\n",
                                "#h\tg 2 3 4 5\n", "#h1 2 3 4 5\n", "#h\t1 2 3 4 5x\n"}) {
    const auto error = refused(body + bad);
    EXPECT_EQ(error.code, LeapFileErrc::malformed) << bad;
    EXPECT_EQ(error.line, 6u) << bad;
  }
  std::string upper = hash_line;
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 32 : c);
  EXPECT_TRUE(refloop::parse_leap_seconds_list(body + upper).has_value());
}

TEST(LeapFile, LEAP_007_required_and_doubled_lines) {
  const std::string good = file_with_hash("3960835200", "3991593600", two_lines);
  const auto without = [&](const std::string& prefix) {
    std::string text = good;
    const auto at = text.find(prefix);
    text.erase(at, text.find('\n', at) + 1 - at);
    return refused(text);
  };
  for (const std::string prefix : {"#$", "#@", "#h"}) {
    EXPECT_EQ(without(prefix).code, LeapFileErrc::malformed) << prefix;
    EXPECT_EQ(without(prefix).line, 0u) << prefix;
    const auto at = good.find(prefix);
    const std::string line = good.substr(at, good.find('\n', at) + 1 - at);
    const auto doubled = refused(good + line);
    EXPECT_EQ(doubled.code, LeapFileErrc::malformed) << prefix;
    EXPECT_EQ(doubled.line, 7u) << prefix;
  }
  EXPECT_EQ(refused(file_with_hash("1", "2", {})).code, LeapFileErrc::malformed);
  EXPECT_EQ(refused("").code, LeapFileErrc::malformed);
}

TEST(LeapFile, LEAP_007_content_rules) {
  const auto content = [](std::vector<std::pair<std::string, std::string>> data) {
    return refused(file_with_hash("1", "2", data));
  };
  EXPECT_EQ(content({{"2272060801", "10"}}).code, LeapFileErrc::unsupported);  // baseline moved
  EXPECT_EQ(content({{"2272060800", "11"}}).code, LeapFileErrc::unsupported);
  EXPECT_EQ(content({{"2272060800", "10"}, {"2287785600", "12"}}).line, 5u);   // TAI-UTC jumps 2 s
  EXPECT_EQ(content({{"2272060800", "10"}, {"2287785601", "11"}}).code, LeapFileErrc::malformed);
  EXPECT_EQ(content({{"2272060800", "10"}, {"2287872000", "11"}}).code, LeapFileErrc::malformed);  // 2 Jul
  EXPECT_EQ(content({{"2272060800", "10"}, {"2287785600", "11"}, {"2303683200", "10"}}).code,
            LeapFileErrc::unsupported);  // a negative leap second
}

// [req:LEAP-008]
TEST(LeapFile, LEAP_008_out_of_order_before_hash) {
  const auto swapped = refused(read(corpus + "out-of-order.list"));
  EXPECT_EQ(swapped.code, LeapFileErrc::out_of_order);
  EXPECT_EQ(swapped.line, 112u);
  const auto repeated = refused(file_with_hash("1", "2", {{"2272060800", "10"}, {"2272060800", "11"}}));
  EXPECT_EQ(repeated.code, LeapFileErrc::out_of_order);
  EXPECT_EQ(repeated.line, 5u);
  // Order is checked over the whole file before content: the swapped line's TAI-UTC is wrong too.
  const auto early = refused(file_with_hash("1", "2", {{"2272060800", "10"}, {"2303683200", "12"}, {"2287785600", "11"}}));
  EXPECT_EQ(early.code, LeapFileErrc::out_of_order);
  EXPECT_EQ(early.line, 6u);
  EXPECT_EQ(refused(read(corpus + "truncated.list")).code, LeapFileErrc::malformed);
}

// [req:LEAP-009]
TEST(LeapFile, LEAP_009_tampered_files) {
  for (const char* name : {"tampered-expiry.list", "tampered-date.list"}) {
    const auto error = refused(read(corpus + name));
    EXPECT_EQ(error.code, LeapFileErrc::tampered) << name;
    EXPECT_EQ(error.line, 120u) << name;
  }
  std::string text = file_with_hash("3960835200", "3991593600", two_lines);
  text.replace(text.find("#@\t3991593600"), 13, "#@\t03991593600");  // same value, other digits
  EXPECT_EQ(refused(text).code, LeapFileErrc::tampered);
}

// [req:LEAP-011]
TEST(LeapFile, LEAP_011_load_installs_or_leaves_unchanged) {
  refloop::reset_leap_table_to_builtin();
  const auto loaded = refloop::load_leap_seconds_file(corpus + "tzdata-2025b.list");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(refloop::leap_table_in_use(), *loaded);
  EXPECT_EQ(refloop::leap_table_in_use()->expires_posix(), tzdata_expiry);
  for (const char* name : {"tampered-date.list", "out-of-order.list", "truncated.list", "no-such-file"}) {
    const auto failed = refloop::load_leap_seconds_file(corpus + name);
    ASSERT_FALSE(failed.has_value()) << name;
    EXPECT_NE(failed.error().message.find(name), std::string::npos) << failed.error().message;
    EXPECT_EQ(refloop::leap_table_in_use(), *loaded) << name;
  }
  EXPECT_EQ(refloop::load_leap_seconds_file(corpus + "no-such-file").error().code, LeapFileErrc::unreadable);
  EXPECT_EQ(refloop::load_leap_seconds_file(corpus).error().code, LeapFileErrc::unreadable);  // a directory
  refloop::reset_leap_table_to_builtin();
}

// [req:LEAP-012]
TEST(LeapFile, LEAP_012_format_round_trips) {
  const std::string text = refloop::format_leap_seconds_list(LeapTable::builtin(), 1'751'846'400, tzdata_expiry);
  const auto table = refloop::parse_leap_seconds_list(text);
  ASSERT_TRUE(table.has_value()) << table.error().message << "\n" << text;
  EXPECT_EQ(table->leaps(), LeapTable::builtin().leaps());
  EXPECT_EQ(table->expires_posix(), tzdata_expiry);
  EXPECT_NE(text.find("3692217600\t37\t# 1 Jan 2017\n"), std::string::npos) << text;
}

TEST(LeapFile, describe_names_every_code) {
  for (const auto code : {LeapFileErrc::malformed, LeapFileErrc::out_of_order, LeapFileErrc::unsupported,
                          LeapFileErrc::tampered, LeapFileErrc::unreadable})
    EXPECT_STRNE(refloop::describe(code), "unknown leap-file error");
  for (const auto code : {refloop::LeapErrc::label_below_10, refloop::LeapErrc::reserved_label,
                          refloop::LeapErrc::invalid_field, refloop::LeapErrc::not_a_leap_second,
                          refloop::LeapErrc::out_of_range})
    EXPECT_STRNE(refloop::describe(code), "unknown leap conversion error");
}

}  // namespace
