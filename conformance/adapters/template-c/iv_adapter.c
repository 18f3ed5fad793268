/* SPDX-License-Identifier: ISC */
/*
 * iv_adapter: a process adapter of refloop's conformance suite for any implementation of <iv.h>
 * (ivykis's API), written with the C adapter kit (../kit/refloop_adapter.h). Build it against
 * the <iv.h> you want to test and give it to the runner (README.md in this folder):
 *
 *   cc -std=c99 -I<your iv.h dir> -I../kit iv_adapter.c iv_probes.c ../kit/refloop_adapter*.c -l<your library> -o iv_adapter
 *   refloop-conformance --adapter './iv_adapter poll' --name my-ivykis/poll
 *
 * Its one argument is the poll method (`epoll`, `poll`, ...), chosen with IV_EXCLUDE_POLL_METHOD;
 * name the column `.../METHOD`, so the judge applies that method's documented kernel differences.
 * Its column equals the in-process ivykis adapter's [req:ADAPTER-015] (without the optional
 * iv_probes.c, the <iv.h> API probes, their cases are N/A). <iv.h> has no run_once and no
 * simulated clock, so one `run` is two iv_main calls on the real clock, scaled by the kit's
 * real-time base (ADAPTER-010), the emulation of ../ivykis/ivykis_loop.cpp in C:
 *   A. steps 1-3 (LOOP-001): an internal task registered last calls iv_quit, so iv_main runs the
 *      expired timers and the task pass and returns at its quit check without polling; timers
 *      the case's clock has not reached wait outside (real time may have passed them);
 *   B. steps 4-5: due timers and pending tasks are set aside (they would run before the poll),
 *      iv_main polls and dispatches, and every timer or task callback after that belongs to the
 *      next iteration: it is deferred (put back after iv_main returns) and stops the loop.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iv.h>
#include "refloop_adapter.h"
/* Optional, iv_probes.c: the <iv.h> API probes of cases/ivapi/; left out, these are null. */
const char* iv_api_probe_names(void) __attribute__((weak));
int iv_api_probe(const char* name, const char* text, char* result, size_t size) __attribute__((weak));

#define METHODS "epoll-timerfd epoll kqueue dev_poll port ppoll poll select"
#ifndef IV_ADAPTER_VERSION /* the implementation's version, for the matrix: -DIV_ADAPTER_VERSION='"0.42.4"' */
#define IV_ADAPTER_VERSION "-"
#endif

/* A set of object indices, in the order they were added (tasks are FIFO, TASK-002). */
struct list {
  int item[RA_MAX_TASKS + RA_MAX_TIMERS];
  int length;
};
static int holds(const struct list* l, int i) {
  for (int at = 0; at < l->length; ++at)
    if (l->item[at] == i) return 1;
  return 0;
}
static void add(struct list* l, int i) { l->item[l->length++] = i; }
/* Registers again each timer of `l` that is not registered, and empties `l`. */
static void put_back_timers(struct list* l);
static void drop(struct list* l, int i) {
  int kept = 0;
  for (int at = 0; at < l->length; ++at)
    if (l->item[at] != i) l->item[kept++] = l->item[at];
  l->length = kept;
}

enum phase { OUTSIDE, STEPS_1_TO_3, POLL, CONTINUATION };

static struct adapter {
  struct ra_kit* kit;
  const char* method;
  char method_problem[160];
  struct iv_fd fds[RA_MAX_ENDS];
  struct iv_timer timers[RA_MAX_TIMERS];
  struct iv_task tasks[RA_MAX_TASKS];
  struct ra_ref fd_refs[RA_MAX_ENDS], timer_refs[RA_MAX_TIMERS], task_refs[RA_MAX_TASKS]; /* cookies */
  struct list task_order;                                         /* pending case tasks */
  int case_quit;
  enum phase phase;
  /* The emulation's own objects, never reported: A's and B's stop task, B's deadlock guard and
   * the always-ready fd that makes B's poll non-blocking. */
  struct iv_task stop_task;
  struct iv_timer guard;
  struct iv_fd ready_fd;
  int guard_fired, hidden_due, hidden_overtaken;
  struct list hidden_tasks, hidden_timers, deferred_tasks, deferred_timers, not_due;
} the;

