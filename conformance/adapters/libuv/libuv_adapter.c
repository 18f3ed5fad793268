/* SPDX-License-Identifier: ISC */
/*
 * libuv as a column of the loop suite: a protocol adapter (spec/adapter.md) on the C adapter kit
 * (conformance/adapters/kit/), driving one uv_loop_t with the library's own constructs, so the
 * matrix shows where libuv differs from the ivykis model (conformance/expectations/libuv.txt).
 *
 * How the vocabulary maps onto libuv 1.x, and why:
 *  - fd `c0a`: one uv_poll_t per channel end (libuv's handle for readiness of an fd it does not
 *    own), initialised at the first `reg` and started with UV_READABLE for `in` and UV_WRITABLE
 *    for `out`. libuv cannot hold an fd no handler wants: uv_poll_start with no events stops the
 *    handle, which then neither keeps uv_run running nor is polled, so such an fd is registered
 *    only in the adapter's record. `unreg` stops the handle (uv_close would free it only at the
 *    next iteration's close phase; a stopped handle is forgotten by the poll at once). The
 *    callback gets the ready events and calls back `in`, then `out`, reading the handler at call
 *    time and stopping when the script unregistered the fd (FD-007, FD-008). UV_DISCONNECT is
 *    a peer's shutdown, not POLLERR/POLLHUP (which libuv folds into the wanted events), so there
 *    is no error band: `capability bands in out`.
 *  - timer `t0`: a one-shot uv_timer_t. Its timeout counts whole milliseconds from the loop's
 *    cached time (uv_now, CLOCK_MONOTONIC truncated to ms); the kit's absolute deadline is
 *    converted at arming to the first millisecond at or after it, so the timer can only end at
 *    or after the deadline, whatever the cache's age. libuv 1.44.2 (Debian 12) stops a timer just
 *    before its callback and runs expired timers one by one from its heap, with no collection
 *    phase; 1.50.0 (Debian 13) first stops every expired timer and collects them, then runs
 *    them, and uv_timer_stop takes a collected timer out of that batch (measured: the second
 *    of two expired timers, stopped by the first's callback, does not run). So a collected
 *    timer is inactive (uv_is_active) though still to run: the adapter keeps its own record of
 *    the registered timers (TIMER-003: an earlier handler of the batch may unregister it).
 *  - task `k0`: a uv_idle_t that stops itself in its callback (run once). Idle handles run in
 *    every iteration after the timers and before the poll, step 2's place, and an active one
 *    makes the poll non-blocking (LOOP-005). One started while the idle handles run waits for
 *    the next iteration. libuv has no stamp: `capability stamp no`.
 *  - `run`: uv_run(loop, UV_RUN_ONCE) (`run nowait`: UV_RUN_NOWAIT), libuv's one iteration:
 *    in 1.44.2, due timers, idle handles, prepare handles, the poll with its callbacks, check
 *    handles, closing handles, and (UV_RUN_ONCE only, for "forward progress") the timers again;
 *    1.50.0's UV_RUN_ONCE has no first timer pass, so every timer runs after the poll (measured:
 *    a due timer runs after an idle handle). Either way a timer that expires during the wait
 *    runs after the poll in the same uv_run (the judge's "[LOOP-001] polls before running
 *    expired timers"). The outcome: `quit` when uv_stop was
 *    called (before uv_run it skips the iteration entirely), `deadlock` when the kit's guard
 *    ended a wait that nothing else could end, `empty` when uv_run says the loop is no longer
 *    alive (the adapter's own handles are uv_unref'd), else `polled`.
 *  - the wait (ADAPTER-010): an internal uv_prepare_t, after the idle handles, begins it; an
 *    internal uv_check_t, after the poll's callbacks, ends it; the fd callbacks the kit counted
 *    in between say whether an fd ended it. The check also arms again every timer the case's
 *    clock has not reached, so UV_RUN_ONCE's second timer pass runs only timers due on the
 *    case's clock, however long the callbacks took in real time.
 *  - `quit`: uv_stop. Probes: only the kit's channel-end probes (close-keep, clear-flags, flags,
 *    oobinline). No nested runs (uv_run is not reentrant).
 */
#define _POSIX_C_SOURCE 200809L /* the library headers use POSIX types under -std=c99 */
#include <stdio.h>
#include <uv.h>

#include "refloop_adapter.h"

static struct ra_kit* kit;
static uv_loop_t loop;

static uv_poll_t polls[RA_MAX_ENDS];
static int poll_initialised[RA_MAX_ENDS], poll_registered[RA_MAX_ENDS];
static int poll_script[RA_MAX_ENDS][3]; /* the script of each band, -1: none */
static uv_timer_t timers[RA_MAX_TIMERS];
static int timer_registered[RA_MAX_TIMERS]; /* armed and neither run nor unregistered since */
static uv_idle_t tasks[RA_MAX_TASKS];

/* The adapter's own handles (uv_unref'd: they never keep uv_run running). */
static uv_prepare_t wait_begins;
static uv_check_t wait_ends;
static uv_timer_t deadlock_guard;

