/* SPDX-License-Identifier: ISC */
/*
 * iv_probes.c: the template's optional second file, the probes of the <iv.h> API itself
 * (cases/ivapi/, conformance/README.md "Probes"): struct layout, the init macros, iv_now, thread
 * ids, signals, iv_init and iv_main, and the misuse probes (iv_main nested in callbacks, iv_init
 * and iv_deinit in callbacks, objects of other threads, NULL objects, extreme fd numbers and
 * expiries). The same scenarios as the in-process ivykis adapter
 * (conformance/adapters/ivykis/ivykis_api_probes.cpp, ivykis_misuse_probes.cpp), in C.
 *
 * Compiled in by default; leave it out of the compile command and iv_adapter.c declares none of
 * these probes (their cases are then N/A, naming the probes capability). Each probe starts from
 * the adapter's loop with nothing of its own registered and leaves nothing registered when it
 * returns, or does not return (a fatal error or a crash, which the runner observes).
 */
#define _GNU_SOURCE /* syscall(SYS_gettid) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <iv.h>

#include "refloop_adapter.h"

/* What iv_adapter.c calls (it declares both weak). */
const char* iv_api_probe_names(void);
int iv_api_probe(const char* name, const char* text, char* result, size_t size);

static char events[512]; /* what the callbacks said, space separated */
static void say(const char* what) {
  const size_t used = strlen(events);
  snprintf(events + used, sizeof events - used, "%s%s", used ? " " : "", what);
}
static void say_cookie(void* what) { say((const char*)what); }
static void say_and_quit(void* what) { say((const char*)what), iv_quit(); }
static void no_handler(void* cookie) { (void)cookie; }

static int64_t ns_of(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }
static struct timespec now_plus_ms(long ms) { /* ms < 0: already due */
  iv_validate_now();
  const int64_t ns = ns_of(iv_now) + (int64_t)ms * 1000000;
  return (struct timespec){(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
}
static void register_timer(struct iv_timer* t, struct timespec expires, void (*handler)(void*), const char* cookie) {
  IV_TIMER_INIT(t);
  t->expires = expires, t->handler = handler, t->cookie = (void*)cookie;
  iv_timer_register(t);
}
static void register_task(struct iv_task* t, void (*handler)(void*), const char* cookie) {
  IV_TASK_INIT(t);
  t->handler = handler, t->cookie = (void*)cookie;
  iv_task_register(t);
}
static void register_reader(struct iv_fd* fd, int number, void (*handler)(void*), const char* cookie) {
  IV_FD_INIT(fd);
  fd->fd = number, fd->handler_in = handler, fd->cookie = (void*)cookie;
  iv_fd_register(fd);
}

/* ---- The API (IVAPI-002..006, -012, -014, -016..-018, -024) ---- */

/* [req:IVAPI-002] sizes and the order of the public fields (the pad is private state). */
static void layout(char* result, size_t size) {
  const int in_order = offsetof(struct iv_fd, fd) < offsetof(struct iv_fd, cookie) &&
                       offsetof(struct iv_fd, cookie) < offsetof(struct iv_fd, handler_in) &&
                       offsetof(struct iv_fd, handler_in) < offsetof(struct iv_fd, handler_out) &&
                       offsetof(struct iv_fd, handler_out) < offsetof(struct iv_fd, handler_err) &&
                       offsetof(struct iv_timer, expires) < offsetof(struct iv_timer, cookie) &&
                       offsetof(struct iv_timer, cookie) < offsetof(struct iv_timer, handler) &&
                       offsetof(struct iv_task, cookie) < offsetof(struct iv_task, handler);
  snprintf(result, size, "iv_fd %zu, iv_timer %zu, iv_task %zu, %s", sizeof(struct iv_fd), sizeof(struct iv_timer),
           sizeof(struct iv_task), in_order ? "fields in order" : "fields out of order");
}

/* [req:IVAPI-006] [req:IVAPI-012] [req:IVAPI-014] what the init macros set and leave alone. */
static void init_macro(const char* name, char* result, size_t size) {
  int marker = 0;
  if (strcmp(name, "fd-init") == 0) {
    struct iv_fd fd;
    fd.fd = 7, fd.cookie = &marker, fd.handler_in = fd.handler_out = fd.handler_err = no_handler;
    IV_FD_INIT(&fd);
    const int cleared = fd.fd == -1 && !fd.handler_in && !fd.handler_out && !fd.handler_err;
    snprintf(result, size, "%s%s%s", cleared ? "fd -1, handlers null" : "fd or handlers not reset",
             fd.cookie == &marker ? ", cookie kept" : ", cookie changed", iv_fd_registered(&fd) ? ", registered" : ", unregistered");
  } else if (strcmp(name, "timer-init") == 0) {
    struct iv_timer timer;
    timer.expires.tv_sec = 5, timer.expires.tv_nsec = 6, timer.cookie = &marker, timer.handler = no_handler;
    IV_TIMER_INIT(&timer);
    const int kept = timer.expires.tv_sec == 5 && timer.expires.tv_nsec == 6 && timer.cookie == &marker && timer.handler == no_handler;
    snprintf(result, size, "%s%s", kept ? "expires, cookie and handler kept" : "fields changed",
             iv_timer_registered(&timer) ? ", registered" : ", unregistered");
  } else {
    struct iv_task task;
    task.cookie = &marker, task.handler = no_handler;
    IV_TASK_INIT(&task);
    snprintf(result, size, "%s%s", task.cookie == &marker && task.handler == no_handler ? "cookie and handler kept" : "fields changed",
             iv_task_registered(&task) ? ", registered" : ", unregistered");
  }
}

/* [req:IVAPI-016] [req:IVAPI-017] [req:IVAPI-018] iv_now is cached CLOCK_MONOTONIC time. */
static void now_cache(char* result, size_t size) {
  iv_validate_now();
  const int64_t first = ns_of(iv_now);
  const struct timespec pause = {0, 2000000};
  nanosleep(&pause, NULL);
  const int64_t cached = ns_of(iv_now);
  iv_invalidate_now();
  const int64_t refreshed = ns_of(iv_now), monotonic = ra_monotonic_ns();
  const int near = monotonic >= refreshed && monotonic - refreshed < 1000000000;
  snprintf(result, size, "%s%s%s", cached == first ? "cached" : "changed without invalidation",
           refreshed >= first + 2000000 ? ", invalidate refreshes" : ", invalidate ignored", near ? ", monotonic" : ", not CLOCK_MONOTONIC");
}

static long other_thread_id;
static void* read_thread_id(void* unused) { return (void)unused, other_thread_id = (long)iv_get_thread_id(), NULL; }
static void* call_iv_quit(void* unused) { return (void)unused, iv_quit(), NULL; }
static void in_a_thread(void* (*body)(void*)) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, body, NULL) == 0) pthread_join(thread, NULL);
}

