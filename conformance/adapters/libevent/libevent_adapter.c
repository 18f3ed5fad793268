/* SPDX-License-Identifier: ISC */
/*
 * libevent as a column of the loop suite: a protocol adapter (spec/adapter.md) on the C adapter
 * kit (conformance/adapters/kit/), driving one event_base with the library's own constructs, so
 * the matrix shows where libevent differs from the ivykis model
 * (conformance/expectations/libevent.txt).
 *
 * How the vocabulary maps onto libevent 2.1, and why:
 *  - fd `c0a`: one persistent event (EV_PERSIST) per channel end with EV_READ for `in` and
 *    EV_WRITE for `out`. A change of the wanted events deletes the event, assigns them and adds
 *    it again (deleting drops it from this round's active queue, as for any libevent program).
 *    libevent cannot hold an fd no handler wants: event_add of an event with no events
 *    adds nothing, so such an fd is registered only in the adapter's record (it does not keep
 *    the loop running, and libevent reports the loop empty). The callback gets the ready events
 *    and calls back `in`, then `out`, reading the handler at call time and stopping when the
 *    script unregistered the fd (FD-007, FD-008). EV_CLOSED is not POLLERR/POLLHUP and works on
 *    epoll only, so there is no error band: `capability bands in out`.
 *  - timer `t0`: an evtimer. Its timeout is relative to the base's cached monotonic time, so the
 *    kit's absolute deadline is converted at arming: the clock is read first and the cache
 *    updated after (event_base_update_cache_time), rounded up to a microsecond, so the timer can
 *    only end at or after the deadline. The base uses EVENT_BASE_FLAG_PRECISE_TIMER, without
 *    which its clock may be CLOCK_MONOTONIC_COARSE and lag the deadline. An expired timer is
 *    active until its callback; event_pending counts it, event_del cancels it (TIMER-003).
 *  - task `k0`: an event with no fd and no events, made active with event_active: libevent's way
 *    to run a callback soon. Active events run in activation order (FIFO), an active event makes
 *    the next poll non-blocking, and event_del takes it off the active queue. One activated from
 *    a callback joins the pass in progress, even the task's own (libevent's book warns that a
 *    callback re-activating its own event never lets the loop poll); there is no epoch rule and
 *    no stamp: `capability stamp no`.
 *  - `run`: event_base_loop(base, EVLOOP_ONCE) (`run nowait`: EVLOOP_NONBLOCK): libevent checks
 *    for events, polls, makes the expired timers active after the ready fds, and runs the active
 *    queue (tasks activated before the poll first, then fds, then timers); EVLOOP_ONCE polls again
 *    while nothing is active. So libevent polls first: a timer that expires during the wait runs
 *    after the poll in the same iteration (the judge's "[LOOP-001] polls before running expired
 *    timers"). The outcome: `empty` when event_base_loop says no events are registered (it
 *    checks before polling, with no timer or task run first), `quit` when it stopped for
 *    event_base_loopexit, `deadlock` when the kit's guard ended a wait that nothing else could
 *    end, else `polled`.
 *  - the wait (ADAPTER-010): libevent 2.1 has no prepare or check hook, so the wait begins when
 *    event_base_loop is called and ends at the first callback after it (the poll, the expired
 *    timers and the active queue follow each other with no other code in between); the ready
 *    fds are queued before the expired timers, so an fd callback first means an fd ended it.
 *  - `quit`: event_base_loopexit(base, NULL): the callbacks already active still run, then the
 *    loop stops (event_base_loopbreak would skip them; ivykis finishes the dispatch, LOOP-004).
 *    Probes: only the kit's channel-end probes (close-keep, clear-flags, flags, oobinline). No
 *    nested runs (event_base_loop refuses to nest).
 */
#define _POSIX_C_SOURCE 200809L /* the library headers use POSIX types under -std=c99 */
#include <event2/event.h>
#include <stdio.h>

#include "refloop_adapter.h"

static struct ra_kit* kit;
static struct event_base* base;

static struct event* fds[RA_MAX_ENDS];
static int fd_registered[RA_MAX_ENDS];
static int fd_number[RA_MAX_ENDS];
static int fd_script[RA_MAX_ENDS][3]; /* the script of each band, -1: none */
static struct event* timers[RA_MAX_TIMERS];
static struct event* tasks[RA_MAX_TASKS];
static struct event* deadlock_guard;

static struct {
  int waiting;
  int idle;
  int guard_fired;
  struct ra_wait wait;
} run_state;

static short wanted_events(int end) {
  return (short)((fd_script[end][RA_IN] >= 0 ? EV_READ : 0) | (fd_script[end][RA_OUT] >= 0 ? EV_WRITE : 0));
}

