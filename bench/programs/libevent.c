/* SPDX-License-Identifier: ISC */
/* libevent 2.1 in the harness's terms. --config: "" (libevent's choice) or one method (epoll,
   poll, select: the others are avoided through event_config_avoid_method). Re-arm is libevent's
   re-add, as its own benchmark does it: event_del, event_assign, event_add. Lateness is measured
   on CLOCK_MONOTONIC from a reading taken before the timer is added. */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "bench.h"

static struct event_base *base;
static struct event *events;
static struct event *timers;
static uint64_t lateness_expiry_ns;
static int64_t last_lateness_ns;

static int open_loop(const char *config) {
  static const char *const methods[] = {"epoll", "poll", "select"};
  struct event_config *settings = event_config_new();
  for (size_t i = 0; config[0] != '\0' && i < sizeof methods / sizeof *methods; i++)
    if (strcmp(methods[i], config) != 0) event_config_avoid_method(settings, methods[i]);
  base = event_base_new_with_config(settings);
  event_config_free(settings);
  if (base == NULL) return -1;
  return config[0] == '\0' || strcmp(event_base_get_method(base), config) == 0 ? 0 : -1;
}

static void close_loop(void) {}

static void on_readable(evutil_socket_t fd, short what, void *cookie) {
  (void)fd, (void)what;
  bench_channel_readable((size_t)(uintptr_t)cookie);
}

static void io_prepare(size_t channels) {
  events = calloc(channels, sizeof *events);
  if (events == NULL) abort();
}

static void io_watch(size_t channel, int fd) {
  event_assign(&events[channel], base, fd, EV_READ | EV_PERSIST, on_readable,
               (void *)(uintptr_t)channel);
  event_add(&events[channel], NULL);
}

static void io_rearm(size_t channel, int fd) {
  event_del(&events[channel]);
  io_watch(channel, fd);
}

static void io_run(void) { event_base_dispatch(base); }
static void io_stop(void) { event_base_loopbreak(base); }

static void on_timer(evutil_socket_t fd, short what, void *cookie) {
  (void)fd, (void)what;
  bench_timer_fired((size_t)(uintptr_t)cookie);
}

static void timers_prepare(size_t count) {
  timers = calloc(count, sizeof *timers);
  if (timers == NULL) abort();
  for (size_t i = 0; i < count; i++) evtimer_assign(&timers[i], base, on_timer, (void *)(uintptr_t)i);
}

static void timers_refresh_now(void) { event_base_update_cache_time(base); }

static struct timeval timeval_of(uint64_t ns) {
  struct timeval tv = {.tv_sec = (time_t)(ns / 1000000000u),
                       .tv_usec = (suseconds_t)(ns % 1000000000u / 1000u)};
  return tv;
}

static void timer_start(size_t timer, uint64_t offset_ns) {
  struct timeval after = timeval_of(offset_ns);
  evtimer_add(&timers[timer], &after);
}

static void timer_cancel(size_t timer) { evtimer_del(&timers[timer]); }
static void timers_run(void) { event_base_dispatch(base); }

static void on_lateness_timer(evutil_socket_t fd, short what, void *cookie) {
  (void)fd, (void)what, (void)cookie;
  last_lateness_ns = (int64_t)(bench_monotonic_ns() - lateness_expiry_ns);
}

static int64_t lateness_sample(uint64_t deadline_ns) {
  struct event timer;
  struct timeval after = timeval_of(deadline_ns);
  evtimer_assign(&timer, base, on_lateness_timer, NULL);
  lateness_expiry_ns = bench_monotonic_ns() + deadline_ns;
  event_base_update_cache_time(base);
  evtimer_add(&timer, &after);
  event_base_dispatch(base);
  return last_lateness_ns;
}

int main(int argc, char **argv) {
  static const struct bench_library library = {
      .name = "libevent", .open = open_loop, .close = close_loop, .io_prepare = io_prepare,
      .io_watch = io_watch, .io_rearm = io_rearm, .io_run = io_run, .io_stop = io_stop,
      .timers_prepare = timers_prepare, .timers_refresh_now = timers_refresh_now,
      .timer_start = timer_start, .timer_cancel = timer_cancel, .timers_run = timers_run,
      .lateness_sample = lateness_sample};
  return bench_main(&library, argc, argv);
}
