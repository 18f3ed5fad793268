/* SPDX-License-Identifier: ISC */
/* The timer benchmark (start, cancel, expire T timers) and the lateness samples. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_internal.h"

/* A fixed permutation of 0..T-1 (a prime multiplier coprime to every T the driver uses), so
   timers start and cancel in an order that is neither ascending nor descending. */
static size_t permuted(size_t i, size_t count) {
  return (size_t)(((unsigned __int128)i * 2654435761u) % count);
}

static size_t fired;
static int clustered;

void bench_timer_fired(size_t timer) {
  (void)timer;
  fired++;
}

/* Spread: every expiry distinct, evenly over the window. Clustered: 8 distinct expiries. */
static uint64_t offset_ns(size_t timer, size_t count) {
  uint64_t window_ns = options.window_ms * 1000000u;
  size_t rank = permuted(timer, count);
  if (clustered) return (rank % 8) * (window_ns / 8);
  return (uint64_t)((unsigned __int128)rank * window_ns / count);
}

static void start_all(size_t count) {
  library->timers_refresh_now();
  for (size_t i = 0; i < count; i++) library->timer_start(i, offset_ns(i, count));
}

static void sleep_until(uint64_t when_ns) {
  struct timespec until = {.tv_sec = (time_t)(when_ns / 1000000000u),
                           .tv_nsec = (long)(when_ns % 1000000000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != 0) {
  }
}

/* One round: start T (timed), cancel T in another order (timed), start T again, wait until
   every expiry has passed (untimed), then run the loop until all have fired (timed). */
static void run_round(size_t count, double *start_ns, double *cancel_ns, double *expire_ns) {
  uint64_t t0 = bench_monotonic_ns();
  start_all(count);
  uint64_t t1 = bench_monotonic_ns();
  for (size_t i = 0; i < count; i++) library->timer_cancel(permuted(count - 1 - i, count));
  uint64_t t2 = bench_monotonic_ns();
  start_all(count);
  sleep_until(bench_monotonic_ns() + options.window_ms * 1000000u + 2000000u);
  fired = 0;
  uint64_t t3 = bench_monotonic_ns();
  library->timers_run();
  uint64_t t4 = bench_monotonic_ns();
  if (fired != count) bench_fail("not every timer fired");
  *start_ns = (double)(t1 - t0) / (double)count;
  *cancel_ns = (double)(t2 - t1) / (double)count;
  *expire_ns = (double)(t4 - t3) / (double)count;
}

int bench_run_timers(void) {
  size_t count = options.timers, reps = options.reps ? options.reps : 3;
  if (library->timer_start == NULL) bench_fail("this library has no timers");
  if (count == 0) bench_fail("--timers must be at least 1");
  clustered = strcmp(options.spread, "clustered") == 0;
  if (!clustered && strcmp(options.spread, "spread") != 0) bench_fail("--spread: spread or clustered");
  library->timers_prepare(count);
  double start[reps], cancel[reps], expire[reps], per_op[reps], ignored[3];
  run_round(count, &ignored[0], &ignored[1], &ignored[2]);  /* warm-up */
  for (size_t r = 0; r < reps; r++) {
    run_round(count, &start[r], &cancel[r], &expire[r]);
    per_op[r] = (start[r] + cancel[r] + expire[r]) / 3;
  }
  bench_emit("timers", options.spread, (long)count, "start_ns", bench_median(start, reps));
  bench_emit("timers", options.spread, (long)count, "cancel_ns", bench_median(cancel, reps));
  bench_emit("timers", options.spread, (long)count, "expire_ns", bench_median(expire, reps));
  bench_emit("timers", options.spread, (long)count, "ns_per_op", bench_median(per_op, reps));
  return 0;
}

static int compare_int64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void report_lateness(long deadline_ms, int64_t *samples, size_t count) {
  qsort(samples, count, sizeof *samples, compare_int64);
  size_t p99 = (count * 99 + 99) / 100 - 1;
  bench_emit("lateness", "-", deadline_ms, "p50_us", (double)samples[(count - 1) / 2] / 1e3);
  bench_emit("lateness", "-", deadline_ms, "p99_us", (double)samples[p99] / 1e3);
  bench_emit("lateness", "-", deadline_ms, "max_us", (double)samples[count - 1] / 1e3);
  bench_emit("lateness", "-", deadline_ms, "min_us", (double)samples[0] / 1e3);
  bench_emit("lateness", "-", deadline_ms, "samples", (double)count);
}

int bench_run_lateness(void) {
  static const long deadlines_ms[] = {1, 10, 100};
  if (library->lateness_sample == NULL) bench_fail("this library has no timer to sample");
  for (size_t d = 0; d < sizeof deadlines_ms / sizeof *deadlines_ms; d++) {
    size_t count = options.budget_ms / (3 * (uint64_t)deadlines_ms[d]);
    count = count < 5 ? 5 : count > 1000 ? 1000 : count;
    int64_t *samples = malloc(count * sizeof *samples);
    if (samples == NULL) bench_fail_errno("malloc");
    for (size_t i = 0; i < count; i++)
      samples[i] = library->lateness_sample((uint64_t)deadlines_ms[d] * 1000000u);
    report_lateness(deadlines_ms[d], samples, count);
    free(samples);
  }
  return 0;
}