/* [req:IVAPI-024] the kernel thread id, different in another thread. */
static void thread_id(char* result, size_t size) {
  const long mine = (long)iv_get_thread_id();
  other_thread_id = mine;
  in_a_thread(read_thread_id);
  snprintf(result, size, "%s%s", mine == (long)syscall(SYS_gettid) ? "gettid" : "not gettid",
           other_thread_id != mine ? ", distinct per thread" : ", same in two threads");
}

/* [req:IVAPI-004] the first iv_init ignores SIGPIPE and SIGURG. */
static void signals(char* result, size_t size) {
  struct sigaction pipe_action, urgent_action;
  sigaction(SIGPIPE, NULL, &pipe_action), sigaction(SIGURG, NULL, &urgent_action);
  snprintf(result, size, "SIGPIPE %s, SIGURG %s", pipe_action.sa_handler == SIG_IGN ? "ignored" : "not ignored",
           urgent_action.sa_handler == SIG_IGN ? "ignored" : "not ignored");
}

/* [req:IVAPI-013] an expiry with tv_nsec out of range (fatal in refloop). */
static void register_bad_expiry(void) {
  static struct iv_timer timer;
  struct timespec expires = now_plus_ms(0);
  expires.tv_nsec = 1000000000;
  register_timer(&timer, expires, no_handler, NULL);
  iv_timer_unregister(&timer); /* it returned: leave nothing registered */
}

/* ---- iv_main nested in a callback (LOOP-011, IVAPI-005) ---- */

static struct iv_timer nested_quit, first, second, later, extreme, other;
static struct iv_task nesting_task, waiting_task, fresh_task;
static struct iv_fd reader, idle;
static int pipe_fds[2] = {-1, -1};

