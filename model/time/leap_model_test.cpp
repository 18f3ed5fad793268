// SPDX-License-Identifier: ISC
// Tests of the leap-second model itself (model/time/leap_model.hpp) against values fixed by
// skalibs' documented behaviour and tzdata, so the property tests compare the implementation
// with something known to be right.
#include <gtest/gtest.h>

#include "time/leap_file_model.hpp"
#include "time/leap_model.hpp"

namespace {

namespace m = refloop::model;

// [req:LEAP-001] [req:LEAP-003]
TEST(LeapModel, LEAP_003_known_labels) {
  const m::LeapList leaps = m::builtin_leaps();
  ASSERT_EQ(leaps.size(), 27u);
  EXPECT_EQ(m::tai_from_utc(0, leaps), m::magic + 10);
  EXPECT_EQ(m::tai_from_utc(78'796'800, leaps), m::magic + 78'796'811);
  EXPECT_EQ(m::tai_from_utc(1'483'228'800, leaps), m::magic + 1'483'228'800 + 37);
  // skalibs' table entries, +10, are the leap-second labels.
  EXPECT_EQ(m::leap_label(0, leaps), m::magic + 78'796'810);
  EXPECT_EQ(m::leap_label(1, leaps), m::magic + 94'694'411);
  EXPECT_EQ(m::leap_label(26, leaps), m::magic + 1'483'228'836);
}

// [req:LEAP-004]
TEST(LeapModel, LEAP_004_fold_and_flag) {
  const m::LeapList leaps = m::builtin_leaps();
  EXPECT_FALSE(m::utc_from_tai(9, leaps).has_value());
  const auto leap = *m::utc_from_tai(m::magic + 78'796'810, leaps);
  EXPECT_EQ(leap.sysclock, m::magic + 78'796'800);
  EXPECT_TRUE(leap.leap_second);
  const auto next = *m::utc_from_tai(m::magic + 78'796'811, leaps);
  EXPECT_EQ(next.sysclock, m::magic + 78'796'800);
  EXPECT_FALSE(next.leap_second);
}

// [req:LEAP-005]
TEST(LeapModel, LEAP_005_calendar) {
  const m::LeapList leaps = m::builtin_leaps();
  EXPECT_EQ(m::days_since_1970(2000, 3, 1), 11'017);
  EXPECT_EQ(m::days_since_1970(1969, 12, 31), -1);
  EXPECT_EQ(m::date_from_days(-1), (m::Civil{1969, 12, 31}));
  EXPECT_EQ(m::date_from_days(11'016), (m::Civil{2000, 2, 29}));
  const auto leap = m::utc_time_from_tain(0x40000000586846a4, 5, leaps).time;
  EXPECT_EQ(leap, (m::Civil{2016, 12, 31, 23, 59, 60, 5}));
  EXPECT_EQ(m::tain_from_utc_time(*leap, leaps).label, 0x40000000586846a4u);
  EXPECT_EQ(m::tain_from_utc_time({2015, 12, 31, 23, 59, 60}, leaps).error, m::CalendarError::not_a_leap_second);
  EXPECT_EQ(m::utc_time_from_tain(m::magic + 10, 0, leaps).time, (m::Civil{1970, 1, 1}));
}

// [req:LEAP-010]
TEST(LeapModel, LEAP_010_expiry) {
  EXPECT_FALSE(m::expired_at(std::nullopt, 0));
  EXPECT_TRUE(m::expired_at(5, 5));
  EXPECT_FALSE(m::expired_at(5, 4));
}

// [req:LEAP-007] [req:LEAP-008] [req:LEAP-009]
TEST(LeapFileModel, LEAP_007_reads_lines_and_collects_the_hashed_text) {
  const std::string good =
      "# comment\n#$\t3960835200\n#@\t3991593600\n2272060800\t10\t# 1 Jan 1972\n"
      "2287785600 11#x\r\n#h\t55b48a18 32dfc6f3 dd78be6a b4b574de 64744ce7\n";
  const auto file = m::parse_leap_file(good);
  ASSERT_FALSE(file.error.has_value());
  EXPECT_EQ(file.leaps, (m::LeapList{78'796'800}));
  EXPECT_EQ(file.expires_posix, 3'991'593'600 - 2'208'988'800);
  EXPECT_EQ(file.hashed_text, "3960835200" "3991593600" "2272060800" "10" "2287785600" "11");
  EXPECT_EQ(file.hash, (std::vector<std::uint32_t>{0x55b48a18, 0x32dfc6f3, 0xdd78be6a, 0xb4b574de, 0x64744ce7}));
  EXPECT_EQ(file.hash_line, 6u);
}

TEST(LeapFileModel, LEAP_008_errors_and_lines) {
  const std::string head = "#$ 1\n#@ 2\n#h 1 2 3 4 5\n";
  const auto error = [&](const std::string& data) {
    const auto file = m::parse_leap_file(head + data);
    return std::make_pair(file.error, file.line);
  };
  EXPECT_EQ(error("2272060800 10\n2303683200 11\n2287785600 12\n"), std::make_pair(std::optional(m::FileError::out_of_order), std::size_t{6}));
  EXPECT_EQ(error(" 2272060800 10\n"), std::make_pair(std::optional(m::FileError::malformed), std::size_t{4}));
  EXPECT_EQ(error("2272060800 11\n"), std::make_pair(std::optional(m::FileError::unsupported), std::size_t{4}));
  EXPECT_EQ(error("2272060800 10\n2287785601 11\n"), std::make_pair(std::optional(m::FileError::malformed), std::size_t{5}));
  EXPECT_EQ(error(""), std::make_pair(std::optional(m::FileError::malformed), std::size_t{0}));
  EXPECT_EQ(error("#$ 3\n2272060800 10\n"), std::make_pair(std::optional(m::FileError::malformed), std::size_t{4}));
}

}  // namespace
