// SPDX-License-Identifier: ISC
// The skalibs-compatible C API for tai/tain arithmetic and libc conversions (spec/time.md,
// TAICOMPAT). Every function reproduces skalibs 2.15.1.0 bit for bit, including on values the
// C++ API refuses (nanoseconds >= 10^9, reserved labels): the C structs are plain data, so the
// quirks live here and the C++ core is used where its semantics are the same.
#include <cerrno>
#include <climits>
#include <cstdint>

#include "refloop/time/tain.hpp"

#include <skalibs/tai.h>

namespace {

constexpr std::uint64_t reserved_bit = std::uint64_t{1} << 63;
constexpr std::uint32_t nano_max = 999'999'999;

// A C tain whose nanoseconds are in range, read as a C++ tain (TAIN-001 holds for it).
refloop::tain core_from(const tain& a) { return refloop::tain::normalised(a.sec.x, a.nano); }

tain c_from(const refloop::tain& a) {
  tain t;
  t.sec.x = a.sec();
  t.nano = a.nano();
  return t;
}

bool normalised(const tain& a) { return a.nano <= nano_max; }

// skalibs multiplies tv_usec by 1000 in signed arithmetic and keeps the low 32 bits; unsigned
// arithmetic gives the same bits without overflowing for huge tv_usec.
std::uint32_t micro_to_nano(suseconds_t usec) {
  return static_cast<std::uint32_t>(1000U * static_cast<std::uint64_t>(usec));
}

// implements: TAICOMPAT-032. A 64-bit time_t takes every value; a 32-bit one only those whose
// upper half is all zeros or all ones (skalibs' test, which lets 2^31..2^32-1 wrap negative).
bool time_fits(std::uint64_t seconds) {
  if constexpr (sizeof(time_t) >= 8) return true;
  const std::uint64_t upper = seconds >> 32;
  return upper == 0 || upper == 0xffff'ffffU;
}

}  // namespace