static void open_pipe(void) { (void)!pipe(pipe_fds); }
static void close_pipe(void) { close(pipe_fds[0]), close(pipe_fds[1]), pipe_fds[0] = pipe_fds[1] = -1; }
static void read_byte(void) {
  char byte;
  (void)!read(pipe_fds[0], &byte, 1); /* so the loop does not spin if the call returns */
}

static void nest_iv_main(const char* who) {
  say(who);
  register_timer(&nested_quit, now_plus_ms(-1), say_and_quit, "quit");
  iv_main();
  say("nested-returned");
}
static void nest_from_first(void* cookie) { (void)cookie, nest_iv_main("first"); }
static void nest_from_nesting(void* cookie) { (void)cookie, nest_iv_main("nesting"); }
static void nest_from_reader(void* cookie) { (void)cookie, read_byte(), nest_iv_main("readable"), iv_fd_unregister(&reader); }
static void nest_from_task(void* cookie) {
  (void)cookie, say("nesting");
  register_task(&fresh_task, say_cookie, "fresh");
  register_timer(&nested_quit, now_plus_ms(-1), say_and_quit, "quit");
  iv_main();
  say("nested-returned");
}

static void nested_in_timer(char* result, size_t size) {
  register_timer(&first, now_plus_ms(-2), nest_from_first, NULL);
  register_timer(&second, now_plus_ms(-1), say_cookie, "second");
  register_timer(&later, now_plus_ms(20), say_cookie, "later");
  iv_main();
  say("outer-returned");
  if (!iv_timer_registered(&later)) {
    snprintf(result, size, "%s (the 20 ms timer is gone)", events);
    return;
  }
  iv_main(); /* only `later` is left: it fires, then iv_main returns */
  iv_validate_now();
  snprintf(result, size, "%s%s", events, ns_of(iv_now) < ns_of(later.expires) ? " (early)" : "");
}

static void nested_main(const char* text, char* result, size_t size) {
  if (strcmp(text, "timer") == 0) {
    nested_in_timer(result, size);
    return;
  }
  if (strcmp(text, "task") == 0) {
    register_task(&nesting_task, nest_from_task, NULL);
    register_task(&waiting_task, say_cookie, "waiting");
    iv_main();
  } else if (strcmp(text, "fd") == 0) {
    open_pipe();
    (void)!write(pipe_fds[1], "x", 1);
    register_reader(&reader, pipe_fds[0], nest_from_reader, NULL);
    iv_main();
    close_pipe();
  } else if (strcmp(text, "quit") == 0) { /* the quit of a nested run ends the outer one */
    open_pipe();
    register_reader(&idle, pipe_fds[0], say_cookie, "idle-fd");
    register_timer(&later, now_plus_ms(60000), say_cookie, "far");
    register_timer(&first, now_plus_ms(-1), nest_from_nesting, NULL);
    iv_main();
    say("outer-returned");
    const int kept = iv_fd_registered(&idle) == 1 && iv_timer_registered(&later) == 1;
    iv_fd_unregister(&idle), iv_timer_unregister(&later), close_pipe();
    snprintf(result, size, "%s%s", events, kept ? ", fd and far timer still registered" : ", objects lost");
    return;
  } else {
    snprintf(result, size, "unknown nesting '%s'", text);
    return;
  }
  say("outer-returned");
  snprintf(result, size, "%s", events);
}

/* ---- iv_init / iv_deinit in a callback (IVAPI-003, IVAPI-019) ---- */

static void (*misuse_call)(void);
static struct iv_timer misuse_timer;
static struct iv_task misuse_task;
static struct iv_fd misuse_fd;
static void call_misuse(void* cookie) { (void)cookie, misuse_call(); }
static void call_misuse_on_fd(void* cookie) { (void)cookie, read_byte(), misuse_call(), iv_fd_unregister(&misuse_fd); }
static void call_iv_init(void) { iv_init(); }
static void call_iv_deinit(void) { iv_deinit(); }

static void call_in_callback(const char* where, void (*call)(void), char* result, size_t size) {
  misuse_call = call;
  open_pipe();
  if (strcmp(where, "timer") == 0) register_timer(&misuse_timer, now_plus_ms(-1), call_misuse, NULL);
  else if (strcmp(where, "task") == 0) register_task(&misuse_task, call_misuse, NULL);
  else if (strcmp(where, "fd") == 0) (void)!write(pipe_fds[1], "x", 1), register_reader(&misuse_fd, pipe_fds[0], call_misuse_on_fd, NULL);
  else {
    snprintf(result, size, "unknown callback '%s'", where);
    close_pipe();
    return;
  }
  iv_main();
  close_pipe();
  snprintf(result, size, "returned");
}

