/* SPDX-License-Identifier: ISC */
/* libev in the harness's terms. --config: "" (EVFLAG_AUTO), epoll, poll or select. Re-arm is
   libev's re-add: ev_io_stop, ev_io_set, ev_io_start. Timers are relative to the cached ev_now,
   refreshed with ev_now_update; lateness is measured on CLOCK_MONOTONIC from a reading taken
   before that refresh, so a measured value is never earlier than the true one. */
#include <ev.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static struct ev_loop *loop;
static ev_io *watchers;
static ev_timer *timers;
static uint64_t lateness_expiry_ns;
static int64_t last_lateness_ns;

static int open_loop(const char *config) {
  unsigned flags = EVFLAG_AUTO;
  if (strcmp(config, "epoll") == 0) flags = EVBACKEND_EPOLL;
  else if (strcmp(config, "poll") == 0) flags = EVBACKEND_POLL;
  else if (strcmp(config, "select") == 0) flags = EVBACKEND_SELECT;
  else if (config[0] != '\0') return -1;
  loop = ev_loop_new(flags);
  return loop ? 0 : -1;
}

static void close_loop(void) {}

static void on_readable(struct ev_loop *l, ev_io *watcher, int events) {
  (void)l, (void)events;
  bench_channel_readable((size_t)(uintptr_t)watcher->data);
}

static void io_prepare(size_t channels) {
  watchers = calloc(channels, sizeof *watchers);
  if (watchers == NULL) abort();
}

static void io_watch(size_t channel, int fd) {
  ev_io_init(&watchers[channel], on_readable, fd, EV_READ);
  watchers[channel].data = (void *)(uintptr_t)channel;
  ev_io_start(loop, &watchers[channel]);
}

static void io_rearm(size_t channel, int fd) {
  ev_io_stop(loop, &watchers[channel]);
  ev_io_set(&watchers[channel], fd, EV_READ);
  ev_io_start(loop, &watchers[channel]);
}

static void io_run(void) { ev_run(loop, 0); }
static void io_stop(void) { ev_break(loop, EVBREAK_ONE); }

static void on_timer(struct ev_loop *l, ev_timer *timer, int events) {
  (void)l, (void)events;
  bench_timer_fired((size_t)(uintptr_t)timer->data);
}

static void timers_prepare(size_t count) {
  timers = calloc(count, sizeof *timers);
  if (timers == NULL) abort();
  for (size_t i = 0; i < count; i++) {
    ev_timer_init(&timers[i], on_timer, 0., 0.);
    timers[i].data = (void *)(uintptr_t)i;
  }
}

static void timers_refresh_now(void) { ev_now_update(loop); }

static void timer_start(size_t timer, uint64_t offset_ns) {
  ev_timer_set(&timers[timer], (double)offset_ns / 1e9, 0.);
  ev_timer_start(loop, &timers[timer]);
}

static void timer_cancel(size_t timer) { ev_timer_stop(loop, &timers[timer]); }
static void timers_run(void) { ev_run(loop, 0); }

static void on_lateness_timer(struct ev_loop *l, ev_timer *timer, int events) {
  (void)l, (void)timer, (void)events;
  last_lateness_ns = (int64_t)(bench_monotonic_ns() - lateness_expiry_ns);
}

static int64_t lateness_sample(uint64_t deadline_ns) {
  ev_timer timer;
  lateness_expiry_ns = bench_monotonic_ns() + deadline_ns;
  ev_now_update(loop);
  ev_timer_init(&timer, on_lateness_timer, (double)deadline_ns / 1e9, 0.);
  ev_timer_start(loop, &timer);
  ev_run(loop, 0);
  return last_lateness_ns;
}

int main(int argc, char **argv) {
  static const struct bench_library library = {
      .name = "libev", .open = open_loop, .close = close_loop, .io_prepare = io_prepare,
      .io_watch = io_watch, .io_rearm = io_rearm, .io_run = io_run, .io_stop = io_stop,
      .timers_prepare = timers_prepare, .timers_refresh_now = timers_refresh_now,
      .timer_start = timer_start, .timer_cancel = timer_cancel, .timers_run = timers_run,
      .lateness_sample = lateness_sample};
  return bench_main(&library, argc, argv);
}