extern "C" {

tain STAMP = TAIN_EPOCH;
tain const tain_zero = TAIN_ZERO;
tain const tain_infinite_relative = TAIN_INFINITE_RELATIVE;
tain const tain_infinite = TAIN_INFINITE;
tain const tain_nano500 = TAIN_NANO500;

// implements: TAICOMPAT-004 (the one validity check: bit 63 set is EOVERFLOW)
int tai_u64(tai* t, uint64_t u) {
  if (u & reserved_bit) {
    errno = EOVERFLOW;
    return 0;
  }
  t->x = u;
  return 1;
}

// implements: TAICOMPAT-002
int tai_add(tai* t, tai const* u, tai const* v) {
  t->x = u->x + v->x;
  return 1;
}

int tai_sub(tai* t, tai const* u, tai const* v) {
  t->x = u->x - v->x;
  return 1;
}

int time_from_tai(time_t* u, tai const* t) {
  const tai seconds{t->x - TAI_MAGIC};
  return time_from_tai_relative(u, &seconds);
}

int time_from_tai_relative(time_t* u, tai const* t) {
  if (!time_fits(t->x)) {
    errno = EOVERFLOW;
    return 0;
  }
  *u = static_cast<time_t>(t->x);
  return 1;
}

// implements: TAICOMPAT-001. With both nanosecond fields in range the sum is the C++ core's;
// otherwise skalibs' single carry on a wrapping 32-bit sum is reproduced as it is.
int tain_add(tain* t, tain const* u, tain const* v) {
  if (normalised(*u) && normalised(*v)) {
    *t = c_from(core_from(*u) + core_from(*v));
    return 1;
  }
  tain r;
  r.sec.x = u->sec.x + v->sec.x;
  r.nano = u->nano + v->nano;
  if (r.nano > nano_max) {
    ++r.sec.x;
    r.nano -= 1'000'000'000U;
  }
  *t = r;
  return 1;
}

// implements: TAICOMPAT-001. A borrow is detected as the 32-bit difference exceeding the minuend.
int tain_sub(tain* t, tain const* u, tain const* v) {
  if (normalised(*u) && normalised(*v)) {
    *t = c_from(core_from(*u) - core_from(*v));
    return 1;
  }
  tain r;
  r.sec.x = u->sec.x - v->sec.x;
  r.nano = u->nano - v->nano;
  if (r.nano > u->nano) {
    --r.sec.x;
    r.nano += 1'000'000'000U;
  }
  *t = r;
  return 1;
}

// implements: TAICOMPAT-003
int tain_less(tain const* t, tain const* u) {
  if (t->sec.x != u->sec.x) return t->sec.x < u->sec.x;
  return t->nano < u->nano;
}

// implements: TAICOMPAT-005. skalibs negates the int, undefined for INT_MIN; adding the
// two's-complement value modulo 2^64 is the same for every other c and defined for INT_MIN.
int tain_addsec(tain* b, tain const* a, int c) {
  const std::uint32_t nano = a->nano;
  b->sec.x = a->sec.x + static_cast<std::uint64_t>(static_cast<std::int64_t>(c));
  b->nano = nano;
  return 1;
}

// implements: TAICOMPAT-006
int tain_addmsec(tain* b, tain const* a, unsigned int c) {
  tain ms;
  ms.sec.x = c / 1000;
  ms.nano = (c % 1000) * 1'000'000U;
  return tain_add(b, a, &ms);
}

// implements: TAICOMPAT-007
void tain_half(tain* t, tain const* u) {
  const std::uint64_t sec = u->sec.x;
  t->nano = (u->nano >> 1) + ((sec & 1) ? 500'000'000U : 0U);
  t->sec.x = sec >> 1;
}

// implements: TAICOMPAT-008 (the minimum of *t and the others, by tain_less; ties keep *t)
void tain_earliest1(tain* t, tain const* u) {
  if (tain_less(u, t)) *t = *u;
}

void tain_earliestv(tain* t, tain const* const* v, unsigned int n) {
  for (unsigned int i = 0; i < n; ++i) tain_earliest1(t, v[i]);
}

// implements: TAICOMPAT-009
int tain_from_millisecs(tain* a, int millisecs) {
  if (millisecs < 0) {
    errno = EINVAL;
    return 0;
  }
  *a = c_from(refloop::tain_from_milliseconds(static_cast<std::uint64_t>(millisecs)));
  return 1;
}

// implements: TAICOMPAT-010. Rounds up; -1 without errno above 2147483.646 s. With nanoseconds
// out of range the 32-bit rounding sum wraps and the result is cut to int, as in skalibs.
int tain_to_millisecs(tain const* a) {
  if (a->sec.x > 2147483U) return -1;
  if (a->sec.x == 2147483U && a->nano > 646'000'000U) return -1;
  if (normalised(*a)) return static_cast<int>(refloop::milliseconds_from_tain(core_from(*a)));
  const std::uint32_t sub_ms = static_cast<std::uint32_t>(a->nano + 999'999U) / 1'000'000U;
  return static_cast<int>(a->sec.x * 1000 + sub_ms);
}

// implements: TAICOMPAT-004
int tain_ulong(tain* a, unsigned long u) {
  if (!tai_u64(&a->sec, u)) return 0;
  a->nano = 0;
  return 1;
}

// implements: TAICOMPAT-011 (the same double arithmetic as skalibs, so the same bits)
double tain_frac(tain const* a) { return a->nano * 0.000000001; }

double tain_approx(tain const* a) { return tai_approx(&a->sec) + tain_frac(a); }

// implements: TAICOMPAT-012. Absolute forms go through tai_from_time (2^62 + seconds, EOVERFLOW
// when the label would be reserved); the sub-second field is copied, never checked.
int tain_from_timespec(tain* t, struct timespec const* ts) {
  if (!tai_from_time(&t->sec, ts->tv_sec)) return 0;
  t->nano = static_cast<std::uint32_t>(ts->tv_nsec);
  return 1;
}

int tain_relative_from_timespec(tain* t, struct timespec const* ts) {
  t->sec.x = static_cast<std::uint64_t>(ts->tv_sec);
  t->nano = static_cast<std::uint32_t>(ts->tv_nsec);
  return 1;
}

int timespec_from_tain(struct timespec* ts, tain const* a) {
  if (!time_from_tai(&ts->tv_sec, &a->sec)) return 0;
  ts->tv_nsec = a->nano;
  return 1;
}

int timespec_from_tain_relative(struct timespec* ts, tain const* a) {
  if (!time_from_tai_relative(&ts->tv_sec, &a->sec)) return 0;
  ts->tv_nsec = a->nano;
  return 1;
}

int tain_from_timeval(tain* t, struct timeval const* tv) {
  if (!tai_from_time(&t->sec, tv->tv_sec)) return 0;
  t->nano = micro_to_nano(tv->tv_usec);
  return 1;
}

int tain_relative_from_timeval(tain* t, struct timeval const* tv) {
  t->sec.x = static_cast<std::uint64_t>(tv->tv_sec);
  t->nano = micro_to_nano(tv->tv_usec);
  return 1;
}

// implements: TAICOMPAT-013 (round to nearest, so 999999500 ns and up give tv_usec 1000000)
static suseconds_t micro_nearest(std::uint32_t nano) {
  return static_cast<suseconds_t>(static_cast<std::uint32_t>(nano + 500U) / 1000U);
}

int timeval_from_tain(struct timeval* tv, tain const* a) {
  if (!time_from_tai(&tv->tv_sec, &a->sec)) return 0;
  tv->tv_usec = micro_nearest(a->nano);
  return 1;
}

int timeval_from_tain_relative(struct timeval* tv, tain const* a) {
  if (!time_from_tai_relative(&tv->tv_sec, &a->sec)) return 0;
  tv->tv_usec = micro_nearest(a->nano);
  return 1;
}

}  // extern "C"
