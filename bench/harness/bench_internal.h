/* SPDX-License-Identifier: ISC */
/* What the harness's own files share (bench.c, io.c, timers.c); programs see only bench.h. */
#ifndef REFLOOP_BENCH_INTERNAL_H
#define REFLOOP_BENCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"

struct bench_options {
  const char *benchmark;     /* io, timers, lateness */
  const char *config;        /* backend or method; "" = the library's default */
  const char *channel_kind;  /* socketpair or eventfd */
  size_t channels, active, writes, reps;
  size_t timers;
  const char *spread;        /* spread (every expiry distinct) or clustered (8 distinct expiries) */
  uint64_t window_ms;        /* expiries lie in [now, now + window) */
  uint64_t budget_ms;        /* lateness: time to spend per deadline */
};

extern struct bench_options options;
extern const struct bench_library *library;

void bench_fail(const char *what) __attribute__((noreturn));
void bench_fail_errno(const char *call) __attribute__((noreturn));  /* adds strerror(errno) */
void bench_emit(const char *benchmark, const char *variant, long param, const char *metric,
                double value);
double bench_median(double *values, size_t count);  /* sorts values */

int bench_run_io(void);
void bench_io_release(void);  /* closes the channels: after the library has let go of them */
int bench_run_timers(void);
int bench_run_lateness(void);

#endif
