/* SPDX-License-Identifier: ISC */
/* libuv in the harness's terms (epoll only on Linux; --config must be empty). Re-arm is libuv's
   re-add of a poll handle: uv_poll_stop, uv_poll_start. Timers are relative to the cached loop
   time, in milliseconds (uv_update_time refreshes it), so expiries closer than 1 ms share one
   millisecond. Lateness is measured on CLOCK_MONOTONIC from a reading taken before the refresh. */
#include <stdint.h>
#include <stdlib.h>
#include <uv.h>

#include "bench.h"

static uv_loop_t loop;
static uv_poll_t *polls;
static uv_timer_t *timers;
static uint64_t lateness_expiry_ns;
static int64_t last_lateness_ns;

static int open_loop(const char *config) {
  if (config[0] != '\0') return -1;
  return uv_loop_init(&loop) == 0 ? 0 : -1;
}

static void close_loop(void) {}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)status, (void)events;
  bench_channel_readable((size_t)(uintptr_t)poll->data);
}

static void io_prepare(size_t channels) {
  polls = calloc(channels, sizeof *polls);
  if (polls == NULL) abort();
}

static void io_watch(size_t channel, int fd) {
  uv_poll_init(&loop, &polls[channel], fd);
  polls[channel].data = (void *)(uintptr_t)channel;
  uv_poll_start(&polls[channel], UV_READABLE, on_readable);
}

static void io_rearm(size_t channel, int fd) {
  (void)fd;
  uv_poll_stop(&polls[channel]);
  uv_poll_start(&polls[channel], UV_READABLE, on_readable);
}

static void io_run(void) { uv_run(&loop, UV_RUN_DEFAULT); }
static void io_stop(void) { uv_stop(&loop); }

static void on_timer(uv_timer_t *timer) { bench_timer_fired((size_t)(uintptr_t)timer->data); }

static void timers_prepare(size_t count) {
  timers = calloc(count, sizeof *timers);
  if (timers == NULL) abort();
  for (size_t i = 0; i < count; i++) {
    uv_timer_init(&loop, &timers[i]);
    timers[i].data = (void *)(uintptr_t)i;
  }
}

static void timers_refresh_now(void) { uv_update_time(&loop); }

static void timer_start(size_t timer, uint64_t offset_ns) {
  uv_timer_start(&timers[timer], on_timer, offset_ns / 1000000u, 0);
}

static void timer_cancel(size_t timer) { uv_timer_stop(&timers[timer]); }
static void timers_run(void) { uv_run(&loop, UV_RUN_DEFAULT); }

static void on_lateness_timer(uv_timer_t *timer) {
  (void)timer;
  last_lateness_ns = (int64_t)(bench_monotonic_ns() - lateness_expiry_ns);
}

static int64_t lateness_sample(uint64_t deadline_ns) {
  static uv_timer_t timer;
  static int initialised;
  if (!initialised) uv_timer_init(&loop, &timer), initialised = 1;
  lateness_expiry_ns = bench_monotonic_ns() + deadline_ns;
  uv_update_time(&loop);
  uv_timer_start(&timer, on_lateness_timer, deadline_ns / 1000000u, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  return last_lateness_ns;
}

int main(int argc, char **argv) {
  static const struct bench_library library = {
      .name = "libuv", .open = open_loop, .close = close_loop, .io_prepare = io_prepare,
      .io_watch = io_watch, .io_rearm = io_rearm, .io_run = io_run, .io_stop = io_stop,
      .timers_prepare = timers_prepare, .timers_refresh_now = timers_refresh_now,
      .timer_start = timer_start, .timer_cancel = timer_cancel, .timers_run = timers_run,
      .lateness_sample = lateness_sample};
  return bench_main(&library, argc, argv);
}
