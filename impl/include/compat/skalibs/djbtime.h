/* SPDX-License-Identifier: ISC */
/* The skalibs-compatible UTC <-> TAI conversions of <skalibs/djbtime.h> (spec/time.md,
   TAICOMPAT), with skalibs 2.15.1.0's names, signatures and behaviour in its default (UTC)
   build: the system clock counts POSIX UTC seconds. Only the UTC/TAI part is provided; the NTP
   and local-time parts of skalibs' djbtime.h are not, so code using them fails to compile here
   rather than behave differently. Compiles as C99 and as C++ (C linkage). */
#ifndef SKALIBS_DJBTIME_H
#define SKALIBS_DJBTIME_H

#include <stdint.h>
#include <time.h>

#include <skalibs/uint64.h>
#include <skalibs/tai.h>

#ifdef __cplusplus
extern "C" {
#endif

extern int utc_from_tai(uint64_t *, tai const *);
extern int tai_from_utc(tai *, uint64_t);
extern int utc_from_sysclock(uint64_t *);
extern int sysclock_from_utc(uint64_t *);

#ifdef __cplusplus
}
#endif

#endif
