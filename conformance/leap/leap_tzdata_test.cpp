// SPDX-License-Identifier: ISC
// Leap conversions against the outside world (spec/time.md LEAP-013): every data line of tzdata's
// leap-seconds.list, +-3 s around it, read by a deliberately naive reader here (not refloop's
// parser), and glibc's localtime_r under TZ=right/UTC, whose time_t counts TAI - 10 seconds and
// shows each leap second as tm_sec == 60.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "refloop/time/leap.hpp"

namespace {

using refloop::tai;
using refloop::tai_magic;

const std::string zoneinfo = REFLOOP_ZONEINFO;
const std::string list_path = zoneinfo + "/leap-seconds.list";
constexpr std::int64_t ntp_offset = 2'208'988'800;

bool exists(const std::string& path) {
  struct stat info{};
  return ::stat(path.c_str(), &info) == 0;
}

struct FileLine {
  std::int64_t posix = 0;  // from this instant on ...
  std::int64_t tai_minus_utc = 0;  // ... TAI - UTC is this
};

// The data lines, read without refloop: a line starting with a digit is "NTP TAI-UTC ...".
std::vector<FileLine> read_data_lines() {
  std::vector<FileLine> lines;
  std::ifstream in(list_path);
  std::string line;
  while (std::getline(in, line)) {
    long long ntp = 0, offset = 0;
    if (!line.empty() && line[0] >= '0' && line[0] <= '9' && std::sscanf(line.c_str(), "%lld %lld", &ntp, &offset) == 2)
      lines.push_back({ntp - ntp_offset, offset});
  }
  return lines;
}

// TAI - UTC at `posix` by the file: the last line at or before it; 10 s before the first line.
std::int64_t file_offset_at(const std::vector<FileLine>& lines, std::int64_t posix) {
  std::int64_t offset = 10;
  for (const FileLine& line : lines)
    if (line.posix <= posix) offset = line.tai_minus_utc;
  return offset;
}

class TzdataLeap : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!exists(list_path)) GTEST_SKIP() << list_path << " is absent (install tzdata)";
    lines_ = read_data_lines();
    ASSERT_GE(lines_.size(), 28u) << "tzdata's file has at least the 28 lines of 2025b";
    auto parsed = refloop::parse_leap_seconds_list(read_file());
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    table_.emplace(std::move(*parsed));
  }
  static std::string read_file() {
    std::ifstream in(list_path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::vector<FileLine> lines_;
  std::optional<refloop::LeapTable> table_;
};

// [req:LEAP-013] [req:LEAP-003] [req:LEAP-004] [req:LEAP-009] [req:LEAP-010]
TEST_F(TzdataLeap, LEAP_013_every_line_plus_minus_3s_matches_the_file) {
  int checked = 0;
  for (const FileLine& line : lines_) {
    for (std::int64_t delta = -3; delta <= 3; ++delta) {
      const std::int64_t posix = line.posix + delta;
      const std::uint64_t want = tai_magic + static_cast<std::uint64_t>(posix + file_offset_at(lines_, posix));
      EXPECT_EQ(refloop::tai_from_utc(posix, *table_).x, want) << posix;
      const auto back = refloop::utc_from_tai(tai{want}, *table_);
      ASSERT_TRUE(back.has_value());
      EXPECT_EQ(back->posix(), posix);
      EXPECT_FALSE(back->leap_second) << posix;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 7 * static_cast<int>(lines_.size()));
}

// [req:LEAP-013] [req:LEAP-001] the builtin table is the file's data (as of tzdata 2025b).
TEST_F(TzdataLeap, LEAP_013_builtin_table_agrees_with_the_file) {
  for (const FileLine& line : lines_)
    for (std::int64_t delta = -3; delta <= 3; ++delta)
      EXPECT_EQ(refloop::tai_from_utc(line.posix + delta, refloop::LeapTable::builtin()).x,
                refloop::tai_from_utc(line.posix + delta, *table_).x);
}

// [req:LEAP-013] [req:LEAP-004] the second before each line (after the first) is its leap second.
TEST_F(TzdataLeap, LEAP_013_leap_seconds_fold_and_flag) {
  for (std::size_t i = 1; i < lines_.size(); ++i) {
    const std::uint64_t leap = tai_magic + static_cast<std::uint64_t>(lines_[i].posix + lines_[i].tai_minus_utc - 1);
    const auto reading = refloop::utc_from_tai(tai{leap}, *table_);
    ASSERT_TRUE(reading.has_value());
    EXPECT_TRUE(reading->leap_second) << i;
    EXPECT_EQ(reading->posix(), lines_[i].posix);
  }
}

class RightUtc : public TzdataLeap {
 protected:
  void SetUp() override {
    TzdataLeap::SetUp();
    if (IsSkipped()) return;
    if (!exists(zoneinfo + "/right/UTC")) GTEST_SKIP() << zoneinfo << "/right/UTC is absent (install tzdata)";
    const char* old = std::getenv("TZ");
    old_tz_ = old ? std::optional<std::string>(old) : std::nullopt;
    ::setenv("TZ", "right/UTC", 1);
    ::tzset();
  }
  void TearDown() override {
    if (old_tz_) ::setenv("TZ", old_tz_->c_str(), 1); else ::unsetenv("TZ");
    ::tzset();
  }
  std::optional<std::string> old_tz_;
};

// [req:LEAP-013] [req:LEAP-005] glibc under right/UTC: time_t = label - 2^62 - 10.
TEST_F(RightUtc, LEAP_013_calendar_matches_glibc_right_utc) {
  int leap_seconds_seen = 0;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    // The label of the line's midnight, and 3 s either side (the leap second is at -1).
    const std::int64_t midnight_label = lines_[i].posix + lines_[i].tai_minus_utc;
    for (std::int64_t delta = -4; delta <= 3; ++delta) {
      const std::time_t right_time = static_cast<std::time_t>(midnight_label + delta - 10);
      std::tm tm{};
      ASSERT_NE(::localtime_r(&right_time, &tm), nullptr);
      const auto label = refloop::tain::seconds(tai_magic + static_cast<std::uint64_t>(midnight_label + delta));
      const auto utc = refloop::utc_time_from_tain(label, *table_);
      ASSERT_TRUE(utc.has_value());
      const refloop::UtcTime glibc{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 0};
      EXPECT_EQ(*utc, glibc) << "label - 2^62 = " << midnight_label + delta;
      if (tm.tm_sec == 60) {
        ++leap_seconds_seen;
        EXPECT_EQ(*refloop::tain_from_utc_time(glibc, *table_), label);
      }
    }
  }
  EXPECT_EQ(leap_seconds_seen, static_cast<int>(lines_.size()) - 1) << "glibc shows every leap second as :60";
}

}  // namespace