/* ---- objects of another thread (IVAPI-026, LOOP-013) ---- */

static struct iv_timer foreign_timer;
static struct iv_task foreign_task;
static struct iv_fd foreign_fd;
static pthread_mutex_t foreign_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t foreign_ready = PTHREAD_COND_INITIALIZER;
static int foreign_registered, foreign_pipe[2] = {-1, -1};

/* A second thread registers a timer, a task and an fd with its own loop, then ends without
 * iv_deinit (`keep_alive` null) or stays blocked until the process ends. */
static void* foreign_owner(void* keep_alive) {
  iv_init();
  register_timer(&foreign_timer, now_plus_ms(60000), say_cookie, "timer");
  register_task(&foreign_task, say_cookie, "task");
  register_reader(&foreign_fd, foreign_pipe[0], say_cookie, "fd");
  pthread_mutex_lock(&foreign_mutex);
  foreign_registered = 1;
  pthread_cond_signal(&foreign_ready);
  pthread_mutex_unlock(&foreign_mutex);
  while (keep_alive) pause();
  return NULL;
}

static void change_foreign(const char* text, int keep_alive, char* result, size_t size) {
  pthread_t owner;
  (void)!pipe(foreign_pipe);
  if (pthread_create(&owner, NULL, foreign_owner, keep_alive ? &foreign_registered : NULL) != 0) {
    snprintf(result, size, "cannot start a thread");
    return;
  }
  pthread_mutex_lock(&foreign_mutex);
  while (!foreign_registered) pthread_cond_wait(&foreign_ready, &foreign_mutex);
  pthread_mutex_unlock(&foreign_mutex);
  if (keep_alive) pthread_detach(owner);
  else pthread_join(owner, NULL);
  const int unregister = strstr(text, "unregister") != NULL;
  if (strncmp(text, "timer", 5) == 0) unregister ? iv_timer_unregister(&foreign_timer) : iv_timer_register(&foreign_timer);
  else if (strncmp(text, "task", 4) == 0) unregister ? iv_task_unregister(&foreign_task) : iv_task_register(&foreign_task);
  else if (strncmp(text, "fd", 2) == 0) unregister ? iv_fd_unregister(&foreign_fd) : iv_fd_register(&foreign_fd);
  else snprintf(result, size, "unknown object '%s'", text);
}

/* ---- arguments (IVAPI-028, IVAPI-029, IVAPI-027) ---- */

static void null_object(const char* call, char* result, size_t size) {
  if (strcmp(call, "IV_FD_INIT") == 0) IV_FD_INIT((struct iv_fd*)NULL);
  else if (strcmp(call, "iv_fd_register") == 0) iv_fd_register(NULL);
  else if (strcmp(call, "iv_fd_set_handler_in") == 0) iv_fd_set_handler_in(NULL, no_handler);
  else if (strcmp(call, "iv_timer_register") == 0) iv_timer_register(NULL);
  else if (strcmp(call, "iv_timer_registered") == 0) (void)iv_timer_registered(NULL);
  else if (strcmp(call, "iv_task_unregister") == 0) iv_task_unregister(NULL);
  else snprintf(result, size, "unknown call '%s'", call);
}

/* "try INT_MAX", "try unopened" (the last number below FD_SETSIZE, not open), "INT_MIN". */
static void register_fd_number(const char* text, char* result, size_t size) {
  const int try_it = strncmp(text, "try ", 4) == 0;
  const char* which = try_it ? text + 4 : text;
  int number = 0;
  if (strcmp(which, "INT_MAX") == 0) number = INT_MAX;
  else if (strcmp(which, "INT_MIN") == 0) number = INT_MIN;
  else if (strcmp(which, "unopened") == 0) number = FD_SETSIZE - 1;
  else number = -2;
  if (number == -2) {
    snprintf(result, size, "unknown number '%s'", which);
    return;
  }
  if (number == FD_SETSIZE - 1 && fcntl(number, F_GETFD) >= 0) {
    snprintf(result, size, "fd %d is open", number);
    return;
  }
  struct iv_fd fd;
  IV_FD_INIT(&fd);
  fd.fd = number, fd.handler_in = no_handler;
  if (!try_it) {
    iv_fd_register(&fd), iv_fd_unregister(&fd);
    snprintf(result, size, "registered");
    return;
  }
  errno = 0;
  const int tried = iv_fd_register_try(&fd), error = errno;
  if (tried == 0) iv_fd_unregister(&fd);
  snprintf(result, size, "%s", tried == 0 ? "0" : ra_errno_name(error));
}

