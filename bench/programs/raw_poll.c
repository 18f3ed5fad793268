/* SPDX-License-Identifier: ISC */
/* A minimal poll loop, the lower bound for pollfd-array loops: re-arm refills the array entry
   (as a poll loop rebuilds its array), run is poll plus a scan of revents. Lateness uses ppoll
   with a nanosecond timeout until the deadline has passed. */
#define _GNU_SOURCE
#ifndef BENCH_LIBRARY_NAME
#define BENCH_LIBRARY_NAME "raw-poll"
#endif
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

static struct pollfd *entries;
static size_t entry_count;

static int open_loop(const char *config) { return config[0] == '\0' ? 0 : -1; }
static void close_loop(void) {}

static void io_prepare(size_t channels) {
  entries = calloc(channels, sizeof *entries);
  entry_count = channels;
  if (entries == NULL) abort();
}

static void io_rearm(size_t channel, int fd) {
  entries[channel].fd = fd;
  entries[channel].events = POLLIN;
#ifdef RAW_POLL_FLAGS
  /* bench-raw-poll-flags: also reads the two flags a pollfd backend's registration checks (spec/
     loop.md FD-009: O_NONBLOCK and FD_CLOEXEC, two fcntl calls), so its run phase shows what that
     sweep over every fd costs the chain afterwards, whoever makes it. */
  if (fcntl(fd, F_GETFL) < 0 || fcntl(fd, F_GETFD) < 0) abort();
#endif
}

static void io_run(void) {
  while (!bench_io_finished()) {
    if (poll(entries, entry_count, -1) <= 0) continue;
    for (size_t i = 0; i < entry_count; i++)
      if (entries[i].revents & POLLIN) bench_channel_readable(i);
  }
}

static int64_t lateness_sample(uint64_t deadline_ns) {
  uint64_t expiry = bench_monotonic_ns() + deadline_ns, now;
  while ((now = bench_monotonic_ns()) < expiry) {
    struct timespec timeout = {.tv_sec = (time_t)((expiry - now) / 1000000000u),
                               .tv_nsec = (long)((expiry - now) % 1000000000u)};
    ppoll(NULL, 0, &timeout, NULL);
  }
  return (int64_t)(bench_monotonic_ns() - expiry);
}

int main(int argc, char **argv) {
  static const struct bench_library library = {
      .name = BENCH_LIBRARY_NAME, .open = open_loop, .close = close_loop, .io_prepare = io_prepare,
      .io_watch = io_rearm, .io_rearm = io_rearm, .io_run = io_run,
      .lateness_sample = lateness_sample};
  return bench_main(&library, argc, argv);
}
