// SPDX-License-Identifier: ISC
// The one translation unit that sees skalibs' real headers (spec/time.md, TAICOMPAT-031). It is
// compiled into the shared library refloop_skalibs_real together with Debian's libskarnet.a,
// whose symbols the link hides (--exclude-libs,ALL), and exports only skalibs_real_* wrappers,
// each a plain call of the skalibs function of the same name. skalibs' headers have no
// extern "C" guards, so they are included inside one; their macros stay in this file.
#include <cstring>
#include <type_traits>

extern "C" {
#include <skalibs/config.h>
#include <skalibs/djbtime.h>
#include <skalibs/tai.h>
}

#include "skalibs_tai_real.h"

// Each wrapper has exactly the signature of skalibs' function; skalibs_tai_differential.cpp
// checks the same against refloop's declarations, so the two headers declare the same types.
#define SKALIBS_TAI_SAME_SIGNATURE(name) \
  static_assert(std::is_same_v<decltype(&::name), decltype(&::skalibs_real_##name)>, #name);
SKALIBS_TAI_REAL_FUNCTIONS(SKALIBS_TAI_SAME_SIGNATURE)

extern "C" {

int skalibs_real_tai_u64(tai *a0, uint64_t a1) { return tai_u64(a0, a1); }
int skalibs_real_tai_add(tai *a0, tai const *a1, tai const *a2) { return tai_add(a0, a1, a2); }
int skalibs_real_tai_sub(tai *a0, tai const *a1, tai const *a2) { return tai_sub(a0, a1, a2); }
int skalibs_real_time_from_tai(time_t *a0, tai const *a1) { return time_from_tai(a0, a1); }
int skalibs_real_time_from_tai_relative(time_t *a0, tai const *a1) { return time_from_tai_relative(a0, a1); }
int skalibs_real_tain_add(tain *a0, tain const *a1, tain const *a2) { return tain_add(a0, a1, a2); }
int skalibs_real_tain_sub(tain *a0, tain const *a1, tain const *a2) { return tain_sub(a0, a1, a2); }
int skalibs_real_tain_less(tain const *a0, tain const *a1) { return tain_less(a0, a1); }
int skalibs_real_tain_addsec(tain *a0, tain const *a1, int a2) { return tain_addsec(a0, a1, a2); }
void skalibs_real_tain_half(tain *a0, tain const *a1) { tain_half(a0, a1); }
int skalibs_real_tain_from_millisecs(tain *a0, int a1) { return tain_from_millisecs(a0, a1); }
int skalibs_real_tain_to_millisecs(tain const *a0) { return tain_to_millisecs(a0); }
int skalibs_real_tain_ulong(tain *a0, unsigned long a1) { return tain_ulong(a0, a1); }
double skalibs_real_tain_approx(tain const *a0) { return tain_approx(a0); }
double skalibs_real_tain_frac(tain const *a0) { return tain_frac(a0); }
int skalibs_real_tain_from_timespec(tain *a0, struct timespec const *a1) { return tain_from_timespec(a0, a1); }
int skalibs_real_tain_relative_from_timespec(tain *a0, struct timespec const *a1) { return tain_relative_from_timespec(a0, a1); }
int skalibs_real_timespec_from_tain(struct timespec *a0, tain const *a1) { return timespec_from_tain(a0, a1); }
int skalibs_real_timespec_from_tain_relative(struct timespec *a0, tain const *a1) { return timespec_from_tain_relative(a0, a1); }
int skalibs_real_tain_from_timeval(tain *a0, struct timeval const *a1) { return tain_from_timeval(a0, a1); }
int skalibs_real_tain_relative_from_timeval(tain *a0, struct timeval const *a1) { return tain_relative_from_timeval(a0, a1); }
int skalibs_real_timeval_from_tain(struct timeval *a0, tain const *a1) { return timeval_from_tain(a0, a1); }
int skalibs_real_timeval_from_tain_relative(struct timeval *a0, tain const *a1) { return timeval_from_tain_relative(a0, a1); }
void skalibs_real_tai_pack(char *a0, tai const *a1) { tai_pack(a0, a1); }
void skalibs_real_tai_unpack(char const *a0, tai *a1) { tai_unpack(a0, a1); }
void skalibs_real_tai_pack_little(char *a0, tai const *a1) { tai_pack_little(a0, a1); }
void skalibs_real_tai_unpack_little(char const *a0, tai *a1) { tai_unpack_little(a0, a1); }
void skalibs_real_tain_pack(char *a0, tain const *a1) { tain_pack(a0, a1); }
void skalibs_real_tain_unpack(char const *a0, tain *a1) { tain_unpack(a0, a1); }
void skalibs_real_tain_pack_little(char *a0, tain const *a1) { tain_pack_little(a0, a1); }
void skalibs_real_tain_unpack_little(char const *a0, tain *a1) { tain_unpack_little(a0, a1); }
size_t skalibs_real_tain_fmt(char *a0, tain const *a1) { return tain_fmt(a0, a1); }
size_t skalibs_real_tain_scan(char const *a0, tain *a1) { return tain_scan(a0, a1); }
size_t skalibs_real_timestamp_fmt(char *a0, tain const *a1) { return timestamp_fmt(a0, a1); }
size_t skalibs_real_timestamp_scan(char const *a0, tain *a1) { return timestamp_scan(a0, a1); }
int skalibs_real_timestamp_r(char *a0, tain *a1) { return timestamp_r(a0, a1); }
int skalibs_real_timestamp(char *a0) { return timestamp(a0); }
int skalibs_real_tai_from_utc(tai *a0, uint64_t a1) { return tai_from_utc(a0, a1); }
int skalibs_real_utc_from_tai(uint64_t *a0, tai const *a1) { return utc_from_tai(a0, a1); }
int skalibs_real_utc_from_sysclock(uint64_t *a0) { return utc_from_sysclock(a0); }
int skalibs_real_sysclock_from_utc(uint64_t *a0) { return sysclock_from_utc(a0); }
int skalibs_real_tai_from_sysclock(tai *a0, uint64_t a1) { return tai_from_sysclock(a0, a1); }
int skalibs_real_sysclock_from_tai(uint64_t *a0, tai const *a1) { return sysclock_from_tai(a0, a1); }
int skalibs_real_tain_from_sysclock(tain *a0, tain const *a1) { return tain_from_sysclock(a0, a1); }
int skalibs_real_sysclock_from_tain(tain *a0, tain const *a1) { return sysclock_from_tain(a0, a1); }
int skalibs_real_time_sysclock_from_tai(time_t *a0, tai const *a1) { return time_sysclock_from_tai(a0, a1); }
int skalibs_real_tain_from_timespec_sysclock(tain *a0, struct timespec const *a1) { return tain_from_timespec_sysclock(a0, a1); }
int skalibs_real_tain_from_timeval_sysclock(tain *a0, struct timeval const *a1) { return tain_from_timeval_sysclock(a0, a1); }
int skalibs_real_timespec_sysclock_from_tain(struct timespec *a0, tain const *a1) { return timespec_sysclock_from_tain(a0, a1); }
int skalibs_real_timeval_sysclock_from_tain(struct timeval *a0, tain const *a1) { return timeval_sysclock_from_tain(a0, a1); }
int skalibs_real_sysclock_get(tain *a0) { return sysclock_get(a0); }
int skalibs_real_tain_wallclock_read(tain *a0) { return tain_wallclock_read(a0); }
int skalibs_real_tai_now(tai *a0) { return tai_now(a0); }
int skalibs_real_tain_stopwatch_init(tain *a0, clock_t a1, tain *a2) { return tain_stopwatch_init(a0, a1, a2); }
int skalibs_real_tain_stopwatch_read(tain *a0, clock_t a1, tain const *a2) { return tain_stopwatch_read(a0, a1, a2); }
int skalibs_real_tain_now_set_wallclock(tain *a0) { return tain_now_set_wallclock(a0); }
int skalibs_real_tain_now_set_stopwatch(tain *a0) { return tain_now_set_stopwatch(a0); }

int skalibs_real_tain_now_g(void) { return tain_now_g(); }
int skalibs_real_tain_now_is_wallclock(void) { return tain_now == &tain_wallclock_read; }
tain* skalibs_real_stamp(void) { return &STAMP; }

tain const* skalibs_real_constant(char const* name) {
  static const struct {
    char const* name;
    tain const* value;
  } constants[] = {{"zero", &tain_zero}, {"infinite", &tain_infinite},
                   {"infinite_relative", &tain_infinite_relative}, {"nano500", &tain_nano500}};
  for (const auto& c : constants)
    if (std::strcmp(c.name, name) == 0) return c.value;
  return nullptr;
}

void const* skalibs_real_address_of_tain_add(void) { return reinterpret_cast<void const*>(&tain_add); }
char const* skalibs_real_version(void) { return SKALIBS_VERSION; }

}  // extern "C"
