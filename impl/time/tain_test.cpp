// SPDX-License-Identifier: ISC
// Unit tests for tain arithmetic and conversions: the boundaries named in spec/time.md, one test
// per requirement. The property tests (property/time) cover the whole domain against the model.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>

#include "refloop/time/tain.hpp"

namespace refloop {
namespace {

constexpr std::uint64_t u64max = UINT64_MAX;
tain t(std::uint64_t s, std::uint64_t n) { return *tain::checked(s, n); }
// A timespec with any 64-bit seconds value; where time_t is 32 bits (armhf) the checks that need
// wider seconds are compiled but not run (TAIN-015 has that target's own).
constexpr bool wide_time_t = sizeof(time_t) == 8;
timespec ts(std::int64_t sec, long nsec) { return timespec{static_cast<time_t>(sec), nsec}; }

TEST(Tai, TAI_001_label_of_1970_is_two_to_the_62) {
  // [req:TAI-001] 2^62 is 1970-01-01 00:00:00 TAI.
  EXPECT_EQ(tai_magic, 4611686018427387904ULL);
  EXPECT_LT(tai{1}, tai{2});
}

TEST(Tain, TAIN_001_nano_is_checked_or_carried) {
  // [req:TAIN-001]
  EXPECT_FALSE(tain::checked(5, 1'000'000'000).has_value());
  EXPECT_TRUE(tain::checked(5, 999'999'999).has_value());
  EXPECT_EQ(tain::normalised(5, 2'500'000'000), t(7, 500'000'000));
  EXPECT_EQ(tain::normalised(u64max, 1'000'000'001), t(0, 1));  // carry wraps the seconds
}

TEST(Tain, TAIN_002_constants) {
  // [req:TAIN-002]
  EXPECT_EQ(tain_zero, t(0, 0));
  EXPECT_EQ(tain_epoch, t(tai_magic + 10, 0));
  EXPECT_EQ(tain_infinite, t(tai_magic + (std::uint64_t{1} << 61), 0));
  EXPECT_EQ(tain_infinite_relative, t(std::uint64_t{1} << 61, 0));
}

TEST(Tain, TAIN_003_add_carries_once_and_wraps) {
  // [req:TAIN-003]
  EXPECT_EQ(t(1, 999'999'999) + t(0, 1), t(2, 0));
  EXPECT_EQ(t(1, 999'999'999) + t(1, 999'999'999), t(3, 999'999'998));
  EXPECT_EQ(t(u64max, 999'999'999) + t(0, 1), t(0, 0));
}

TEST(Tain, TAIN_004_order_is_unsigned_lexicographic) {
  // [req:TAIN-004] A wrapped "negative" value is greater than zero.
  EXPECT_LT(t(1, 999'999'999), t(2, 0));
  EXPECT_LT(t(2, 0), t(2, 1));
  EXPECT_FALSE(t(0, 0) - t(0, 1) < tain_zero);
  EXPECT_EQ(t(3, 4), t(3, 4));
}

TEST(Tain, TAIN_005_sub_borrows_once_and_wraps) {
  // [req:TAIN-005] skalibs' example: 3.000000001 - 5.999999999 = -2.999999998.
  EXPECT_EQ(t(3, 1) - t(5, 999'999'999), t(u64max - 2, 2));
  EXPECT_EQ((t(3, 1) - t(5, 999'999'999)) + t(5, 999'999'999), t(3, 1));
}

TEST(Tain, TAIN_006_add_seconds_is_defined_for_int64_min) {
  // [req:TAIN-006]
  EXPECT_EQ(add_seconds(t(10, 5), -3), t(7, 5));
  EXPECT_EQ(add_seconds(t(0, 5), INT64_MIN), t(std::uint64_t{1} << 63, 5));
  EXPECT_EQ(add_seconds(t(0, 5), INT64_MAX), t(INT64_MAX, 5));
}

TEST(Tain, TAIN_007_add_milliseconds) {
  // [req:TAIN-007]
  EXPECT_EQ(add_milliseconds(t(1, 999'000'000), 1001), t(3, 0));
  EXPECT_EQ(add_milliseconds(t(0, 0), u64max), tain_from_milliseconds(u64max));
}

TEST(Tain, TAIN_008_half_rounds_down) {
  // [req:TAIN-008]
  EXPECT_EQ(half(t(3, 1)), t(1, 500'000'000));
  EXPECT_EQ(half(t(u64max, 999'999'999)), t(u64max >> 1, 999'999'999));
  EXPECT_EQ(half(t(0, 1)), t(0, 0));
}

TEST(Tain, TAIN_009_earliest) {
  // [req:TAIN-009]
  EXPECT_EQ(earliest(t(5, 0), t(4, 999'999'999)), t(4, 999'999'999));
  EXPECT_EQ(earliest({t(9, 0), t(3, 3), t(3, 2)}), t(3, 2));
  EXPECT_EQ(earliest(std::span<const tain>{}), tain_infinite);
}

TEST(Tain, TAIN_010_timespec_absolute) {
  // [req:TAIN-010]
  EXPECT_EQ(*tain_from_timespec({0, 5}), t(tai_magic, 5));
  EXPECT_EQ(*tain_from_timespec({-1, 0}), t(tai_magic - 1, 0));
  EXPECT_EQ(tain_from_timespec({0, 1'000'000'000}).error(), TimeErrc::nano_out_of_range);
  EXPECT_EQ(tain_from_timespec({0, -1}).error(), TimeErrc::nano_out_of_range);
  if (wide_time_t) {
    EXPECT_EQ(tain_from_timespec(ts(INT64_C(1) << 62, 0)).error(), TimeErrc::out_of_range);
    EXPECT_TRUE(tain_from_timespec(ts((INT64_C(1) << 62) - 1, 0)));
    EXPECT_EQ(*tain_from_timespec(ts(-(INT64_C(1) << 62), 0)), t(0, 0));
    EXPECT_EQ(tain_from_timespec(ts(-(INT64_C(1) << 62) - 1, 0)).error(), TimeErrc::out_of_range);
  }
  const timespec back = *timespec_from_tain(t(tai_magic - 7, 9));
  EXPECT_EQ(back.tv_sec, -7);
  EXPECT_EQ(back.tv_nsec, 9);
  EXPECT_EQ(timespec_from_tain(t(std::uint64_t{1} << 63, 0)).error(), TimeErrc::out_of_range);
}

TEST(Tain, TAIN_011_timespec_relative) {
  // [req:TAIN-011]
  EXPECT_EQ(*tain_from_timespec_relative({3, 4}), t(3, 4));
  EXPECT_EQ(tain_from_timespec_relative({-1, 0}).error(), TimeErrc::negative);
  EXPECT_EQ(tain_from_timespec_relative({1, 1'000'000'000}).error(), TimeErrc::nano_out_of_range);
  if (wide_time_t) {
    EXPECT_EQ(timespec_from_tain_relative(t(INT64_MAX, 0))->tv_sec, INT64_MAX);
  }
  EXPECT_EQ(timespec_from_tain_relative(t(std::uint64_t{INT64_MAX} + 1, 0)).error(), TimeErrc::out_of_range);
}

TEST(Tain, TAIN_015_time_t_width) {
  // [req:TAIN-015] The last and first seconds a 32-bit time_t holds convert; one beyond is
  // refused where time_t is 32 bits and converts where it is 64.
  const std::uint64_t last = tai_magic + INT32_MAX, first = tai_magic - (std::uint64_t{1} << 31);
  EXPECT_EQ(timespec_from_tain(t(last, 0))->tv_sec, INT32_MAX);
  EXPECT_EQ(timespec_from_tain(t(first, 0))->tv_sec, INT32_MIN);
  EXPECT_EQ(timespec_from_tain_relative(t(INT32_MAX, 0))->tv_sec, INT32_MAX);
  EXPECT_EQ(timeval_from_tain(t(last, 999'999'000))->tv_sec, INT32_MAX);
  const auto after_2038 = timespec_from_tain(t(last + 1, 0));
  const auto before_1901 = timespec_from_tain(t(first - 1, 0));
  const auto relative = timespec_from_tain_relative(t(std::uint64_t{1} << 31, 0));
  const auto carried = timeval_from_tain(t(last, 999'999'001));  // rounds up into 2038-01-19T03:14:08
  if (wide_time_t) {
    EXPECT_EQ(after_2038->tv_sec, INT64_C(1) << 31);
    EXPECT_EQ(before_1901->tv_sec, -(INT64_C(1) << 31) - 1);
    EXPECT_EQ(relative->tv_sec, INT64_C(1) << 31);
    EXPECT_EQ(carried->tv_sec, INT64_C(1) << 31);
  } else {
    EXPECT_EQ(after_2038.error(), TimeErrc::out_of_range);
    EXPECT_EQ(before_1901.error(), TimeErrc::out_of_range);
    EXPECT_EQ(relative.error(), TimeErrc::out_of_range);
    EXPECT_EQ(carried.error(), TimeErrc::out_of_range);
  }
}

TEST(Tain, TAIN_012_timeval_in) {
  // [req:TAIN-012]
  EXPECT_EQ(*tain_from_timeval({1, 999'999}), t(tai_magic + 1, 999'999'000));
  EXPECT_EQ(*tain_from_timeval_relative({1, 2}), t(1, 2000));
  EXPECT_EQ(tain_from_timeval({1, 1'000'000}).error(), TimeErrc::nano_out_of_range);
  EXPECT_EQ(tain_from_timeval_relative({-1, 0}).error(), TimeErrc::negative);
}

TEST(Tain, TAIN_013_timeval_out_rounds_up) {
  // [req:TAIN-013] 0.9999996 s becomes 1 s, not {0, 1000000} as in skalibs.
  const timeval a = *timeval_from_tain_relative(t(0, 999'999'600));
  EXPECT_EQ(a.tv_sec, 1);
  EXPECT_EQ(a.tv_usec, 0);
  const timeval b = *timeval_from_tain_relative(t(2, 1));
  EXPECT_EQ(b.tv_sec, 2);
  EXPECT_EQ(b.tv_usec, 1);
  const timeval c = *timeval_from_tain(t(tai_magic + 5, 1000));
  EXPECT_EQ(c.tv_sec, 5);
  EXPECT_EQ(c.tv_usec, 1);
  // A carry that would make the label reserved is refused, not wrapped.
  EXPECT_EQ(timeval_from_tain(t((std::uint64_t{1} << 63) - 1, 999'999'001)).error(), TimeErrc::out_of_range);
  EXPECT_EQ(timeval_from_tain_relative(t(u64max, 999'999'999)).error(), TimeErrc::out_of_range);
}

TEST(Tain, TAIN_014_milliseconds_round_up_and_saturate) {
  // [req:TAIN-014]
  EXPECT_EQ(milliseconds_from_tain(t(0, 0)), 0u);
  EXPECT_EQ(milliseconds_from_tain(t(0, 1)), 1u);
  EXPECT_EQ(milliseconds_from_tain(t(0, 1'000'000)), 1u);
  EXPECT_EQ(milliseconds_from_tain(t(0, 1'000'001)), 2u);
  EXPECT_EQ(milliseconds_from_tain(t(2147483, 646'000'000)), 2147483646u);
  EXPECT_EQ(milliseconds_from_tain(t(u64max / 1000, 0)), (u64max / 1000) * 1000);
  EXPECT_EQ(milliseconds_from_tain(t(u64max / 1000, 999'999'999)), u64max);
  EXPECT_EQ(milliseconds_from_tain(t(u64max, 0)), u64max);
  EXPECT_EQ(tain_from_milliseconds(1999), t(1, 999'000'000));
}

TEST(Tain, describe_names_every_error) {
  EXPECT_STRNE(describe(TimeErrc::negative), describe(TimeErrc::out_of_range));
  EXPECT_STRNE(describe(TimeErrc::nano_out_of_range), describe(TimeErrc::out_of_range));
}

}  // namespace
}  // namespace refloop
