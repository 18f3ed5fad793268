/* SPDX-License-Identifier: ISC */
/* The I/O chain, after libevent's benchmark: N channels (socketpairs or eventfds), a token
   written to ACTIVE of them, and each read handler passing its token on to the next channel
   until WRITES writes have been made. A round is "setup" (re-arm every watcher the way the
   library's API re-adds one) then "run" (the chain, from the first write to the last read). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_internal.h"

static int *read_fds, *write_fds;
static int use_eventfd;
static size_t reads_done, reads_expected, writes_left;

static void create_channels(size_t count) {
  read_fds = calloc(count, sizeof *read_fds);
  write_fds = calloc(count, sizeof *write_fds);
  if (read_fds == NULL || write_fds == NULL) bench_fail_errno("calloc");
  for (size_t i = 0; i < count; i++) {
    if (use_eventfd) {
      /* EFD_SEMAPHORE: one read takes one token, exactly as one byte of a socketpair. */
      read_fds[i] = write_fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE);
      if (read_fds[i] < 0) bench_fail_errno("eventfd");
    } else {
      int pair[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
        bench_fail_errno("socketpair");
      read_fds[i] = pair[0];
      write_fds[i] = pair[1];
    }
  }
}

void bench_io_release(void) {
  size_t count = read_fds ? options.channels : 0;
  for (size_t i = 0; i < count; i++) {
    close(read_fds[i]);
    if (!use_eventfd) close(write_fds[i]);
  }
  free(read_fds);
  free(write_fds);
  read_fds = write_fds = NULL;
}

static void send_token(size_t channel) {
  static const uint64_t one = 1;
  ssize_t wrote = use_eventfd ? write(write_fds[channel], &one, sizeof one)
                              : write(write_fds[channel], "e", 1);
  if (wrote <= 0) bench_fail_errno("write");
}

void bench_channel_readable(size_t channel) {
  uint64_t token;
  ssize_t got = read(read_fds[channel], &token, use_eventfd ? sizeof token : 1);
  if (got > 0) reads_done++;
  if (writes_left > 0) {
    writes_left--;
    send_token((channel + 1) % options.channels);
  }
  if (bench_io_finished() && library->io_stop) library->io_stop();
}

int bench_io_finished(void) { return writes_left == 0 && reads_done >= reads_expected; }

static void run_round(double *setup_us, double *run_us) {
  size_t count = options.channels, active = options.active < count ? options.active : count;
  uint64_t start = bench_monotonic_ns();
  for (size_t i = 0; i < count; i++) library->io_rearm(i, read_fds[i]);
  uint64_t armed = bench_monotonic_ns();
  reads_done = 0;
  reads_expected = active + options.writes;
  writes_left = options.writes;
  size_t space = count / active;
  for (size_t i = 0; i < active; i++) send_token(i * space);
  library->io_run();
  uint64_t finished = bench_monotonic_ns();
  if (!bench_io_finished()) bench_fail("the loop returned before the chain finished");
  *setup_us = (double)(armed - start) / 1e3;
  *run_us = (double)(finished - armed) / 1e3;
}

int bench_run_io(void) {
  size_t count = options.channels, reps = options.reps ? options.reps : 5;
  if (count == 0) bench_fail("--n must be at least 1");
  if (strcmp(options.channel_kind, "eventfd") == 0) use_eventfd = 1;
  else if (strcmp(options.channel_kind, "socketpair") != 0) bench_fail("--chan: socketpair or eventfd");
  create_channels(count);
  library->io_prepare(count);
  for (size_t i = 0; i < count; i++) library->io_watch(i, read_fds[i]);
  double setup[reps], run[reps], total[reps], ignored_setup, ignored_run;
  run_round(&ignored_setup, &ignored_run);  /* warm-up: first registrations, caches, page faults */
  for (size_t r = 0; r < reps; r++) {
    run_round(&setup[r], &run[r]);
    total[r] = setup[r] + run[r];
  }
  bench_emit("io", options.channel_kind, (long)count, "setup_us", bench_median(setup, reps));
  bench_emit("io", options.channel_kind, (long)count, "run_us", bench_median(run, reps));
  bench_emit("io", options.channel_kind, (long)count, "total_us", bench_median(total, reps));
  return 0;
}