/* The end of the wait: the first callback after event_base_loop was called. The active queue
 * holds the ready fds before the expired timers, so an fd callback first means an fd ended it. */
static void end_wait(int fd_first) {
  if (!run_state.waiting) return;
  run_state.waiting = 0;
  /* The kit then arms again each timer the case's clock has not reached (timer_rearm). */
  ra_wait_end(kit, &run_state.wait, run_state.idle && !fd_first);
}

static int registered(void* self, struct ra_ref ref);

static void on_fd(evutil_socket_t fd, short what, void* arg) {
  (void)fd;
  end_wait(1);
  const int end = (int)(intptr_t)arg;
  const struct ra_ref ref = {RA_FD, end};
  const enum ra_band bands[2] = {RA_IN, RA_OUT};
  const short masks[2] = {EV_READ, EV_WRITE};
  for (int i = 0; i < 2; ++i) {
    if (!(what & masks[i])) continue;
    if (!fd_registered[end]) return; /* [req:FD-008] */
    const int script = fd_script[end][bands[i]];
    if (script < 0) continue; /* [req:FD-007] read at call time */
    if (!ra_callback(kit, ref, bands[i], script)) return;
  }
}

static void on_timer(evutil_socket_t fd, short what, void* arg) {
  (void)fd, (void)what;
  end_wait(0);
  const struct ra_ref ref = {RA_TIMER, (int)(intptr_t)arg};
  if (registered(NULL, ref)) return; /* armed again by the kit (timer_rearm) in end_wait: not due on the case's clock */
  ra_callback(kit, ref, RA_IN, ra_script_of(kit, ref, RA_IN));
}

static void on_task(evutil_socket_t fd, short what, void* arg) {
  (void)fd, (void)what;
  end_wait(0);
  const struct ra_ref ref = {RA_TASK, (int)(intptr_t)arg};
  ra_callback(kit, ref, RA_IN, ra_script_of(kit, ref, RA_IN));
}

static void on_guard(evutil_socket_t fd, short what, void* arg) {
  (void)fd, (void)what, (void)arg;
  run_state.guard_fired = 1;
  end_wait(0);
}

/* Adds `ev` to end no earlier than `real_expiry_ns` on CLOCK_MONOTONIC. */
static void add_at(struct event* ev, int64_t real_expiry_ns) {
  const int64_t now = ra_monotonic_ns();
  event_base_update_cache_time(base); /* after the read: the cache is no earlier than `now` */
  /* in the past: a negative timeval, so timers in the past keep their order */
  const int64_t left = real_expiry_ns - now;
  const int64_t micro = left >= 0 ? (left + 999) / 1000 : -((-left) / 1000);
  const int64_t seconds = micro >= 0 ? micro / 1000000 : -((-micro + 999999) / 1000000);
  struct timeval tv = {(time_t)seconds, (suseconds_t)(micro - seconds * 1000000)};
  event_add(ev, &tv);
}

/* The kit's table (struct ra_loop). */

static void assign_fd(int end) {
  event_assign(fds[end], base, fd_number[end], (short)(wanted_events(end) | EV_PERSIST), on_fd, (void*)(intptr_t)end);
}

static void fd_register(void* self, int end, int fd) {
  (void)self;
  fd_number[end] = fd;
  fd_registered[end] = 1;
  assign_fd(end);
  event_add(fds[end], NULL);
}

static void fd_unregister(void* self, int end) {
  (void)self;
  event_del(fds[end]); /* also takes it off the active queue (FD-008) */
  fd_registered[end] = 0;
}

static void fd_set_handler(void* self, int end, enum ra_band band, int script) {
  (void)self;
  const short before = wanted_events(end);
  fd_script[end][band] = script;
  /* Only a change of events touches the event: event_assign needs it deleted, and deleting drops
   * it from the active queue of this round, as it would for any libevent program (FD-005). */
  if (wanted_events(end) == before || !fd_registered[end]) return;
  event_del(fds[end]);
  assign_fd(end);
  event_add(fds[end], NULL);
}

/* The kit computes the real expiry when it arms a timer, and arms the timers the case's clock
 * has not reached again before each iteration and after each wait (timer_rearm), so the loop
 * finds due exactly the timers the case's clock has reached. */
static void timer_register(void* self, int timer, int64_t real_expiry_ns, int64_t case_expiry) {
  (void)self, (void)case_expiry;
  add_at(timers[timer], real_expiry_ns);
}

/* event_add takes a timer made active by a late wake off the active queue. */
static void timer_rearm(void* self, int timer, int64_t real_expiry_ns) {
  (void)self;
  add_at(timers[timer], real_expiry_ns);
}

static void timer_unregister(void* self, int timer) {
  (void)self;
  event_del(timers[timer]);
}