static struct timespec timespec_of(int64_t ns) { return (struct timespec){(time_t)(ns / 1000000000), (long)(ns % 1000000000)}; }
static int64_t ns_of(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

/* ---- Callbacks ---- */
static void on_case_callback(struct ra_ref ref, enum ra_band band) {
  if (ref.kind == RA_TASK) drop(&the.task_order, ref.index);
  if (the.phase == POLL && ref.kind != RA_FD) the.phase = CONTINUATION;
  if (the.phase == CONTINUATION) { /* the next iteration's: put back after B */
    add(ref.kind == RA_TASK ? &the.deferred_tasks : &the.deferred_timers, ref.index);
    iv_quit();
    return;
  }
  if (ref.kind == RA_FD && the.phase == POLL && !iv_task_registered(&the.stop_task)) iv_task_register(&the.stop_task);
  ra_callback(the.kit, ref, band, ra_script_of(the.kit, ref, band));
}
static void on_err(void* cookie) { on_case_callback(*(struct ra_ref*)cookie, RA_ERR); }
static void on_in(void* cookie) { on_case_callback(*(struct ra_ref*)cookie, RA_IN); }
static void on_out(void* cookie) { on_case_callback(*(struct ra_ref*)cookie, RA_OUT); }
static void on_stop_task(void* cookie) { (void)cookie, iv_quit(); }
static void on_ready_fd(void* cookie) {
  if ((void)cookie, the.phase == POLL && !iv_task_registered(&the.stop_task)) iv_task_register(&the.stop_task);
}
static void on_guard(void* cookie) { (void)cookie, the.guard_fired = 1, the.phase = CONTINUATION, iv_quit(); }

/* ---- The loop-specific part of the kit (struct ra_loop) ---- */

/* Objects set aside by the emulation are registered as far as the case is concerned. */
static int hidden(struct ra_ref ref) {
  if (ref.kind == RA_TIMER) return holds(&the.not_due, ref.index) || holds(&the.hidden_timers, ref.index);
  return ref.kind == RA_TASK && holds(&the.hidden_tasks, ref.index);
}
static int registered(void* self, struct ra_ref ref) {
  if ((void)self, hidden(ref)) return 1;
  if (ref.kind == RA_FD) return iv_fd_registered(&the.fds[ref.index]);
  if (ref.kind == RA_TIMER) return iv_timer_registered(&the.timers[ref.index]);
  return ref.kind == RA_TASK && iv_task_registered(&the.tasks[ref.index]);
}

static void fd_register(void* self, int end, int fd) { (void)self, the.fds[end].fd = fd, iv_fd_register(&the.fds[end]); }
static void fd_unregister(void* self, int end) { (void)self; iv_fd_unregister(&the.fds[end]); }
static void (*const band_handlers[3])(void*) = {on_err, on_in, on_out};
static void set_handler_unchecked(struct iv_fd* fd, enum ra_band band, int script) {
  void (*handler)(void*) = script < 0 ? NULL : band_handlers[band];
  if (band == RA_ERR) iv_fd_set_handler_err(fd, handler);
  if (band == RA_IN) iv_fd_set_handler_in(fd, handler);
  if (band == RA_OUT) iv_fd_set_handler_out(fd, handler);
}
/* Before registration an fd's handlers are plain fields; afterwards only the setters (IVAPI-010). */
static void fd_set_handler(void* self, int end, enum ra_band band, int script) {
  struct iv_fd* fd = &the.fds[end];
  if ((void)self, iv_fd_registered(fd)) set_handler_unchecked(fd, band, script);
  else if (band == RA_ERR) fd->handler_err = script < 0 ? NULL : on_err;
  else if (band == RA_IN) fd->handler_in = script < 0 ? NULL : on_in;
  else fd->handler_out = script < 0 ? NULL : on_out;
}

static void timer_register(void* self, int timer, int64_t real_expiry_ns, int64_t case_expiry) {
  (void)self, (void)case_expiry, the.timers[timer].expires = timespec_of(real_expiry_ns);
  iv_timer_register(&the.timers[timer]);
}
/* Unregistering an object set aside means it is not put back. */
static void timer_unregister(void* self, int timer) {
  const struct ra_ref ref = {RA_TIMER, timer};
  if ((void)self, hidden(ref)) drop(&the.not_due, timer), drop(&the.hidden_timers, timer);
  else iv_timer_unregister(&the.timers[timer]);
}
static void task_register(void* self, int task) { (void)self, iv_task_register(&the.tasks[task]), add(&the.task_order, task); }
static void task_unregister(void* self, int task) {
  if ((void)self, holds(&the.hidden_tasks, task)) drop(&the.hidden_tasks, task);
  else iv_task_unregister(&the.tasks[task]), drop(&the.task_order, task);
}
/* IV_TASK_INIT stamps a task (IVAPI-014); on a registered task it would corrupt the list. */
static void task_stamp(void* self, int task) {
  const struct ra_ref ref = {RA_TASK, task};
  if (!registered(self, ref)) IV_TASK_INIT(&the.tasks[task]);
}

static void quit(void* self) {
  if ((void)self, the.case_quit = 1, the.phase != OUTSIDE) iv_quit();
}

/* ---- One iteration: A then B ---- */

/* A: expired timers and the task pass, then the check (LOOP-001 steps 1-3). Timers the case's
 * clock has not reached wait outside: step 1 runs exactly the timers due on the case's clock. */
static enum ra_outcome steps_1_to_3(void) {
  the.phase = STEPS_1_TO_3;
  the.not_due.length = 0;
  for (int i = 0; i < RA_MAX_TIMERS; ++i)
    if (iv_timer_registered(&the.timers[i]) && ra_timer_case_expiry(the.kit, i) > (int64_t)ra_clock(the.kit)) {
      iv_timer_unregister(&the.timers[i]);
      add(&the.not_due, i);
    }
  iv_task_register(&the.stop_task);
  iv_main();
  if (iv_task_registered(&the.stop_task)) iv_task_unregister(&the.stop_task);
  put_back_timers(&the.not_due);
  if (the.case_quit) return the.case_quit = 0, RA_QUITTED;
  for (int i = 0; i < RA_MAX_ENDS; ++i) /* RA_MAX_TIMERS and RA_MAX_TASKS are RA_MAX_ENDS too */
    if (iv_fd_registered(&the.fds[i]) || iv_timer_registered(&the.timers[i]) || iv_task_registered(&the.tasks[i]))
      return RA_POLLED;
  return RA_EMPTY;
}

/* Due timers and pending tasks would run before B's poll: they wait outside. So do timers whose
 * real expiry has (nearly) passed although the case's clock has not reached them (real time ran
 * on between the operations); for those the wait is still reported as ending at the deadline. */
static void set_aside(void) {
  const int64_t soon = ra_monotonic_ns() + 2000000;
  the.hidden_tasks = the.task_order;
  for (int at = 0; at < the.hidden_tasks.length; ++at) iv_task_unregister(&the.tasks[the.hidden_tasks.item[at]]);
  the.task_order.length = the.hidden_timers.length = 0;
  the.hidden_due = the.hidden_overtaken = 0;
  for (int i = 0; i < RA_MAX_TIMERS; ++i) {
    if (!iv_timer_registered(&the.timers[i])) continue;
    const int due = ra_timer_case_expiry(the.kit, i) <= (int64_t)ra_clock(the.kit);
    if (!due && ns_of(the.timers[i].expires) > soon) continue;
    *(due ? &the.hidden_due : &the.hidden_overtaken) = 1;
    iv_timer_unregister(&the.timers[i]);
    add(&the.hidden_timers, i);
  }
}

static void put_back_timers(struct list* l) {
  for (int at = 0; at < l->length; ++at)
    if (!iv_timer_registered(&the.timers[l->item[at]])) iv_timer_register(&the.timers[l->item[at]]);
  l->length = 0;
}

/* Pending tasks in FIFO order: those set aside first, then those the continuation deferred. */
static void restore(void) {
  struct list order = the.hidden_tasks;
  for (int at = 0; at < the.task_order.length; ++at) add(&order, the.task_order.item[at]);
  for (int at = 0; at < the.deferred_tasks.length; ++at) add(&order, the.deferred_tasks.item[at]);
  for (int at = 0; at < the.task_order.length; ++at) iv_task_unregister(&the.tasks[the.task_order.item[at]]);
  the.task_order.length = the.hidden_tasks.length = the.deferred_tasks.length = 0;
  for (int at = 0; at < order.length; ++at)
    if (!iv_task_registered(&the.tasks[order.item[at]])) task_register(NULL, order.item[at]);
  put_back_timers(&the.hidden_timers);
  put_back_timers(&the.deferred_timers);
}

/* The poll did not wait for a timer real time had nearly reached: sleep until its real expiry,
 * so the next iteration's step 1 finds it due, as the reported clock says. */
static void finish_overtaken_wait(int64_t deadline) {
  for (int i = 0; i < RA_MAX_TIMERS; ++i) {
    if (!iv_timer_registered(&the.timers[i]) || ra_timer_case_expiry(the.kit, i) != deadline) continue;
    const int64_t left = ns_of(the.timers[i].expires) - ra_monotonic_ns();
    const struct timespec pause = timespec_of(left > 0 ? left : 0);
    nanosleep(&pause, NULL);
  }
  iv_invalidate_now();
}

/* B: the poll and the dispatch (LOOP-001 steps 4-5); false when the deadlock guard ended it. */
static int poll_and_dispatch(int nowait) {
  struct ra_wait wait;
  ra_wait_begin(the.kit, &wait);
  set_aside();
  const int overtaken = the.hidden_overtaken;
  const int immediate = nowait || the.hidden_tasks.length > 0 || the.hidden_due;
  if (immediate || overtaken) iv_fd_register(&the.ready_fd);
  if (!immediate && !overtaken && !wait.has_deadline) {
    the.guard.expires = timespec_of(ra_monotonic_ns() + RA_DEADLOCK_GUARD_NS);
    iv_timer_register(&the.guard);
  }
  the.phase = POLL;
  the.guard_fired = 0;
  const int fd_callbacks = ra_fd_callbacks(the.kit);
  iv_main();
  if (iv_fd_registered(&the.ready_fd)) iv_fd_unregister(&the.ready_fd);
  if (iv_timer_registered(&the.guard)) iv_timer_unregister(&the.guard);
  if (iv_task_registered(&the.stop_task)) iv_task_unregister(&the.stop_task);
  restore();
  const int idle = !immediate && !the.guard_fired && ra_fd_callbacks(the.kit) == fd_callbacks;
  if (idle && overtaken && wait.has_deadline) finish_overtaken_wait(wait.deadline);
  ra_wait_end(the.kit, &wait, idle);
  return !the.guard_fired;
}

static enum ra_outcome run_once(void* self, int nowait) {
  enum ra_outcome outcome = ((void)self, steps_1_to_3());
  if (outcome == RA_POLLED && !poll_and_dispatch(nowait)) outcome = RA_DEADLOCK;
  the.phase = OUTSIDE;
  return outcome;
}

/* ---- What the adapter cannot do, and the probes ---- */
static const char* cannot(void* self, const struct ra_op* op) {
  return (void)self, (void)op, the.method_problem[0] ? the.method_problem : NULL;
}
/* Asked about a script's actions: a nested run is C++ API (MODEL-007). */
static const char* not_applicable(void* self, const struct ra_op* op) {
  if ((void)self, op->code != RA_RUN && op->code != RA_RUN_NOWAIT) return NULL;
  return "a nested run_once (LOOP-011) is C++ API: <iv.h> has no run_once; the ivapi suite's nested iv_main cases cover <iv.h>";
}
static const char* probe_cannot(void* self, const char* name, const char* text) {
  return (void)name, (void)text, cannot(self, NULL);
}

/* iv_fd_register_try's answer (FD-003), on the end itself or on a duplicate of it at or above
 * FD_SETSIZE (BACKEND-010), which is unregistered and closed again. */
static void register_try(struct iv_fd* fd, int high, char* result, size_t size) {
  struct iv_fd copy;
  IV_FD_INIT(&copy);
  copy.fd = high ? ra_dup_high(fd->fd) : -1;
  if (high && copy.fd < 0) {
    snprintf(result, size, "cannot duplicate above FD_SETSIZE");
    return;
  }
  errno = 0;
  const int tried = iv_fd_register_try(high ? &copy : fd), error = errno;
  if (high && tried == 0) iv_fd_unregister(&copy);
  if (high) close(copy.fd);
  snprintf(result, size, "%s", tried == 0 ? "0" : ra_errno_name(error));
}

/* The registration probes: the <iv.h> calls without the kit's checks, so a case sees what the
 * implementation does on misuse (FATAL-003: fatal, naming the call) or a closed fd (FD-003). */
static void probe_registration(struct ra_statement* s, const char* name, char* result, size_t size) {
  const int i = s->op.target.index;
  if (s->op.target.kind == RA_TIMER) {
    iv_validate_now();
    the.timers[i].expires = iv_now;
    if (strcmp(name, "register") == 0) iv_timer_register(&the.timers[i]);
    if (strcmp(name, "unregister") == 0) iv_timer_unregister(&the.timers[i]);
  } else if (s->op.target.kind == RA_TASK) {
    if (strcmp(name, "register") == 0) task_register(NULL, i);
    if (strcmp(name, "unregister") == 0) iv_task_unregister(&the.tasks[i]), drop(&the.task_order, i);
  } else {
    struct iv_fd* fd = &the.fds[i];
    if (ra_end_number(the.kit, i) >= 0) fd->fd = ra_end_number(the.kit, i);
    if (strcmp(name, "register-negative") == 0) fd->fd = -1;
    if (strcmp(name, "register") == 0 || strcmp(name, "register-negative") == 0) iv_fd_register(fd);
    if (strcmp(name, "unregister") == 0) iv_fd_unregister(fd);
    if (strcmp(name, "set-handler") == 0) set_handler_unchecked(fd, s->op.band, s->op.handler);
    if (strcmp(name, "register-try") == 0) register_try(fd, 0, result, size);
    if (strcmp(name, "register-try-high") == 0) register_try(fd, 1, result, size);
  }
}

static void probe(void* self, const char* name, const char* text, char* result, size_t size) {
  struct ra_statement target;
  char set_text[64], error[128];
  if (iv_api_probe && iv_api_probe(name, text, result, size)) return;
  if ((void)self, strcmp(name, "backend-name") == 0) snprintf(result, size, "%s", iv_poll_method_name() ? iv_poll_method_name() : "none");
  if (strcmp(name, "fatal") == 0) iv_fatal("%s", text);
  if (strcmp(name, "default-fatal-handler") == 0) iv_set_fatal_msg_handler(NULL);
  snprintf(set_text, sizeof set_text, "%s %s", strcmp(name, "set-handler") == 0 ? "set" : "unreg", text);
  if (ra_parse_line(set_text, &target, error, sizeof error) == 1) probe_registration(&target, name, result, size);
}

/* ---- main ---- */
static void init_objects(void) {
  for (int i = 0; i < RA_MAX_ENDS; ++i) { /* RA_MAX_TIMERS and RA_MAX_TASKS are RA_MAX_ENDS too */
    the.fd_refs[i] = (struct ra_ref){RA_FD, i};
    the.timer_refs[i] = (struct ra_ref){RA_TIMER, i};
    the.task_refs[i] = (struct ra_ref){RA_TASK, i};
    IV_FD_INIT(&the.fds[i]), IV_TIMER_INIT(&the.timers[i]), IV_TASK_INIT(&the.tasks[i]);
    the.fds[i].cookie = &the.fd_refs[i];
    the.timers[i].cookie = &the.timer_refs[i];
    the.tasks[i].cookie = &the.task_refs[i];
    the.timers[i].handler = the.tasks[i].handler = on_in;
  }
  IV_TASK_INIT(&the.stop_task), IV_TIMER_INIT(&the.guard), IV_FD_INIT(&the.ready_fd);
  the.stop_task.handler = on_stop_task, the.guard.handler = on_guard;
  int ready[2];
  if (pipe(ready) == 0 && write(ready[1], "x", 1) == 1) { /* never read: the read end stays ready */
    fcntl(ready[0], F_SETFL, O_NONBLOCK);
    the.ready_fd.fd = ready[0];
    the.ready_fd.handler_in = on_ready_fd;
  }
}

/* [req:ADAPTER-020] At the end of input the loop is torn down as a program would, so a failing
 * iv_deinit (0.42.4's poll methods on armhf abort freeing their pollfd array) kills this process
 * at its end, as it kills the in-process column's case in ~IvykisLoopAdapter. Between iterations
 * nothing is set aside (restore), so ivykis holds every registered case object itself. */
static void tear_down(void) {
  for (int i = 0; i < RA_MAX_ENDS; ++i) { /* RA_MAX_TIMERS and RA_MAX_TASKS are RA_MAX_ENDS too */
    if (iv_fd_registered(&the.fds[i])) iv_fd_unregister(&the.fds[i]);
    if (iv_timer_registered(&the.timers[i])) iv_timer_unregister(&the.timers[i]);
    if (iv_task_registered(&the.tasks[i])) iv_task_unregister(&the.tasks[i]);
  }
  if (iv_fd_registered(&the.ready_fd)) iv_fd_unregister(&the.ready_fd);
  if (iv_timer_registered(&the.guard)) iv_timer_unregister(&the.guard);
  if (iv_task_registered(&the.stop_task)) iv_task_unregister(&the.stop_task);
  iv_deinit();
}

/* IV_EXCLUDE_POLL_METHOD names every other method before the first iv_init; a method ivykis does
 * not have (refloop's emulated backends, `kqueue~emu`) can only be named with REFLOOP_BACKEND,
 * which other implementations ignore. */
static void choose_method(const char* method) {
  char excluded[sizeof METHODS] = "", all[sizeof METHODS] = METHODS;
  int known = 0;
  for (char* name = strtok(all, " "); name != NULL; name = strtok(NULL, " ")) {
    if (strcmp(name, method) != 0) strcat(strcat(excluded, excluded[0] ? " " : ""), name);
    else known = 1;
  }
  setenv("IV_EXCLUDE_POLL_METHOD", excluded, 1);
  if (!known) setenv("REFLOOP_BACKEND", method, 1);
}

int main(int argc, char** argv) {
  if (argc != 2) return fprintf(stderr, "usage: %s METHOD (one of: %s)\n", argv[0], METHODS), 2;
  the.method = argv[1];
  the.kit = ra_kit_new();
  choose_method(the.method);
  iv_set_fatal_msg_handler(ra_report_fatal); /* ADAPTER-009: `fatal MESSAGE`, then ivykis aborts */
  iv_init();
  const char* chosen = iv_poll_method_name();
  if (chosen == NULL || strcmp(chosen, the.method) != 0)
    snprintf(the.method_problem, sizeof the.method_problem, "poll method %s is not available here (ivykis chose %s)",
             the.method, chosen ? chosen : "none");
  init_objects();
  static const struct ra_loop loop = {
      .fd_register = fd_register, .fd_unregister = fd_unregister, .fd_set_handler = fd_set_handler,
      .timer_register = timer_register, .timer_unregister = timer_unregister,
      .task_register = task_register, .task_unregister = task_unregister, .task_stamp = task_stamp,
      .registered = registered, .run_once = run_once, .quit = quit,
      .cannot = cannot, .not_applicable = not_applicable, .probe = probe, .probe_cannot = probe_cannot};
  const struct ra_identity identity = {"ivykis <iv.h> (template-c)", IV_ADAPTER_VERSION,
                                       ra_library_of((void (*)(void))iv_init)};
  static char probes[1024] = "register register-negative register-try register-try-high unregister set-handler "
                             "close-keep clear-flags flags oobinline fatal default-fatal-handler backend-name";
  if (iv_api_probe_names) strcat(strcat(probes, " "), iv_api_probe_names());
  const struct ra_capabilities capabilities = {.nested_run = 1, .probes = probes};
  const int status = ra_serve(the.kit, &loop, &identity, &capabilities);
  tear_down();
  return status;
}
