/* SPDX-License-Identifier: ISC */
/* The wrappers skalibs_tai_adapter.cpp exports around Debian's real libskarnet (skalibs 2.13.1.1,
   whose tai code equals 2.15.1.0): skalibs_real_X calls skalibs' X. The types come from whichever
   <skalibs/tai.h> is on the include path: skalibs' own in the adapter, refloop's in the tests.
   Both lay tai/tain out identically, which is part of what the differential tests check.
   (spec/time.md, TAICOMPAT-031) */
#ifndef REFLOOP_SKALIBS_TAI_REAL_H
#define REFLOOP_SKALIBS_TAI_REAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/time.h>

#include <skalibs/tai.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Arithmetic and plain conversions. */
int skalibs_real_tai_u64(tai *, uint64_t);
int skalibs_real_tai_add(tai *, tai const *, tai const *);
int skalibs_real_tai_sub(tai *, tai const *, tai const *);
int skalibs_real_time_from_tai(time_t *, tai const *);
int skalibs_real_time_from_tai_relative(time_t *, tai const *);
int skalibs_real_tain_add(tain *, tain const *, tain const *);
int skalibs_real_tain_sub(tain *, tain const *, tain const *);
int skalibs_real_tain_less(tain const *, tain const *);
int skalibs_real_tain_addsec(tain *, tain const *, int);
void skalibs_real_tain_half(tain *, tain const *);
int skalibs_real_tain_from_millisecs(tain *, int);
int skalibs_real_tain_to_millisecs(tain const *);
int skalibs_real_tain_ulong(tain *, unsigned long);
double skalibs_real_tain_approx(tain const *);
double skalibs_real_tain_frac(tain const *);
int skalibs_real_tain_from_timespec(tain *, struct timespec const *);
int skalibs_real_tain_relative_from_timespec(tain *, struct timespec const *);
int skalibs_real_timespec_from_tain(struct timespec *, tain const *);
int skalibs_real_timespec_from_tain_relative(struct timespec *, tain const *);
int skalibs_real_tain_from_timeval(tain *, struct timeval const *);
int skalibs_real_tain_relative_from_timeval(tain *, struct timeval const *);
int skalibs_real_timeval_from_tain(struct timeval *, tain const *);
int skalibs_real_timeval_from_tain_relative(struct timeval *, tain const *);

/* External forms. */
void skalibs_real_tai_pack(char *, tai const *);
void skalibs_real_tai_unpack(char const *, tai *);
void skalibs_real_tai_pack_little(char *, tai const *);
void skalibs_real_tai_unpack_little(char const *, tai *);
void skalibs_real_tain_pack(char *, tain const *);
void skalibs_real_tain_unpack(char const *, tain *);
void skalibs_real_tain_pack_little(char *, tain const *);
void skalibs_real_tain_unpack_little(char const *, tain *);
size_t skalibs_real_tain_fmt(char *, tain const *);
size_t skalibs_real_tain_scan(char const *, tain *);
size_t skalibs_real_timestamp_fmt(char *, tain const *);
size_t skalibs_real_timestamp_scan(char const *, tain *);
int skalibs_real_timestamp_r(char *, tain *);
int skalibs_real_timestamp(char *);

/* Leap seconds and the system clock. */
int skalibs_real_tai_from_utc(tai *, uint64_t);
int skalibs_real_utc_from_tai(uint64_t *, tai const *);
int skalibs_real_utc_from_sysclock(uint64_t *);
int skalibs_real_sysclock_from_utc(uint64_t *);
int skalibs_real_tai_from_sysclock(tai *, uint64_t);
int skalibs_real_sysclock_from_tai(uint64_t *, tai const *);
int skalibs_real_tain_from_sysclock(tain *, tain const *);
int skalibs_real_sysclock_from_tain(tain *, tain const *);
int skalibs_real_time_sysclock_from_tai(time_t *, tai const *);
int skalibs_real_tain_from_timespec_sysclock(tain *, struct timespec const *);
int skalibs_real_tain_from_timeval_sysclock(tain *, struct timeval const *);
int skalibs_real_timespec_sysclock_from_tain(struct timespec *, tain const *);
int skalibs_real_timeval_sysclock_from_tain(struct timeval *, tain const *);

/* Clocks. skalibs' STAMP and tain_now are its own globals, separate from refloop's. */
int skalibs_real_sysclock_get(tain *);
int skalibs_real_tain_wallclock_read(tain *);
int skalibs_real_tai_now(tai *);
int skalibs_real_tain_stopwatch_init(tain *, clock_t, tain *);
int skalibs_real_tain_stopwatch_read(tain *, clock_t, tain const *);
int skalibs_real_tain_now_set_wallclock(tain *);
int skalibs_real_tain_now_set_stopwatch(tain *);
int skalibs_real_tain_now_g(void);                /* (*tain_now)(&STAMP) */
int skalibs_real_tain_now_is_wallclock(void);     /* tain_now == &tain_wallclock_read */
tain *skalibs_real_stamp(void);                   /* &STAMP */

/* Constants, and where the wrapped functions live (for the "really reaches skalibs" check). */
tain const *skalibs_real_constant(char const *name); /* "zero", "infinite", ... or NULL */
void const *skalibs_real_address_of_tain_add(void);
char const *skalibs_real_version(void);

#ifdef __cplusplus
}
#endif

/* Every wrapped function, for checks that apply to each (X-macro). */
#define SKALIBS_TAI_REAL_FUNCTIONS(X) \
  X(tai_u64) \
  X(tai_add) \
  X(tai_sub) \
  X(time_from_tai) \
  X(time_from_tai_relative) \
  X(tain_add) \
  X(tain_sub) \
  X(tain_less) \
  X(tain_addsec) \
  X(tain_half) \
  X(tain_from_millisecs) \
  X(tain_to_millisecs) \
  X(tain_ulong) \
  X(tain_approx) \
  X(tain_frac) \
  X(tain_from_timespec) \
  X(tain_relative_from_timespec) \
  X(timespec_from_tain) \
  X(timespec_from_tain_relative) \
  X(tain_from_timeval) \
  X(tain_relative_from_timeval) \
  X(timeval_from_tain) \
  X(timeval_from_tain_relative) \
  X(tai_pack) \
  X(tai_unpack) \
  X(tai_pack_little) \
  X(tai_unpack_little) \
  X(tain_pack) \
  X(tain_unpack) \
  X(tain_pack_little) \
  X(tain_unpack_little) \
  X(tain_fmt) \
  X(tain_scan) \
  X(timestamp_fmt) \
  X(timestamp_scan) \
  X(timestamp_r) \
  X(timestamp) \
  X(tai_from_utc) \
  X(utc_from_tai) \
  X(utc_from_sysclock) \
  X(sysclock_from_utc) \
  X(tai_from_sysclock) \
  X(sysclock_from_tai) \
  X(tain_from_sysclock) \
  X(sysclock_from_tain) \
  X(time_sysclock_from_tai) \
  X(tain_from_timespec_sysclock) \
  X(tain_from_timeval_sysclock) \
  X(timespec_sysclock_from_tain) \
  X(timeval_sysclock_from_tain) \
  X(sysclock_get) \
  X(tain_wallclock_read) \
  X(tai_now) \
  X(tain_stopwatch_init) \
  X(tain_stopwatch_read) \
  X(tain_now_set_wallclock) \
  X(tain_now_set_stopwatch)

#endif
