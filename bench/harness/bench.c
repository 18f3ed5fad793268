/* SPDX-License-Identifier: ISC */
/* The harness behind every benchmark program (bench.h): argument parsing, the I/O chain, the
   timer phases, the lateness samples and the result lines. */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_internal.h"

struct bench_options options;
const struct bench_library *library;

uint64_t bench_monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void bench_fail(const char *what) {
  fprintf(stderr, "%s %s: %s\n", library ? library->name : "bench", options.config, what);
  exit(1);
}

void bench_fail_errno(const char *call) {
  fprintf(stderr, "%s %s: %s: %s\n", library ? library->name : "bench", options.config, call,
          strerror(errno));
  exit(1);
}

void bench_emit(const char *benchmark, const char *variant, long param, const char *metric,
                double value) {
  printf("bench %s %s %s %s %ld %s %.3f\n", library->name, options.config[0] ? options.config : "-",
         benchmark, variant, param, metric, value);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double bench_median(double *values, size_t count) {
  qsort(values, count, sizeof *values, compare_doubles);
  return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

/* A benchmark with 20,000 channels needs more than the usual 1024 descriptors: raise the soft
   limit to the hard one, as a server would. */
static void raise_fd_limit(void) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

static void usage(void) {
  fprintf(stderr,
          "usage: %s --bench io|timers|lateness [--config NAME]\n"
          "  io:       --chan socketpair|eventfd --n CHANNELS [--active 100] [--writes 100] [--reps 5]\n"
          "  timers:   --timers T --spread spread|clustered [--reps 3] [--window-ms 50]\n"
          "  lateness: [--budget-ms 1500] (samples per deadline: budget / (3 x deadline), 5..1000)\n",
          library->name);
  exit(2);
}

static long numeric_argument(const char *text) {
  char *end;
  long value = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value < 0) usage();
  return value;
}

static void parse_arguments(int argc, char **argv) {
  options = (struct bench_options){.benchmark = "", .config = "", .channel_kind = "socketpair",
                                   .channels = 100, .active = 100, .writes = 100, .reps = 0,
                                   .timers = 1000, .spread = "spread", .window_ms = 50,
                                   .budget_ms = 1500};
  for (int i = 1; i < argc; i++) {
    const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (value == NULL) usage();
    i++;
    if (strcmp(name, "--bench") == 0) options.benchmark = value;
    else if (strcmp(name, "--config") == 0) options.config = value;
    else if (strcmp(name, "--chan") == 0) options.channel_kind = value;
    else if (strcmp(name, "--n") == 0) options.channels = (size_t)numeric_argument(value);
    else if (strcmp(name, "--active") == 0) options.active = (size_t)numeric_argument(value);
    else if (strcmp(name, "--writes") == 0) options.writes = (size_t)numeric_argument(value);
    else if (strcmp(name, "--reps") == 0) options.reps = (size_t)numeric_argument(value);
    else if (strcmp(name, "--timers") == 0) options.timers = (size_t)numeric_argument(value);
    else if (strcmp(name, "--spread") == 0) options.spread = value;
    else if (strcmp(name, "--window-ms") == 0) options.window_ms = (uint64_t)numeric_argument(value);
    else if (strcmp(name, "--budget-ms") == 0) options.budget_ms = (uint64_t)numeric_argument(value);
    else usage();
  }
}

int bench_main(const struct bench_library *chosen, int argc, char **argv) {
  library = chosen;
  parse_arguments(argc, argv);
  raise_fd_limit();
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (library->open(options.config) != 0) {
    fprintf(stderr, "%s: configuration '%s' not available\n", library->name, options.config);
    return 3;
  }
  int status;
  if (strcmp(options.benchmark, "io") == 0) status = bench_run_io();
  else if (strcmp(options.benchmark, "timers") == 0) status = bench_run_timers();
  else if (strcmp(options.benchmark, "lateness") == 0) status = bench_run_lateness();
  else usage(), status = 2;
  library->close();
  bench_io_release();
  return status;
}