static struct {
  int nowait;
  int quit;
  int idle;
  int guard_armed;
  int guard_fired;
  int waiting;
  struct ra_wait wait;
} run_state;

static int index_of(const void* handle, const void* first, size_t size) {
  return (int)(((const char*)handle - (const char*)first) / (ptrdiff_t)size);
}

static int wanted_events(int end) {
  return (poll_script[end][RA_IN] >= 0 ? UV_READABLE : 0) | (poll_script[end][RA_OUT] >= 0 ? UV_WRITABLE : 0);
}

/* [req:FD-007] in, then out, each read at call time; [req:FD-008] none after an unregister. */
static void on_poll(uv_poll_t* handle, int status, int events) {
  const int end = index_of(handle, polls, sizeof polls[0]);
  const struct ra_ref ref = {RA_FD, end};
  const enum ra_band bands[2] = {RA_IN, RA_OUT};
  const int masks[2] = {UV_READABLE, UV_WRITABLE};
  if (status < 0) events = wanted_events(end); /* an error wakes every wanted band, as POLLERR does */
  for (int i = 0; i < 2; ++i) {
    if (!(events & masks[i])) continue;
    if (!poll_registered[end]) return;
    const int script = poll_script[end][bands[i]];
    if (script < 0) continue;
    if (!ra_callback(kit, ref, bands[i], script)) return;
  }
}

static void on_timer(uv_timer_t* handle) {
  const struct ra_ref ref = {RA_TIMER, index_of(handle, timers, sizeof timers[0])};
  timer_registered[ref.index] = 0; /* one-shot: libuv stopped it before this callback */
  ra_callback(kit, ref, RA_IN, ra_script_of(kit, ref, RA_IN));
}

static void on_task(uv_idle_t* handle) {
  const struct ra_ref ref = {RA_TASK, index_of(handle, tasks, sizeof tasks[0])};
  uv_idle_stop(handle); /* run once: unregistered before its handler (TASK-002) */
  ra_callback(kit, ref, RA_IN, ra_script_of(kit, ref, RA_IN));
}

static void on_guard(uv_timer_t* handle) { (void)handle; }

/* Starts `timer` to end no earlier than `real_expiry_ns` on CLOCK_MONOTONIC: at the first whole
 * millisecond of the loop's clock at or after it. */
static void start_at(uv_timer_t* timer, uv_timer_cb callback, int64_t real_expiry_ns) {
  const int64_t expiry_ms = (real_expiry_ns + 999999) / 1000000;
  const int64_t now_ms = (int64_t)uv_now(&loop);
  uv_timer_start(timer, callback, expiry_ms > now_ms ? (uint64_t)(expiry_ms - now_ms) : 0, 0);
}

static int any_fd_watched(void) {
  for (int end = 0; end < RA_MAX_ENDS; ++end)
    if (poll_registered[end] && wanted_events(end)) return 1;
  return 0;
}

static int any_task_pending(void) {
  for (int i = 0; i < RA_MAX_TASKS; ++i)
    if (uv_is_active((uv_handle_t*)&tasks[i])) return 1;
  return 0;
}

/* After the idle handles (the tasks), just before the poll. */
static void on_wait_begin(uv_prepare_t* handle) {
  (void)handle;
  int64_t deadline = 0;
  /* an active idle handle (a task) or uv_stop makes the poll non-blocking (uv_backend_timeout
   * cannot tell: it also says 0 while fd changes wait for the poll to apply them) */
  const int blocks = !run_state.nowait && !run_state.quit && !any_task_pending();
  const int has_deadline = ra_deadline(kit, &deadline);
  run_state.idle = blocks && has_deadline; /* a due deadline: the kit's concern */
  if (blocks && !has_deadline && any_fd_watched()) {
    start_at(&deadlock_guard, on_guard, ra_monotonic_ns() + RA_DEADLOCK_GUARD_NS);
    run_state.guard_armed = 1;
  }
  ra_wait_begin(kit, &run_state.wait);
  run_state.waiting = 1;
}

/* After the poll and its callbacks; the timers that expired during the wait run after this. */
static void on_wait_end(uv_check_t* handle) {
  (void)handle;
  if (!run_state.waiting) return;
  run_state.waiting = 0;
  const int fd_woke = ra_fd_callbacks(kit) != run_state.wait.fd_callbacks;
  if (run_state.guard_armed) {
    run_state.guard_fired = !fd_woke; /* nothing else could end this wait */
    uv_timer_stop(&deadlock_guard);
    run_state.guard_armed = 0;
  }
  ra_wait_end(kit, &run_state.wait, run_state.idle && !fd_woke); /* then timer_rearm */
}

/* The kit's table (struct ra_loop). */

static void restart_poll(int end) {
  const int events = wanted_events(end);
  if (events) uv_poll_start(&polls[end], events, on_poll);
  else uv_poll_stop(&polls[end]);
}

