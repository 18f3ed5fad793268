/* SPDX-License-Identifier: ISC */
/* A skalibs-style loop on <skalibs/iopause.h>. Compiled twice from this one source: against
   refloop's C API ("refloop-skalibs", linked with refloop::skalibs) and against Debian's
   libskarnet ("skalibs"), so both run on the same arrays with the same calls. --config names
   the function (ppoll, poll, select); "" is iopause_g, the default function with the stamp
   refreshed after each wait. Re-arm refills the array entry, as a skalibs loop rebuilds its
   array every iteration; run waits until the infinite deadline and scans revents. */
#include <skalibs/iopause.h>
#include <skalibs/tai.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#ifndef BENCH_LIBRARY_NAME
#error "BENCH_LIBRARY_NAME must name the <skalibs/iopause.h> implementation"
#endif

static iopause_fd *entries;
static size_t entry_count;
static iopause_func *chosen;  /* NULL: iopause_g */

static int open_loop(const char *config) {
  if (strcmp(config, "ppoll") == 0) chosen = &iopause_ppoll;
  else if (strcmp(config, "poll") == 0) chosen = &iopause_poll;
  else if (strcmp(config, "select") == 0) chosen = &iopause_select;
  else if (config[0] != '\0') return -1;
  tain_now_g();
  return 0;
}

static void close_loop(void) {}

static void io_prepare(size_t channels) {
  entries = calloc(channels, sizeof *entries);
  entry_count = channels;
  if (entries == NULL) abort();
}

static void io_rearm(size_t channel, int fd) {
  entries[channel].fd = fd;
  entries[channel].events = IOPAUSE_READ;
}

static int wait_once(const tain *deadline) {
  if (chosen == NULL) return iopause_g(entries, (unsigned)entry_count, deadline);
  int result = (*chosen)(entries, (unsigned)entry_count, deadline, &STAMP);
  tain_now_g();
  return result;
}

static void io_run(void) {
  while (!bench_io_finished()) {
    if (wait_once(&tain_infinite) <= 0) continue;
    for (size_t i = 0; i < entry_count; i++)
      if (entries[i].revents & IOPAUSE_READ) bench_channel_readable(i);
  }
}

static int64_t difference_ns(const tain *a, const tain *b) {
  return (int64_t)(tain_sec(a).x - tain_sec(b).x) * 1000000000 +
         ((int64_t)tain_nano(a) - (int64_t)tain_nano(b));
}

static int64_t lateness_sample(uint64_t deadline_ns) {
  tain deadline, delay = {.sec = {deadline_ns / 1000000000u}, .nano = (uint32_t)(deadline_ns % 1000000000u)};
  size_t saved_count = entry_count;
  entry_count = 0;
  tain_now_g();
  tain_add_g(&deadline, &delay);
  while (tain_less(&STAMP, &deadline)) wait_once(&deadline);
  entry_count = saved_count;
  return difference_ns(&STAMP, &deadline);
}

int main(int argc, char **argv) {
  static const struct bench_library library = {
      .name = BENCH_LIBRARY_NAME, .open = open_loop, .close = close_loop,
      .io_prepare = io_prepare, .io_watch = io_rearm, .io_rearm = io_rearm, .io_run = io_run,
      .lateness_sample = lateness_sample};
  return bench_main(&library, argc, argv);
}
