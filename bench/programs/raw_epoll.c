/* SPDX-License-Identifier: ISC */
/* A minimal epoll loop, the lower bound for the I/O chain: interest is added once and kept, so
   its re-arm does nothing (no library can do less), and its run is epoll_wait plus the reads.
   Lateness uses epoll_pwait2 with a nanosecond timeout until the deadline has passed. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#ifndef BENCH_LIBRARY_NAME
#define BENCH_LIBRARY_NAME "raw-epoll"
#endif

enum { batch = 1024 };  /* events taken per epoll_wait */

static int epoll_fd = -1;
static struct epoll_event ready[batch];

static int open_loop(const char *config) {
  if (config[0] != '\0') return -1;
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  return epoll_fd >= 0 ? 0 : -1;
}

static void close_loop(void) { close(epoll_fd); }
static void io_prepare(size_t channels) { (void)channels; }

static void io_watch(size_t channel, int fd) {
  struct epoll_event interest = {.events = EPOLLIN, .data.u64 = channel};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &interest) != 0) abort();
}

#ifdef RAW_EPOLL_REARM
/* bench-raw-epoll-rearm: the same loop re-arming each fd with the one system call refloop's epoll
   re-arm makes (spec/loop.md FD-020: an EPOLL_CTL_ADD that the kernel answers EEXIST), so its run
   phase shows what that sweep over every fd costs the chain afterwards, whoever makes it. */
static void io_rearm(size_t channel, int fd) {
  struct epoll_event interest = {.events = EPOLLIN, .data.u64 = channel};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &interest) == 0) abort();  /* must be EEXIST */
}
#else
static void io_rearm(size_t channel, int fd) { (void)channel, (void)fd; }
#endif

static void io_run(void) {
  while (!bench_io_finished()) {
    int count = epoll_wait(epoll_fd, ready, batch, -1);
    for (int i = 0; i < count; i++) bench_channel_readable((size_t)ready[i].data.u64);
  }
}

static int64_t lateness_sample(uint64_t deadline_ns) {
  uint64_t expiry = bench_monotonic_ns() + deadline_ns, now;
  while ((now = bench_monotonic_ns()) < expiry) {
    struct timespec timeout = {.tv_sec = (time_t)((expiry - now) / 1000000000u),
                               .tv_nsec = (long)((expiry - now) % 1000000000u)};
    epoll_pwait2(epoll_fd, ready, batch, &timeout, NULL);
  }
  return (int64_t)(bench_monotonic_ns() - expiry);
}

int main(int argc, char **argv) {
  static const struct bench_library library = {
      .name = BENCH_LIBRARY_NAME, .open = open_loop, .close = close_loop, .io_prepare = io_prepare,
      .io_watch = io_watch, .io_rearm = io_rearm, .io_run = io_run,
      .lateness_sample = lateness_sample};
  return bench_main(&library, argc, argv);
}