static void fd_register(void* self, int end, int fd) {
  (void)self;
  if (!poll_initialised[end] && uv_poll_init(&loop, &polls[end], fd) != 0) return; /* refused: stays unregistered */
  poll_initialised[end] = 1;
  poll_registered[end] = 1;
  restart_poll(end);
}

static void fd_unregister(void* self, int end) {
  (void)self;
  uv_poll_stop(&polls[end]);
  poll_registered[end] = 0;
}

static void fd_set_handler(void* self, int end, enum ra_band band, int script) {
  (void)self;
  const int before = wanted_events(end);
  poll_script[end][band] = script;
  if (wanted_events(end) != before && poll_registered[end]) restart_poll(end); /* only a change of events */
}

/* The kit computes the real expiry when it arms a timer, and arms the timers the case's clock
 * has not reached again before each iteration and after each wait (timer_rearm), so the loop
 * finds due exactly the timers the case's clock has reached: UV_RUN_ONCE runs the timers again
 * after the check handles, however long the poll's callbacks took in real time. */
static void timer_register(void* self, int timer, int64_t real_expiry_ns, int64_t case_expiry) {
  (void)self, (void)case_expiry;
  start_at(&timers[timer], on_timer, real_expiry_ns);
  timer_registered[timer] = 1;
}

/* uv_timer_start restarts an active timer. */
static void timer_rearm(void* self, int timer, int64_t real_expiry_ns) {
  (void)self;
  start_at(&timers[timer], on_timer, real_expiry_ns);
}

static void timer_unregister(void* self, int timer) {
  (void)self;
  uv_timer_stop(&timers[timer]); /* also takes a collected timer out of its batch (1.50.0) */
  timer_registered[timer] = 0;
}

static void task_register(void* self, int task) {
  (void)self;
  uv_idle_start(&tasks[task], on_task);
}

static void task_unregister(void* self, int task) {
  (void)self;
  uv_idle_stop(&tasks[task]);
}

static int registered(void* self, struct ra_ref ref) {
  (void)self;
  switch (ref.kind) {
    case RA_FD: return poll_registered[ref.index];
    case RA_TIMER: return timer_registered[ref.index]; /* not uv_is_active: see the top */
    case RA_TASK: return uv_is_active((uv_handle_t*)&tasks[ref.index]);
    default: return 0;
  }
}

static enum ra_outcome run_once(void* self, int nowait) {
  (void)self;
  run_state.nowait = nowait;
  run_state.guard_fired = run_state.waiting = 0;
  const int alive = uv_run(&loop, nowait ? UV_RUN_NOWAIT : UV_RUN_ONCE);
  const int quitted = run_state.quit;
  run_state.quit = 0; /* uv_run clears its stop flag when it returns */
  if (run_state.guard_fired) return RA_DEADLOCK;
  if (quitted) return RA_QUITTED;
  return alive ? RA_POLLED : RA_EMPTY;
}

static void quit(void* self) {
  (void)self;
  run_state.quit = 1;
  uv_stop(&loop);
}

static void init_handles(void) {
  for (int end = 0; end < RA_MAX_ENDS; ++end)
    for (int band = 0; band < 3; ++band) poll_script[end][band] = -1;
  for (int i = 0; i < RA_MAX_TIMERS; ++i) uv_timer_init(&loop, &timers[i]);
  for (int i = 0; i < RA_MAX_TASKS; ++i) uv_idle_init(&loop, &tasks[i]);
  uv_prepare_init(&loop, &wait_begins);
  uv_prepare_start(&wait_begins, on_wait_begin);
  uv_unref((uv_handle_t*)&wait_begins);
  uv_check_init(&loop, &wait_ends);
  uv_check_start(&wait_ends, on_wait_end);
  uv_unref((uv_handle_t*)&wait_ends);
  uv_timer_init(&loop, &deadlock_guard);
  uv_unref((uv_handle_t*)&deadlock_guard);
}

static void close_handle(uv_handle_t* handle, void* arg) {
  (void)arg;
  if (!uv_is_closing(handle)) uv_close(handle, NULL);
}

/* [req:ADAPTER-020] At the end of input: every handle closed (uv_walk sees the initialised ones),
 * one iteration that cannot block to run the close phase, then uv_loop_close, as a program ends
 * with libuv. A loop that is still busy is said on stderr; it is no death, so the cell stands. */
static int tear_down(void) {
  uv_walk(&loop, close_handle, NULL);
  uv_run(&loop, UV_RUN_NOWAIT);
  const int closed = uv_loop_close(&loop);
  if (closed != 0) fprintf(stderr, "libuv adapter: uv_loop_close: %s\n", uv_strerror(closed));
  return closed != 0;
}

int main(void) {
  kit = ra_kit_new();
  if (kit == NULL || uv_loop_init(&loop) != 0) {
    fprintf(stderr, "libuv adapter: cannot create the kit or the loop\n");
    return 1;
  }
  init_handles();
  const struct ra_identity identity = {"libuv", uv_version_string(), ra_library_of((void (*)(void))uv_run)};
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
  return tear_down() ? 1 : status;
}
