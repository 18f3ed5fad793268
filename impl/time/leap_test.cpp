// SPDX-License-Identifier: ISC
// Unit tests of the leap-second table and the UTC <-> TAI conversions (spec/time.md, LEAP-001
// to LEAP-006, LEAP-010): fixed values from skalibs' documented behaviour and tzdata, the
// boundaries of every conversion, and the table in use. File parsing: leap_file_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <thread>

#include "refloop/time/leap.hpp"

namespace {

using refloop::LeapErrc;
using refloop::LeapSecond;
using refloop::LeapTable;
using refloop::tai;
using refloop::tai_magic;
using refloop::tain;
using refloop::UtcTime;

const LeapTable& builtin = LeapTable::builtin();
constexpr std::uint64_t reserved = std::uint64_t{1} << 63;

// [req:LEAP-001]
TEST(Leap, LEAP_001_builtin_table) {
  ASSERT_EQ(builtin.leaps().size(), 27u);
  EXPECT_EQ(builtin.leaps().front(), (LeapSecond{78'796'800, 11}));   // 1972-07-01
  EXPECT_EQ(builtin.leaps()[1], (LeapSecond{94'694'400, 12}));        // 1973-01-01
  EXPECT_EQ(builtin.leaps().back(), (LeapSecond{1'483'228'800, 37}));  // 2017-01-01
  EXPECT_FALSE(builtin.expires_posix().has_value());
  // skalibs' table entries (TAI - 10 of each 23:59:60) are exactly the labels flagged as leap.
  EXPECT_TRUE(refloop::utc_from_tai(tai{tai_magic + 78'796'800 + 10}, builtin)->leap_second);
  EXPECT_TRUE(refloop::utc_from_tai(tai{tai_magic + 94'694'401 + 10}, builtin)->leap_second);
  EXPECT_TRUE(refloop::utc_from_tai(tai{tai_magic + 1'483'228'826 + 10}, builtin)->leap_second);
}

// [req:LEAP-003]
TEST(Leap, LEAP_003_tai_from_utc_values) {
  EXPECT_EQ(refloop::tai_from_utc(0, builtin).x, tai_magic + 10);
  EXPECT_EQ(refloop::tai_from_utc(-1, builtin).x, tai_magic + 9);
  EXPECT_EQ(refloop::tai_from_utc(78'796'799, builtin).x, tai_magic + 78'796'809);
  EXPECT_EQ(refloop::tai_from_utc(78'796'800, builtin).x, tai_magic + 78'796'811);
  EXPECT_EQ(refloop::tai_from_utc(1'483'228'799, builtin).x, tai_magic + 1'483'228'799 + 36);
  EXPECT_EQ(refloop::tai_from_utc(1'483'228'800, builtin).x, tai_magic + 1'483'228'800 + 37);
  // Modulo 2^64, never undefined.
  const auto max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(refloop::tai_from_utc(max, builtin).x, tai_magic + 10 + 27 + static_cast<std::uint64_t>(max));
  const auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(refloop::tai_from_utc(min, builtin).x, tai_magic + 10 + static_cast<std::uint64_t>(min));
}

// [req:LEAP-004]
TEST(Leap, LEAP_004_utc_from_tai_refuses_labels_below_10) {
  EXPECT_EQ(refloop::utc_from_tai(tai{0}, builtin).error(), LeapErrc::label_below_10);
  EXPECT_EQ(refloop::utc_from_tai(tai{9}, builtin).error(), LeapErrc::label_below_10);
  EXPECT_EQ(*refloop::utc_from_tai(tai{10}, builtin), (refloop::UtcReading{0, false}));
}

TEST(Leap, LEAP_004_leap_second_folds_onto_next_midnight) {
  const auto leap = *refloop::utc_from_tai(tai{tai_magic + 78'796'810}, builtin);
  EXPECT_EQ(leap, (refloop::UtcReading{tai_magic + 78'796'800, true}));
  EXPECT_EQ(leap.posix(), 78'796'800);
  const auto after = *refloop::utc_from_tai(tai{tai_magic + 78'796'811}, builtin);
  EXPECT_EQ(after, (refloop::UtcReading{tai_magic + 78'796'800, false}));
  const auto before = *refloop::utc_from_tai(tai{tai_magic + 78'796'809}, builtin);
  EXPECT_EQ(before.posix(), 78'796'799);
  EXPECT_FALSE(before.leap_second);
}

TEST(Leap, LEAP_004_defined_for_reserved_labels) {
  const auto top = *refloop::utc_from_tai(tai{~std::uint64_t{0}}, builtin);
  EXPECT_EQ(top.sysclock, ~std::uint64_t{0} - 10 - 27);
  EXPECT_FALSE(top.leap_second);
}

TEST(Leap, LEAP_004_every_builtin_leap_round_trips) {
  for (std::size_t k = 0; k < builtin.leaps().size(); ++k) {
    const std::int64_t midnight = builtin.leaps()[k].posix_midnight;
    for (std::int64_t delta = -3; delta <= 3; ++delta) {
      const tai label = refloop::tai_from_utc(midnight + delta, builtin);
      const auto back = *refloop::utc_from_tai(label, builtin);
      EXPECT_EQ(back.posix(), midnight + delta);
      EXPECT_FALSE(back.leap_second);
    }
    const tai leap{refloop::tai_from_utc(midnight, builtin).x - 1};
    EXPECT_EQ(*refloop::utc_from_tai(leap, builtin), (refloop::UtcReading{tai_magic + static_cast<std::uint64_t>(midnight), true}));
  }
}

UtcTime utc(std::int64_t y, int mo, int d, int h, int mi, int s, std::uint32_t ns = 0) {
  return UtcTime{y, mo, d, h, mi, s, ns};
}

// [req:LEAP-005]
TEST(Leap, LEAP_005_leap_second_is_23_59_60_both_ways) {
  const tain first_leap = tain::seconds(tai_magic + 78'796'810);
  EXPECT_EQ(*refloop::utc_time_from_tain(first_leap, builtin), utc(1972, 6, 30, 23, 59, 60));
  EXPECT_EQ(*refloop::tain_from_utc_time(utc(1972, 6, 30, 23, 59, 60), builtin), first_leap);
  const tain last_leap = *tain::checked(0x40000000586846a4, 123);  // s6-tai64nlocal: 2016-12-31 23:59:60
  EXPECT_EQ(*refloop::utc_time_from_tain(last_leap, builtin), utc(2016, 12, 31, 23, 59, 60, 123));
  EXPECT_EQ(*refloop::tain_from_utc_time(utc(2016, 12, 31, 23, 59, 60, 123), builtin), last_leap);
  EXPECT_EQ(*refloop::utc_time_from_tain(tain::seconds(0x40000000586846a5), builtin), utc(2017, 1, 1, 0, 0, 0));
  EXPECT_EQ(*refloop::utc_time_from_tain(tain::seconds(0x40000000586846a3), builtin), utc(2016, 12, 31, 23, 59, 59));
}

TEST(Leap, LEAP_005_23_59_60_refused_on_other_days) {
  EXPECT_EQ(refloop::tain_from_utc_time(utc(2015, 12, 31, 23, 59, 60), builtin).error(), LeapErrc::not_a_leap_second);
  EXPECT_EQ(refloop::tain_from_utc_time(utc(1972, 6, 30, 22, 59, 60), builtin).error(), LeapErrc::not_a_leap_second);
  EXPECT_EQ(refloop::tain_from_utc_time(utc(1972, 6, 30, 23, 58, 60), builtin).error(), LeapErrc::not_a_leap_second);
  EXPECT_EQ(refloop::tain_from_utc_time(utc(1972, 7, 1, 23, 59, 60), builtin).error(), LeapErrc::not_a_leap_second);
  const auto empty = *LeapTable::create({}, std::nullopt);
  EXPECT_EQ(refloop::tain_from_utc_time(utc(1972, 6, 30, 23, 59, 60), empty).error(), LeapErrc::not_a_leap_second);
}

TEST(Leap, LEAP_005_field_ranges) {
  const auto invalid = [](const UtcTime& t) {
    auto r = refloop::tain_from_utc_time(t, builtin);
    return !r && r.error() == LeapErrc::invalid_field;
  };
  EXPECT_TRUE(invalid(utc(2000, 0, 1, 0, 0, 0)));
  EXPECT_TRUE(invalid(utc(2000, 13, 1, 0, 0, 0)));
  EXPECT_TRUE(invalid(utc(2000, 4, 31, 0, 0, 0)));
  EXPECT_TRUE(invalid(utc(1900, 2, 29, 0, 0, 0)));
  EXPECT_FALSE(invalid(utc(2000, 2, 29, 0, 0, 0)));
  EXPECT_TRUE(invalid(utc(2000, 1, 0, 0, 0, 0)));
  EXPECT_TRUE(invalid(utc(2000, 1, 1, 24, 0, 0)));
  EXPECT_TRUE(invalid(utc(2000, 1, 1, -1, 0, 0)));
  EXPECT_TRUE(invalid(utc(2000, 1, 1, 0, 60, 0)));
  EXPECT_TRUE(invalid(utc(2000, 1, 1, 0, 0, 61)));
  EXPECT_TRUE(invalid(utc(2000, 1, 1, 0, 0, -1)));
  EXPECT_TRUE(invalid(utc(2000, 1, 1, 0, 0, 0, 1'000'000'000)));
}

TEST(Leap, LEAP_005_year_and_label_ranges) {
  EXPECT_EQ(refloop::tain_from_utc_time(utc(200'000'000'001, 1, 1, 0, 0, 0), builtin).error(), LeapErrc::out_of_range);
  EXPECT_EQ(refloop::tain_from_utc_time(utc(-200'000'000'001, 1, 1, 0, 0, 0), builtin).error(), LeapErrc::out_of_range);
  EXPECT_EQ(refloop::tain_from_utc_time(utc(200'000'000'000, 1, 1, 0, 0, 0), builtin).error(), LeapErrc::out_of_range);
  EXPECT_EQ(refloop::utc_time_from_tain(tain::seconds(9), builtin).error(), LeapErrc::label_below_10);
  EXPECT_EQ(refloop::utc_time_from_tain(tain::seconds(reserved), builtin).error(), LeapErrc::reserved_label);
  // The extremes of the domain convert and come back.
  for (const std::uint64_t label : {std::uint64_t{10}, std::uint64_t{11}, reserved - 1}) {
    const auto time = refloop::utc_time_from_tain(tain::seconds(label), builtin);
    ASSERT_TRUE(time.has_value()) << label;
    EXPECT_EQ(refloop::tain_from_utc_time(*time, builtin)->sec(), label);
  }
  // A year before label 10 and a year after label 2^63 - 1 are outside the label range.
  auto below = *refloop::utc_time_from_tain(tain::seconds(10), builtin);
  below.year -= 1;
  EXPECT_EQ(refloop::tain_from_utc_time(below, builtin).error(), LeapErrc::out_of_range);
  auto above = *refloop::utc_time_from_tain(tain::seconds(reserved - 1), builtin);
  above.year += 1;
  EXPECT_EQ(refloop::tain_from_utc_time(above, builtin).error(), LeapErrc::out_of_range);
}

TEST(Leap, LEAP_005_epoch_and_pre_1972) {
  EXPECT_EQ(*refloop::utc_time_from_tain(refloop::tain_epoch, builtin), utc(1970, 1, 1, 0, 0, 0));
  EXPECT_EQ(*refloop::utc_time_from_tain(tain::seconds(tai_magic + 9), builtin), utc(1969, 12, 31, 23, 59, 59));
  EXPECT_EQ(*refloop::tain_from_utc_time(utc(1, 1, 1, 0, 0, 0), builtin),
            tain::seconds(tai_magic + 10 - 62'135'596'800));
}

// [req:LEAP-006]
TEST(Leap, LEAP_006_create_checks_every_entry) {
  const auto code = [](std::vector<LeapSecond> leaps) { return LeapTable::create(std::move(leaps), std::nullopt).error(); };
  using refloop::LeapFileErrc;
  EXPECT_EQ(code({{94'694'400, 11}, {78'796'800, 12}}).code, LeapFileErrc::out_of_order);
  EXPECT_EQ(code({{78'796'800, 11}, {78'796'800, 12}}).line, 2u);
  EXPECT_EQ(code({{63'072'000, 11}}).code, LeapFileErrc::out_of_order);     // 1972-01-01 itself
  EXPECT_EQ(code({{78'796'801, 11}}).code, LeapFileErrc::malformed);        // not a midnight
  EXPECT_EQ(code({{78'883'200, 11}}).code, LeapFileErrc::malformed);        // 1972-07-02
  EXPECT_EQ(code({{78'796'800, 12}}).code, LeapFileErrc::unsupported);
  EXPECT_EQ(code({{78'796'800, 11}, {94'694'400, 11}}).code, LeapFileErrc::unsupported);  // negative leap
  const std::int64_t beyond = (std::int64_t{1} << 40) - 2'208'988'800 + 86'400 * 31;
  EXPECT_EQ(code({{beyond - beyond % 86'400, 11}}).code, LeapFileErrc::malformed);
  EXPECT_TRUE(LeapTable::create(builtin.leaps(), 0).has_value());
  EXPECT_TRUE(LeapTable::create({}, std::nullopt).has_value());
}

// [req:LEAP-010]
TEST(Leap, LEAP_010_expired_at) {
  const auto table = *LeapTable::create(builtin.leaps(), 1'782'604'800);
  EXPECT_FALSE(table.expired_at(1'782'604'799));
  EXPECT_TRUE(table.expired_at(1'782'604'800));
  EXPECT_FALSE(builtin.expired_at(std::numeric_limits<std::int64_t>::max()));
}

// [req:LEAP-002]
TEST(Leap, LEAP_002_install_and_reset) {
  refloop::reset_leap_table_to_builtin();
  EXPECT_EQ(refloop::leap_table_in_use().get(), &builtin);
  auto empty = std::make_shared<const LeapTable>(*LeapTable::create({}, std::nullopt));
  refloop::install_leap_table(empty);
  const auto snapshot = refloop::leap_table_in_use();
  EXPECT_EQ(refloop::tai_from_utc(1'500'000'000).x, tai_magic + 10 + 1'500'000'000);
  refloop::install_leap_table(nullptr);
  EXPECT_EQ(snapshot.get(), empty.get());  // still valid and unchanged after the swap
  EXPECT_EQ(refloop::tai_from_utc(1'500'000'000).x, tai_magic + 37 + 1'500'000'000);
  refloop::install_leap_table(empty);
  refloop::reset_leap_table_to_builtin();
  EXPECT_EQ(refloop::leap_table_in_use().get(), &builtin);
}

TEST(Leap, LEAP_002_concurrent_readers_see_whole_tables) {
  auto empty = std::make_shared<const LeapTable>(*LeapTable::create({}, std::nullopt));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) refloop::install_leap_table(i % 2 ? empty : nullptr);
    stop = true;
  });
  int readings = 0;
  while (!stop || readings == 0) {
    const std::uint64_t offset = refloop::tai_from_utc(1'500'000'000).x - tai_magic - 1'500'000'000;
    ASSERT_TRUE(offset == 10 || offset == 37) << offset;
    ++readings;
  }
  writer.join();
  refloop::reset_leap_table_to_builtin();
}

}  // namespace