/* "long-max": never fires, and iv_main returns when another timer quits; "long-min": fires at
 * the next pass, while an idle fd keeps the loop busy. */
static void extreme_expiry(const char* text, char* result, size_t size) {
  open_pipe();
  if (strcmp(text, "long-max") == 0) {
    register_timer(&extreme, (struct timespec){LONG_MAX, 999999999}, say_cookie, "never");
    register_timer(&other, now_plus_ms(5), say_and_quit, "soon");
  } else if (strcmp(text, "long-min") == 0) {
    register_reader(&idle, pipe_fds[0], say_cookie, "idle-fd");
    register_timer(&other, now_plus_ms(60000), say_cookie, "minute");
    register_timer(&extreme, (struct timespec){LONG_MIN, 0}, say_and_quit, "past");
  } else {
    close_pipe();
    snprintf(result, size, "unknown expiry '%s'", text);
    return;
  }
  iv_main();
  if (iv_timer_registered(&extreme)) say("(extreme pending)"), iv_timer_unregister(&extreme);
  if (iv_timer_registered(&other)) say("(other pending)"), iv_timer_unregister(&other);
  if (iv_fd_registered(&idle)) iv_fd_unregister(&idle);
  close_pipe();
  snprintf(result, size, "%s", events);
}

/* ---- The entry points ---- */

const char* iv_api_probe_names(void) {
  return "init-again call-without-init register-bad-expiry thread-id signals fd-init timer-init task-init now-cache "
         "main-empty layout nested-main deinit-in-callback init-in-callback dead-thread live-thread null-object "
         "register-fd-number expiry";
}

/* 1 when `name` is one of these probes (its result in `result`), 0 otherwise. */
int iv_api_probe(const char* name, const char* text, char* result, size_t size) {
  events[0] = '\0';
  snprintf(result, size, "returned");
  if (strcmp(name, "layout") == 0) layout(result, size);
  else if (strcmp(name, "fd-init") == 0 || strcmp(name, "timer-init") == 0 || strcmp(name, "task-init") == 0) init_macro(name, result, size);
  else if (strcmp(name, "now-cache") == 0) now_cache(result, size);
  else if (strcmp(name, "thread-id") == 0) thread_id(result, size);
  else if (strcmp(name, "signals") == 0) signals(result, size);
  else if (strcmp(name, "init-again") == 0) iv_init(); /* [req:IVAPI-003] fatal in refloop */
  else if (strcmp(name, "call-without-init") == 0) in_a_thread(call_iv_quit); /* [req:IVAPI-019] */
  else if (strcmp(name, "main-empty") == 0) iv_main(); /* [req:IVAPI-005] returns: nothing is registered */
  else if (strcmp(name, "register-bad-expiry") == 0) register_bad_expiry(), result[0] = '\0';
  else if (strcmp(name, "nested-main") == 0) nested_main(text, result, size);
  else if (strcmp(name, "init-in-callback") == 0) call_in_callback(text, call_iv_init, result, size);     /* [req:IVAPI-003] */
  else if (strcmp(name, "deinit-in-callback") == 0) call_in_callback(text, call_iv_deinit, result, size); /* [req:IVAPI-019] */
  else if (strcmp(name, "dead-thread") == 0) change_foreign(text, 0, result, size);                       /* [req:IVAPI-026] */
  else if (strcmp(name, "live-thread") == 0) change_foreign(text, 1, result, size);                       /* [req:LOOP-013] */
  else if (strcmp(name, "null-object") == 0) null_object(text, result, size);                             /* [req:IVAPI-028] */
  else if (strcmp(name, "register-fd-number") == 0) register_fd_number(text, result, size);               /* [req:IVAPI-029] */
  else if (strcmp(name, "expiry") == 0) extreme_expiry(text, result, size);                               /* [req:IVAPI-027] */
  else return 0;
  return 1;
}
