// SPDX-License-Identifier: ISC
// White-box tests of the skalibs-compatible C API for tai/tain (spec/time.md, TAICOMPAT): each
// quirk on the values skalibs' documentation and the reference measurements give, plus the C99
// translation unit skalibs_tai_c_test.c. The whole-domain comparison with Debian's real
// libskarnet is in conformance/differential/.
#include <gtest/gtest.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "refloop/time/clock.hpp"
#include "refloop/time/leap.hpp"
#include "refloop/time/tain.hpp"

#include <skalibs/djbtime.h>
#include <skalibs/tai.h>

extern "C" int skalibs_c_arithmetic(void);
extern "C" int skalibs_c_stamp_macros(void);
extern "C" int skalibs_c_text(void);
extern "C" int skalibs_c_leap(void);

// Weak references: they resolve to null unless some object of refloop::skalibs (all of which
// this test pulls in) defines the function.
extern "C" size_t tain_fmtfrac(char*, tain const*) __attribute__((weak));
extern "C" int sysclock_set(tain const*) __attribute__((weak));
extern "C" int tain_setnow(tain const*) __attribute__((weak));

namespace {

constexpr std::uint64_t magic = TAI_MAGIC;
// Where time_t is 32 bits (armhf) the checks that need wider seconds are not run; TAICOMPAT-032
// has that target's own.
constexpr bool wide_time_t = sizeof(time_t) == 8;

tain make(std::uint64_t sec, std::uint32_t nano) {
  tain t;
  t.sec.x = sec;
  t.nano = nano;
  return t;
}

bool same(const tain& a, const tain& b) { return a.sec.x == b.sec.x && a.nano == b.nano; }

TEST(SkalibsTai, TAICOMPAT_029_c_translation_unit) {
  // [req:TAICOMPAT-029]
  EXPECT_EQ(skalibs_c_arithmetic(), 0);
  EXPECT_EQ(skalibs_c_stamp_macros(), 0);
  EXPECT_EQ(skalibs_c_text(), 0);
  EXPECT_EQ(skalibs_c_leap(), 0);
}

TEST(SkalibsTai, TAICOMPAT_027_constants) {
  // [req:TAICOMPAT-027]
  EXPECT_EQ(TAI_MAGIC, std::uint64_t{1} << 62);
  EXPECT_TRUE(same(tain_zero, make(0, 0)));
  EXPECT_TRUE(same(tain_nano500, make(0, 500)));
  EXPECT_TRUE(same(tain_infinite, make(magic + (std::uint64_t{1} << 61), 0)));
  EXPECT_TRUE(same(tain_infinite_relative, make(std::uint64_t{1} << 61, 0)));
  const tain epoch = TAIN_EPOCH;
  EXPECT_TRUE(same(epoch, make(magic + 10, 0)));
  EXPECT_EQ(TAI_PACK, 8);
  EXPECT_EQ(TAIN_PACK, 12);
  EXPECT_EQ(TAIN_FMT, 25);
  EXPECT_EQ(TIMESTAMP, 25);
  EXPECT_EQ(TAIN_FMTFRAC, 19);
}

TEST(SkalibsTai, TAICOMPAT_028_declared_but_not_defined) {
  // [req:TAICOMPAT-028] A program using these fails to link instead of running something else.
  using Fmt = size_t (*)(char*, tain const*);
  using Set = int (*)(tain const*);
  volatile Fmt fmtfrac = &tain_fmtfrac;
  volatile Set set = &sysclock_set, setnow = &tain_setnow;
  EXPECT_EQ(fmtfrac, nullptr);
  EXPECT_EQ(set, nullptr);
  EXPECT_EQ(setnow, nullptr);
  EXPECT_EQ(TAIN_FMTFRAC, 19);
}

TEST(SkalibsTai, TAICOMPAT_001_add_sub_carry_once) {
  // [req:TAICOMPAT-001]
  tain r;
  const tain a = make(1, 1'500'000'000);
  EXPECT_EQ(tain_add(&r, &a, &a), 1);
  EXPECT_TRUE(same(r, make(3, 2'000'000'000)));  // still unnormalised
  const tain x = make(3, 1), y = make(5, 999'999'999);
  EXPECT_EQ(tain_sub(&r, &x, &y), 1);
  EXPECT_TRUE(same(r, make(std::uint64_t(0) - 3, 2)));
  const tain big = make(0, 0xffffffffU);
  tain_add(&r, &big, &big);  // the 32-bit sum wraps to 0xfffffffe, then carries once
  EXPECT_TRUE(same(r, make(1, 0xfffffffeU - 1'000'000'000U)));
  tain alias = make(2, 7);
  tain_sub(&alias, &alias, &x);
  EXPECT_TRUE(same(alias, make(std::uint64_t(0) - 1, 6)));
}

TEST(SkalibsTai, TAICOMPAT_002_tai_wraps) {
  // [req:TAICOMPAT-002]
  tai a{~std::uint64_t{0}}, b{2}, r;
  EXPECT_EQ(tai_add(&r, &a, &b), 1);
  EXPECT_EQ(r.x, 1U);
  EXPECT_EQ(tai_sub(&r, &b, &a), 1);
  EXPECT_EQ(r.x, 3U);
  EXPECT_TRUE(tai_less(&b, &a));
}

TEST(SkalibsTai, TAICOMPAT_003_less_is_unsigned) {
  // [req:TAICOMPAT-003]
  const tain neg = make(~std::uint64_t{0}, 0), one = make(0, 1);
  EXPECT_FALSE(tain_less(&neg, &tain_zero));
  EXPECT_TRUE(tain_less(&tain_zero, &one));
  EXPECT_FALSE(tain_less(&one, &one));
}

TEST(SkalibsTai, TAICOMPAT_004_u64_overflow) {
  // [req:TAICOMPAT-004]
  tai t{5};
  errno = 0;
  EXPECT_EQ(tai_u64(&t, std::uint64_t{1} << 63), 0);
  EXPECT_EQ(errno, EOVERFLOW);
  EXPECT_EQ(t.x, 5U);
  EXPECT_EQ(tai_unix(&t, 3), 1);
  EXPECT_EQ(t.x, magic + 3);
  tain a = make(9, 9);
  if (sizeof(unsigned long) == 8) {
    EXPECT_EQ(tain_uint(&a, ~0UL), 0);
    EXPECT_TRUE(same(a, make(9, 9)));
  } else {  // ILP32 (armhf): an unsigned long never reaches bit 63
    EXPECT_EQ(tain_uint(&a, ~0UL), 1);
    EXPECT_TRUE(same(a, make(0xffff'ffffU, 0)));
  }
  EXPECT_EQ(tain_ulong(&a, 12), 1);
  EXPECT_TRUE(same(a, make(12, 0)));
}

TEST(SkalibsTai, TAICOMPAT_005_addsec_int_min_is_defined) {
  // [req:TAICOMPAT-005]
  tain r;
  const tain a = make(magic, 1'234'567'890);
  EXPECT_EQ(tain_addsec(&r, &a, INT_MIN), 1);
  EXPECT_TRUE(same(r, make(magic - 2147483648ULL, 1'234'567'890)));
  tain_addsec(&r, &a, INT_MAX);
  EXPECT_EQ(r.sec.x, magic + 2147483647ULL);
}

TEST(SkalibsTai, TAICOMPAT_006_addmsec) {
  // [req:TAICOMPAT-006]
  tain r;
  const tain a = make(1, 999'000'000);
  EXPECT_EQ(tain_addmsec(&r, &a, 1001), 1);
  EXPECT_TRUE(same(r, make(3, 0)));
  STAMP = make(10, 0);
  tain_addmsec_g(&r, UINT_MAX);
  EXPECT_TRUE(same(r, make(10 + 4294967, 295'000'000)));
}

TEST(SkalibsTai, TAICOMPAT_007_half) {
  // [req:TAICOMPAT-007]
  tain r;
  const tain a = make(3, 3);
  tain_half(&r, &a);
  EXPECT_TRUE(same(r, make(1, 500'000'001)));
}

TEST(SkalibsTai, TAICOMPAT_008_earliest) {
  // [req:TAICOMPAT-008]
  tain t = tain_infinite;
  const tain a = make(5, 0), b = make(4, 999'999'999), c = make(4, 999'999'999);
  tain_earliest(&t, &a, &b, &c);  // the C++ form of the variadic macro
  EXPECT_TRUE(same(t, b));
  tain_earliest1(&t, &a);
  EXPECT_TRUE(same(t, b));
  tain u = make(1, 0);
  tain_earliestn(&u, 2, &a, &b);
  EXPECT_TRUE(same(u, make(1, 0)));
  tain_earliestv(&u, nullptr, 0);
  EXPECT_TRUE(same(u, make(1, 0)));
}

TEST(SkalibsTai, TAICOMPAT_009_from_millisecs) {
  // [req:TAICOMPAT-009]
  tain r = make(1, 1);
  errno = 0;
  EXPECT_EQ(tain_from_millisecs(&r, -1), 0);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_TRUE(same(r, make(1, 1)));
  EXPECT_EQ(tain_from_millisecs(&r, INT_MAX), 1);
  EXPECT_TRUE(same(r, make(2147483, 647'000'000)));
}

TEST(SkalibsTai, TAICOMPAT_010_to_millisecs) {
  // [req:TAICOMPAT-010]
  const struct { tain in; int out; } cases[] = {
      {make(0, 0), 0}, {make(0, 1), 1}, {make(0, 1'000'000), 1}, {make(0, 1'000'001), 2},
      {make(2147483, 646'000'000), 2147483646}, {make(2147483, 646'000'001), -1},
      {make(2147484, 0), -1}, {make(~std::uint64_t{0}, 0), -1},
      {make(0, 0xffffffffU), 0},                 // the rounding sum wraps in 32 bits
      {make(2147482, 4'000'000'000U), -2147481296},  // cut to int
  };
  for (const auto& c : cases) {
    errno = 0;
    EXPECT_EQ(tain_to_millisecs(&c.in), c.out) << c.in.sec.x << "." << c.in.nano;
    EXPECT_EQ(errno, 0);
  }
}

TEST(SkalibsTai, TAICOMPAT_011_approx_frac) {
  // [req:TAICOMPAT-011]
  const tain a = make(3, 250'000'000);
  EXPECT_EQ(tain_frac(&a), 250'000'000 * 0.000000001);
  EXPECT_EQ(tain_approx(&a), 3.0 + 250'000'000 * 0.000000001);
}

TEST(SkalibsTai, TAICOMPAT_012_timespec_timeval_unchecked) {
  // [req:TAICOMPAT-012]
  tain r = make(1, 1);
  timespec ts{-5, 2'000'000'000};
  EXPECT_EQ(tain_from_timespec(&r, &ts), 1);
  EXPECT_TRUE(same(r, make(magic - 5, 2'000'000'000)));
  if (wide_time_t) {
    ts.tv_sec = static_cast<time_t>(std::int64_t{1} << 62);
    r = make(1, 1);
    errno = 0;
    EXPECT_EQ(tain_from_timespec(&r, &ts), 0);
    EXPECT_EQ(errno, EOVERFLOW);
    EXPECT_TRUE(same(r, make(1, 1)));
    const tain reserved = make(~std::uint64_t{0}, 7);
    EXPECT_EQ(timespec_from_tain(&ts, &reserved), 1);
    EXPECT_EQ(ts.tv_sec, static_cast<time_t>(~std::uint64_t{0} - magic));
  }
  timeval tv{1, -1};
  EXPECT_EQ(tain_relative_from_timeval(&r, &tv), 1);
  EXPECT_TRUE(same(r, make(1, static_cast<std::uint32_t>(-1000))));
}

TEST(SkalibsTai, TAICOMPAT_032_time_t_width) {
  // [req:TAICOMPAT-032] 2^31 - 1 and -1 fit any time_t; 2^31 wraps negative in a 32-bit one (its
  // upper half is zeros); 2^32 does not fit it and is refused before anything is written.
  time_t u = 0;
  const tai last{magic + 0x7fff'ffffU}, minus_one{magic - 1}, wraps{magic + 0x8000'0000U};
  const tai far{magic + (std::uint64_t{1} << 32)};
  EXPECT_EQ(time_from_tai(&u, &last), 1);
  EXPECT_EQ(u, 0x7fff'ffff);
  EXPECT_EQ(time_from_tai(&u, &minus_one), 1);
  EXPECT_EQ(u, -1);
  EXPECT_EQ(time_from_tai(&u, &wraps), 1);
  EXPECT_EQ(static_cast<std::int64_t>(u), wide_time_t ? INT64_C(0x8000'0000) : INT64_C(-0x8000'0000));
  u = 12345;
  timespec ts{7, 7};
  timeval tv{7, 7};
  const tain far_tain{far, 5};
  const tain far_relative{{std::uint64_t{1} << 32}, 5};
  errno = 0;
  const int results[] = {time_from_tai(&u, &far), timespec_from_tain(&ts, &far_tain),
                         timeval_from_tain_relative(&tv, &far_relative)};
  if (wide_time_t) {
    EXPECT_EQ(results[0] + results[1] + results[2], 3);
    EXPECT_EQ(static_cast<std::int64_t>(u), INT64_C(1) << 32);
    EXPECT_EQ(static_cast<std::int64_t>(tv.tv_sec), INT64_C(1) << 32);
  } else {
    EXPECT_EQ(results[0] + results[1] + results[2], 0);
    EXPECT_EQ(errno, EOVERFLOW);
    EXPECT_EQ(u, 12345);
    EXPECT_EQ(ts.tv_sec, 7);
    EXPECT_EQ(ts.tv_nsec, 7);
    EXPECT_EQ(tv.tv_sec, 7);
  }
}

TEST(SkalibsTai, TAICOMPAT_013_timeval_rounds_to_nearest) {
  // [req:TAICOMPAT-013]
  timeval tv{};
  const tain a = make(0, 999'999'500), b = make(magic, 1499);
  EXPECT_EQ(timeval_from_tain_relative(&tv, &a), 1);
  EXPECT_EQ(tv.tv_sec, 0);
  EXPECT_EQ(tv.tv_usec, 1'000'000);
  EXPECT_EQ(timeval_from_tain(&tv, &b), 1);
  EXPECT_EQ(tv.tv_sec, 0);
  EXPECT_EQ(tv.tv_usec, 1);
}

TEST(SkalibsTai, TAICOMPAT_014_015_pack_unpack) {
  // [req:TAICOMPAT-014] [req:TAICOMPAT-015]
  const tain a = make(0x0102030405060708ULL, 0xfffffffeU);
  char big[TAIN_PACK], little[TAIN_PACK];
  tain_pack(big, &a);
  tain_pack_little(little, &a);
  const unsigned char want[] = {1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xfe};
  EXPECT_EQ(std::memcmp(big, want, sizeof want), 0);
  for (int i = 0; i < TAIN_PACK; ++i) EXPECT_EQ(little[i], big[TAIN_PACK - 1 - i]);
  tain r;
  tain_unpack(big, &r);
  EXPECT_TRUE(same(r, a));
  tain_unpack_little(little, &r);
  EXPECT_TRUE(same(r, a));
  tai t{0x8000000000000001ULL}, u;
  char b8[TAI_PACK];
  tai_pack(b8, &t);
  tai_unpack(b8, &u);
  EXPECT_EQ(u.x, t.x);  // a reserved label goes through unchecked
  tai_pack_little(b8, &t);
  EXPECT_EQ(static_cast<unsigned char>(b8[0]), 1);
  tai_unpack_little(b8, &u);
  EXPECT_EQ(u.x, t.x);
}

TEST(SkalibsTai, TAICOMPAT_016_017_018_text) {
  // [req:TAICOMPAT-016] [req:TAICOMPAT-017] [req:TAICOMPAT-018]
  char s[TIMESTAMP + 2];
  std::memset(s, 'x', sizeof s);
  const tain a = make(magic + 0x37c219bfULL, 0x2ef02e94U);
  EXPECT_EQ(tain_fmt(s, &a), 24U);
  EXPECT_EQ(std::string(s, 25), "4000000037c219bf2ef02e94x");  // no NUL written
  tain r = make(1, 1);
  EXPECT_EQ(tain_scan("FFFFFFFFFFFFFFFFffffffff00", &r), 24U);  // no range check, tail ignored
  EXPECT_TRUE(same(r, make(~std::uint64_t{0}, 0xffffffffU)));
  r = make(1, 1);
  EXPECT_EQ(tain_scan("4000000037c219bf2ef02e9", &r), 0U);  // short: the NUL is not hex
  EXPECT_EQ(tain_scan(" 4000000037c219bf2ef02e94", &r), 0U);
  EXPECT_TRUE(same(r, make(1, 1)));
  EXPECT_EQ(timestamp_fmt(s, &a), 25U);
  EXPECT_EQ(std::string(s, 25), "@4000000037c219bf2ef02e94");
  EXPECT_EQ(timestamp_scan("@4000000037c219bf2ef02e94 line", &r), 25U);
  EXPECT_TRUE(same(r, a));
  EXPECT_EQ(timestamp_scan("4000000037c219bf2ef02e94", &r), 0U);
}

TEST(SkalibsTai, TAICOMPAT_019_timestamp_uses_the_wall_clock) {
  // [req:TAICOMPAT-019]
  char s[TIMESTAMP];
  tain stamp;
  tain_now = [](tain* t) { *t = tain_zero; return 1; };
  STAMP = tain_zero;
  EXPECT_EQ(timestamp_r(s, &stamp), 1);
  EXPECT_GT(stamp.sec.x, magic);
  EXPECT_EQ(timestamp(s), 1);
  EXPECT_TRUE(same(STAMP, tain_zero));  // timestamp() uses its own stamp
  tain r;
  EXPECT_EQ(timestamp_scan(s, &r), 25U);
  EXPECT_FALSE(tain_less(&r, &stamp));
  tain_now = &tain_wallclock_read;
}

// [req:TAICOMPAT-030] the C API converts with the builtin table even while another is in use:
// with a table that has only the first leap second installed, the C++ conversion with the table
// in use changes and the C API's does not.
TEST(SkalibsTai, TAICOMPAT_030_ignores_the_table_in_use) {
  const auto& builtin = refloop::LeapTable::builtin();
  auto one_leap = refloop::LeapTable::create({builtin.leaps().front()}, std::nullopt);
  ASSERT_TRUE(one_leap.has_value());
  const std::int64_t posix_2020 = 1577836800;
  tai before;
  ASSERT_EQ(tai_from_utc(&before, magic + static_cast<std::uint64_t>(posix_2020)), 1);
  refloop::install_leap_table(std::make_shared<const refloop::LeapTable>(*one_leap));
  EXPECT_NE(refloop::tai_from_utc(posix_2020, *refloop::leap_table_in_use()).x, before.x);  // the table in use changed
  tai during;
  ASSERT_EQ(tai_from_utc(&during, magic + static_cast<std::uint64_t>(posix_2020)), 1);
  std::uint64_t utc = 0;
  EXPECT_EQ(utc_from_tai(&utc, &before), 1);
  refloop::reset_leap_table_to_builtin();
  EXPECT_EQ(during.x, before.x);
  EXPECT_EQ(during.x, refloop::tai_from_utc(posix_2020, builtin).x);
  EXPECT_EQ(utc, magic + static_cast<std::uint64_t>(posix_2020));
}

TEST(SkalibsTai, TAICOMPAT_020_021_leap_conversions) {
  // [req:TAICOMPAT-020] [req:TAICOMPAT-021] [req:TAICOMPAT-030]
  tai t;
  for (const auto& leap : refloop::LeapTable::builtin().leaps()) {
    for (std::int64_t d = -3; d <= 3; ++d) {
      const std::int64_t posix = leap.posix_midnight + d;
      ASSERT_EQ(tai_from_utc(&t, magic + static_cast<std::uint64_t>(posix)), 1);
      EXPECT_EQ(t.x, refloop::tai_from_utc(posix, refloop::LeapTable::builtin()).x);
      std::uint64_t u = 0;
      EXPECT_EQ(utc_from_tai(&u, &t), 1);
      EXPECT_EQ(u, magic + static_cast<std::uint64_t>(posix));
    }
  }
  t.x = magic + 78796811;
  std::uint64_t u = 0;
  EXPECT_EQ(utc_from_tai(&u, &t), 1);
  EXPECT_EQ(u, magic + 78796800);
  t.x = 9;
  errno = 0;
  EXPECT_EQ(utc_from_tai(&u, &t), 0);
  EXPECT_EQ(errno, EINVAL);
  ASSERT_EQ(tai_from_utc(&t, magic - 1), 1);  // before 1970: a constant 10 s
  EXPECT_EQ(t.x, magic + 9);
  EXPECT_EQ(tai_from_utc(&t, ~std::uint64_t{0}), 1);  // the walk wraps to 0, then + 10
  EXPECT_EQ(t.x, 10U);
  errno = 0;
  EXPECT_EQ(tai_from_utc(&t, (std::uint64_t{1} << 63) - 37), 0);
  EXPECT_EQ(errno, EOVERFLOW);
}

TEST(SkalibsTai, TAICOMPAT_022_sysclock_is_utc) {
  // [req:TAICOMPAT-022]
  std::uint64_t u = 42;
  EXPECT_EQ(utc_from_sysclock(&u), 1);
  EXPECT_EQ(sysclock_from_utc(&u), 1);
  EXPECT_EQ(u, 42U);
  const timespec ts{1483228800, 5};
  tain a;
  ASSERT_EQ(tain_from_timespec_sysclock(&a, &ts), 1);
  EXPECT_TRUE(same(a, make(magic + 1483228800 + 37, 5)));
  timespec back{};
  EXPECT_EQ(timespec_sysclock_from_tain(&back, &a), 1);
  EXPECT_EQ(back.tv_sec, 1483228800);
  EXPECT_EQ(back.tv_nsec, 5);
  const tain leap = make(magic + 1483228826 + 10, 999'999'999);  // 2016-12-31 23:59:60.999999999
  timeval tv{};
  EXPECT_EQ(timeval_sysclock_from_tain(&tv, &leap), 1);
  EXPECT_EQ(tv.tv_sec, 1483228800);
  EXPECT_EQ(tv.tv_usec, 1'000'000);
  time_t seconds = 0;
  EXPECT_EQ(time_sysclock_from_tai(&seconds, &leap.sec), 1);  // 1, not utc_from_tai's 2
  EXPECT_EQ(seconds, 1483228800);
}

TEST(SkalibsTai, TAICOMPAT_023_024_wall_clock) {
  // [req:TAICOMPAT-023] [req:TAICOMPAT-024] Tolerance: readings only need to be ordered.
  const timespec before = refloop::read_realtime();
  tain sys, wall;
  tai now;
  ASSERT_EQ(sysclock_get(&sys), 1);
  ASSERT_EQ(tain_wallclock_read(&wall), 1);
  ASSERT_EQ(tai_now(&now), 1);
  const timespec after = refloop::read_realtime();
  tain lo, hi;
  tain_from_timespec(&lo, &before);
  tain_from_timespec(&hi, &after);
  tain_add(&lo, &lo, &tain_nano500);
  tain_add(&hi, &hi, &tain_nano500);
  EXPECT_FALSE(tain_less(&sys, &lo));
  EXPECT_FALSE(tain_less(&hi, &sys));
  // TAI - UTC is 37 s since 2017 (10 + 27 leap seconds); a second may tick between the reads.
  EXPECT_GE(wall.sec.x - sys.sec.x, 37U);
  EXPECT_LE(wall.sec.x - sys.sec.x, 38U);
  EXPECT_LE(now.x, hi.sec.x + 37);
  EXPECT_GE(now.x, lo.sec.x + 37);
}

TEST(SkalibsTai, TAICOMPAT_025_026_stopwatch_and_tain_now) {
  // [req:TAICOMPAT-025] [req:TAICOMPAT-026]
  tain offset, first, second;
  ASSERT_EQ(tain_stopwatch_init(&first, CLOCK_MONOTONIC, &offset), 1);
  ASSERT_EQ(tain_stopwatch_read(&second, CLOCK_MONOTONIC, &offset), 1);
  EXPECT_FALSE(tain_less(&second, &first));
  errno = 0;
  EXPECT_EQ(tain_stopwatch_init(&first, static_cast<clock_t>(CLOCK_BOOTTIME), &offset), 0);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(tain_now, &tain_wallclock_read);
  ASSERT_EQ(tain_now_set_stopwatch_g(), 1);
  EXPECT_NE(tain_now, &tain_wallclock_read);
  const tain stamp = STAMP;
  ASSERT_EQ(tain_now_g(), 1);
  EXPECT_FALSE(tain_less(&STAMP, &stamp));
  ASSERT_EQ(tain_now_set_wallclock(&first), 1);
  EXPECT_EQ(tain_now, &tain_wallclock_read);
}

}  // namespace
