/* SPDX-License-Identifier: ISC */
/* The <iv.h> API in the harness's terms. Compiled twice from this one source: against
   refloop's <iv.h> (library "refloop-iv", linked with refloop::ivykis) and against Debian's
   libivykis ("ivykis"). --config names the poll method, chosen the ivykis way: every other
   method goes into IV_EXCLUDE_POLL_METHOD before iv_init. Re-arm is an ivykis program's re-add:
   iv_fd_unregister, IV_FD_INIT, the fields, iv_fd_register. */
#define _GNU_SOURCE
#include <iv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#ifndef BENCH_LIBRARY_NAME
#error "BENCH_LIBRARY_NAME must name the <iv.h> implementation"
#endif

static struct iv_fd *fds;
static struct iv_timer *timers;
static struct timespec timer_base;
static int64_t last_lateness_ns;

static const char *const methods[] = {"epoll-timerfd", "epoll", "kqueue", "dev_poll", "port",
                                      "ppoll", "poll", "select"};

static int open_loop(const char *config) {
  if (config[0] != '\0') {
    char excluded[256] = "";
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
      if (strcmp(methods[i], config) == 0) continue;
      if (excluded[0] != '\0') strcat(excluded, " ");
      strcat(excluded, methods[i]);
    }
    setenv("IV_EXCLUDE_POLL_METHOD", excluded, 1);
  }
  iv_init();
  return config[0] == '\0' || strcmp(iv_poll_method_name(), config) == 0 ? 0 : -1;
}

static void close_loop(void) {}

static void *cookie_of(size_t index) { return (void *)(uintptr_t)index; }
static void on_readable(void *cookie) { bench_channel_readable((size_t)(uintptr_t)cookie); }

static void io_prepare(size_t channels) {
  fds = calloc(channels, sizeof *fds);
  if (fds == NULL) abort();
}

static void io_watch(size_t channel, int fd) {
  IV_FD_INIT(&fds[channel]);
  fds[channel].fd = fd;
  fds[channel].cookie = cookie_of(channel);
  fds[channel].handler_in = on_readable;
  iv_fd_register(&fds[channel]);
}

static void io_rearm(size_t channel, int fd) {
  iv_fd_unregister(&fds[channel]);
  io_watch(channel, fd);
}

static void io_run(void) { iv_main(); }
static void io_stop(void) { iv_quit(); }

static void on_timer(void *cookie) { bench_timer_fired((size_t)(uintptr_t)cookie); }

static void timers_prepare(size_t count) {
  timers = calloc(count, sizeof *timers);
  if (timers == NULL) abort();
  for (size_t i = 0; i < count; i++) IV_TIMER_INIT(&timers[i]);
}

static void timers_refresh_now(void) {
  iv_invalidate_now();
  iv_validate_now();
  timer_base = iv_now;
}

static struct timespec add_ns(struct timespec base, uint64_t ns) {
  uint64_t nano = (uint64_t)base.tv_nsec + ns;
  base.tv_sec += (time_t)(nano / 1000000000u);
  base.tv_nsec = (long)(nano % 1000000000u);
  return base;
}

static void timer_start(size_t timer, uint64_t offset_ns) {
  timers[timer].expires = add_ns(timer_base, offset_ns);
  timers[timer].cookie = cookie_of(timer);
  timers[timer].handler = on_timer;
  iv_timer_register(&timers[timer]);
}

static void timer_cancel(size_t timer) { iv_timer_unregister(&timers[timer]); }
/* The expiries passed while the harness slept outside iv_main; iv_now still says when the timers
   started, so refresh it first, as a program that had been running iv_main all along would have
   it, instead of waiting a stale timeout (up to a cluster's spacing). */
static void timers_run(void) {
  iv_invalidate_now();
  iv_main();
}

static void on_lateness_timer(void *cookie) {
  struct iv_timer *timer = cookie;
  iv_invalidate_now();
  iv_validate_now();
  last_lateness_ns = (int64_t)(iv_now.tv_sec - timer->expires.tv_sec) * 1000000000 +
                     (iv_now.tv_nsec - timer->expires.tv_nsec);
}

static int64_t lateness_sample(uint64_t deadline_ns) {
  struct iv_timer timer;
  IV_TIMER_INIT(&timer);
  iv_invalidate_now();
  iv_validate_now();
  timer.expires = add_ns(iv_now, deadline_ns);
  timer.cookie = &timer;
  timer.handler = on_lateness_timer;
  iv_timer_register(&timer);
  iv_main();
  return last_lateness_ns;
}

int main(int argc, char **argv) {
  static const struct bench_library library = {
      .name = BENCH_LIBRARY_NAME, .open = open_loop, .close = close_loop,
      .io_prepare = io_prepare, .io_watch = io_watch, .io_rearm = io_rearm, .io_run = io_run,
      .io_stop = io_stop, .timers_prepare = timers_prepare,
      .timers_refresh_now = timers_refresh_now, .timer_start = timer_start,
      .timer_cancel = timer_cancel, .timers_run = timers_run, .lateness_sample = lateness_sample};
  return bench_main(&library, argc, argv);
}