static void task_register(void* self, int task) {
  (void)self;
  event_active(tasks[task], EV_TIMEOUT, 0);
}

static void task_unregister(void* self, int task) {
  (void)self;
  event_del(tasks[task]);
}

static int registered(void* self, struct ra_ref ref) {
  (void)self;
  switch (ref.kind) {
    case RA_FD: return fd_registered[ref.index];
    case RA_TIMER: return event_pending(timers[ref.index], EV_TIMEOUT, NULL) != 0;
    case RA_TASK: return event_pending(tasks[ref.index], EV_TIMEOUT, NULL) != 0;
    default: return 0;
  }
}

static int any_fd_watched(void) {
  for (int end = 0; end < RA_MAX_ENDS; ++end)
    if (fd_registered[end] && wanted_events(end)) return 1;
  return 0;
}

static enum ra_outcome run_once(void* self, int nowait) {
  (void)self;
  int64_t deadline = 0;
  const int has_deadline = ra_deadline(kit, &deadline);
  /* anything active (a task, event_base_loopexit's own event) makes the first poll non-blocking */
  const int active = event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE) != 0;
  run_state.idle = !nowait && !active && has_deadline; /* a due deadline: the kit's concern */
  run_state.guard_fired = 0;
  if (!nowait && !active && !has_deadline && any_fd_watched())
    add_at(deadlock_guard, ra_monotonic_ns() + RA_DEADLOCK_GUARD_NS);
  ra_wait_begin(kit, &run_state.wait);
  run_state.waiting = 1;
  const int result = event_base_loop(base, nowait ? EVLOOP_NONBLOCK : EVLOOP_ONCE);
  end_wait(0);
  event_del(deadlock_guard);
  if (result == 1) return RA_EMPTY;
  if (run_state.guard_fired) return RA_DEADLOCK;
  return event_base_got_exit(base) ? RA_QUITTED : RA_POLLED;
}

static void quit(void* self) {
  (void)self;
  event_base_loopexit(base, NULL);
}

/* [req:ADAPTER-020] At the end of input: every event freed (event_free deletes a pending or active
 * one first), then the base, as a program ends with libevent. */
static void tear_down(void) {
  for (int end = 0; end < RA_MAX_ENDS; ++end) event_free(fds[end]);
  for (int i = 0; i < RA_MAX_TIMERS; ++i) event_free(timers[i]);
  for (int i = 0; i < RA_MAX_TASKS; ++i) event_free(tasks[i]);
  event_free(deadlock_guard);
  event_base_free(base);
}

int main(void) {
  kit = ra_kit_new();
  struct event_config* config = event_config_new();
  if (config != NULL) event_config_set_flag(config, EVENT_BASE_FLAG_PRECISE_TIMER);
  base = config != NULL ? event_base_new_with_config(config) : NULL;
  if (config != NULL) event_config_free(config);
  if (kit == NULL || base == NULL) {
    fprintf(stderr, "libevent adapter: cannot create the kit or the event base\n");
    return 1;
  }
  for (int end = 0; end < RA_MAX_ENDS; ++end) {
    fds[end] = event_new(base, -1, 0, on_fd, (void*)(intptr_t)end);
    for (int band = 0; band < 3; ++band) fd_script[end][band] = -1;
  }
  for (int i = 0; i < RA_MAX_TIMERS; ++i) timers[i] = evtimer_new(base, on_timer, (void*)(intptr_t)i);
  for (int i = 0; i < RA_MAX_TASKS; ++i) tasks[i] = event_new(base, -1, 0, on_task, (void*)(intptr_t)i);
  deadlock_guard = evtimer_new(base, on_guard, NULL);
  char version[96];
  snprintf(version, sizeof version, "%s (backend %s)", event_get_version(), event_base_get_method(base));
  const struct ra_identity identity = {"libevent", version, ra_library_of((void (*)(void))event_base_loop)};
  const struct ra_capabilities capabilities = {.bands = "in out", .no_stamp = 1, .order = "poll-first",
                                                 .probes = "close-keep clear-flags flags oobinline"};
  const struct ra_loop table = {
      .fd_register = fd_register, .fd_unregister = fd_unregister, .fd_set_handler = fd_set_handler,
      .timer_register = timer_register, .timer_unregister = timer_unregister, .timer_rearm = timer_rearm,
      .task_register = task_register, .task_unregister = task_unregister,
      .registered = registered, .run_once = run_once, .quit = quit};
  /* No .probe: the loop performs none; the channel-end probes in the capabilities are the kit's own
   * (ADAPTER-013). */
  const int status = ra_serve(kit, &table, &identity, &capabilities);
  tear_down();
  return status;
}
