/* SPDX-License-Identifier: ISC */
/*
 * The C adapter kit (refloop_adapter.h): the process protocol of spec/adapter.md served on
 * standard input and output, the operations made total (MODEL-002), the scripts, callbacks and
 * runs. The parser is refloop_adapter_text.c; the world of channels and the real-time base of
 * ADAPTER-010 are refloop_adapter_world.c.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refloop_adapter_internal.h"

/* ---- Lines on the protocol's file descriptors (ADAPTER-001). ---- */

static void write_all(int fd, const char* data, size_t length) {
  while (length > 0) {
    const ssize_t wrote = write(fd, data, length);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return; /* the runner is gone; its end of file ends us */
    data += wrote;
    length -= (size_t)wrote;
  }
}

/* One line, in one write(2), so it is never interleaved with a fatal line. */
static void say(const char* format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char* format, ...) {
  char line[LINE_MAX_BYTES];
  va_list arguments;
  va_start(arguments, format);
  int length = vsnprintf(line, sizeof line - 1, format, arguments);
  va_end(arguments);
  if (length < 0) return;
  if (length > (int)sizeof line - 2) length = (int)sizeof line - 2;
  line[length] = '\n';
  write_all(1, line, (size_t)length + 1);
}

/* The next line from the runner without its '\n', in `line`; 0 at the end of input. */
static int next_line(struct ra_kit* kit, char* line) {
  for (;;) {
    char* newline = memchr(kit->in, '\n', kit->in_length);
    if (newline != NULL) {
      const size_t length = (size_t)(newline - kit->in);
      memcpy(line, kit->in, length);
      line[length] = '\0';
      kit->in_length -= length + 1;
      memmove(kit->in, newline + 1, kit->in_length);
      return 1;
    }
    if (kit->in_length == sizeof kit->in) return 0; /* longer than any runner line */
    const ssize_t got = read(0, kit->in + kit->in_length, sizeof kit->in - kit->in_length);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return 0;
    kit->in_length += (size_t)got;
  }
}

void ra_report_fatal(const char* message) {
  char line[LINE_MAX_BYTES];
  int length = snprintf(line, sizeof line - 1, "fatal %s", message ? message : "");
  if (length > (int)sizeof line - 2) length = (int)sizeof line - 2;
  for (int i = 0; i < length; ++i)
    if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
  line[length] = '\n';
  write_all(1, line, (size_t)length + 1);
}

void ra_problem(struct ra_kit* kit, const char* text) {
  if (kit->problem[0] == '\0') snprintf(kit->problem, sizeof kit->problem, "%s", text);
}

/* ---- The operations (MODEL-002: each one that does not apply does nothing). ---- */

static enum ra_outcome run(struct ra_kit* kit, int nowait);
static int await_go(struct ra_kit* kit);

static void reg(struct ra_kit* kit, struct ra_ref ref, int64_t delay) {
  const struct ra_loop* loop = kit->loop;
  if (ra_registered(kit, ref.kind, ref.index)) return;
  if (ref.kind == RA_FD && ref.index < 2 * kit->channels && kit->end_fd[ref.index] >= 0)
    loop->fd_register(loop->self, ref.index, kit->end_fd[ref.index]);
  if (ref.kind == RA_TASK && loop->task_register) loop->task_register(loop->self, ref.index);
  if (ref.kind == RA_TIMER) {
    kit->timer_case[ref.index] = (int64_t)ra_clock(kit) + delay;
    kit->timer_real[ref.index] = ra_real_expiry(kit, kit->timer_case[ref.index]); /* at arming time */
    loop->timer_register(loop->self, ref.index, kit->timer_real[ref.index], kit->timer_case[ref.index]);
  }
}

static void unreg(struct ra_kit* kit, struct ra_ref ref) {
  const struct ra_loop* loop = kit->loop;
  if (!ra_registered(kit, ref.kind, ref.index)) return;
  if (ref.kind == RA_FD) loop->fd_unregister(loop->self, ref.index);
  if (ref.kind == RA_TIMER) loop->timer_unregister(loop->self, ref.index);
  if (ref.kind == RA_TASK) loop->task_unregister(loop->self, ref.index);
}

static void set(struct ra_kit* kit, const struct ra_op* op) {
  const int i = op->target.index;
  if (op->target.kind == RA_TIMER) kit->timer_script[i] = op->handler;
  if (op->target.kind == RA_TASK) kit->task_script[i] = op->handler;
  if (op->target.kind != RA_FD) return;
  kit->fd_script[i][op->band] = op->handler;
  kit->loop->fd_set_handler(kit->loop->self, i, op->band, op->handler);
}

/* A script's `run`: a nested iteration (MODEL-007), reported with `nested` (ADAPTER-006). */
static void nested_run(struct ra_kit* kit, int nowait) {
  if (kit->depth >= RA_MAX_RUN_DEPTH) return;
  const enum ra_outcome outcome = run(kit, nowait);
  static const char* const words[] = {"polled", "quit", "empty", "deadlock"};
  say("nested %s %" PRIu64, words[outcome], ra_clock(kit));
  if (!await_go(kit)) kit->stopped = 1;
}

static int applicable(const struct ra_op* op) {
  switch (op->code) {
    case RA_WRITE: case RA_READ: case RA_CLOSE: return op->target.kind == RA_FD;
    case RA_STAMP: return op->target.kind == RA_TASK;
    case RA_SET: return op->banded == (op->target.kind == RA_FD);
    default: return op->target.kind != RA_SELF;
  }
}

/* [req:ADAPTER-013] Only what applies reaches the adapter; the world and the scripts stay here. */
static void act(struct ra_kit* kit, const struct ra_statement* statement) {
  const struct ra_op* op = &statement->op;
  const struct ra_loop* loop = kit->loop;
  const int i = op->target.index;
  if (!applicable(op)) return;
  switch (op->code) {
    case RA_PIPE: ra_create_channel(kit, 0); return;
    case RA_SOCKETPAIR: ra_create_channel(kit, 1); return;
    case RA_WRITE: ra_write_end(kit, i, op->amount); return;
    case RA_READ: ra_read_end(kit, i, op->amount); return;
    case RA_CLOSE: ra_close_end(kit, i); return;
    case RA_REG: reg(kit, op->target, op->amount); return;
    case RA_UNREG: unreg(kit, op->target); return;
    case RA_SET: set(kit, op); return;
    case RA_STAMP: if (loop->task_stamp) loop->task_stamp(loop->self, i); return;
    case RA_ADVANCE:
      if (loop->advance) loop->advance(loop->self, (uint64_t)op->amount);
      else ra_sleep_ns(op->amount * RA_SCALE_NS), kit->clock += (uint64_t)op->amount, ra_refresh_now(kit);
      return;
    case RA_QUIT: loop->quit(loop->self); return;
    case RA_SCRIPT: kit->scripts[op->handler] = *statement; return;
    case RA_RUN: case RA_RUN_NOWAIT:
      if (kit->depth > 0) nested_run(kit, op->code == RA_RUN_NOWAIT);
      return; /* a top-level run is the runner's `run` request */
  }
}

int ra_script_of(const struct ra_kit* kit, struct ra_ref ref, enum ra_band band) {
  if (ref.kind == RA_FD) return kit->fd_script[ref.index][band];
  return ref.kind == RA_TIMER ? kit->timer_script[ref.index] : kit->task_script[ref.index];
}

/* ---- Callbacks and runs (ADAPTER-006, ADAPTER-007). ---- */

static int answer_query(struct ra_kit* kit, const char* line) {
  struct ra_ref ref;
  if (strcmp(line, "clock") == 0) {
    say("clock %" PRIu64, ra_clock(kit));
  } else if (strcmp(line, "count") == 0) {
    int count = 0;
    for (int i = 0; i < RA_MAX_ENDS; ++i) count += ra_registered(kit, RA_FD, i);
    for (int i = 0; i < RA_MAX_TIMERS; ++i) count += ra_registered(kit, RA_TIMER, i);
    for (int i = 0; i < RA_MAX_TASKS; ++i) count += ra_registered(kit, RA_TASK, i);
    say("count %d", count);
  } else if (strncmp(line, "registered ", 11) == 0 && ra_parse_ref(line + 11, &ref) && ref.kind != RA_SELF) {
    say("%s", ra_registered(kit, ref.kind, ref.index) ? "yes" : "no");
  } else if (strncmp(line, "unread ", 7) == 0 && ra_parse_ref(line + 7, &ref) && ref.kind == RA_FD) {
    const int64_t bytes = ra_unread(kit, ref.index);
    if (bytes < 0) say("unread -");
    else say("unread %" PRId64, bytes);
  } else {
    return 0;
  }
  return 1;
}

/* Waits for `go` (1) or `stop` (0), answering queries meanwhile; exits when the runner is gone. */
static int await_go(struct ra_kit* kit) {
  char line[LINE_MAX_BYTES];
  for (;;) {
    if (!next_line(kit, line)) _exit(0);
    if (strcmp(line, "go") == 0) return 1;
    if (strcmp(line, "stop") == 0) return 0;
    if (!answer_query(kit, line)) {
      fprintf(stderr, "refloop adapter kit: during a callback only queries, go or stop: '%s'\n", line);
      _exit(1);
    }
  }
}

int ra_callback(struct ra_kit* kit, struct ra_ref caller, enum ra_band band, int script) {
  char object[16];
  if (caller.kind == RA_FD) ++kit->fd_callbacks;
  if (caller.kind == RA_TIMER && !kit->loop->clock_ns && ra_monotonic_ns() < kit->timer_real[caller.index]) {
    char text[96];
    snprintf(text, sizeof text, "[TIME-004] t%d fired before the clock reached its expiry", caller.index);
    ra_problem(kit, text);
  }
  if (kit->depth == 0 || kit->stopped || script < 0 || script >= RA_MAX_SCRIPTS) return 0;
  ra_format_ref(caller, object, sizeof object);
  say("callback %s%s%s %d", object, caller.kind == RA_FD ? "." : "", caller.kind == RA_FD ? ra_band_name(band) : "", script);
  if (!await_go(kit)) {
    kit->stopped = 1;
    return 0;
  }
  const struct ra_statement actions = kit->scripts[script];
  for (int i = 0; i < actions.body_length; ++i) {
    struct ra_statement action = {.op = actions.body[i]};
    if (action.op.target.kind == RA_SELF) action.op.target = caller; /* `reg self` on a timer: now + 0 */
    act(kit, &action);
  }
  return 1;
}

static enum ra_outcome run(struct ra_kit* kit, int nowait) {
  ra_refresh_now(kit);
  ra_rearm_future_timers(kit);
  ++kit->depth;
  const enum ra_outcome outcome = kit->loop->run_once(kit->loop->self, nowait);
  --kit->depth;
  return outcome;
}

/* ---- Requests (ADAPTER-005, -008, -011) and the handshake (ADAPTER-002). ---- */

/* `n/a REASON`, `cannot REASON` or `can` for an operation and, in a script, each action. */
static void check_op(struct ra_kit* kit, const struct ra_statement* statement) {
  const struct ra_loop* loop = kit->loop;
  const char *not_applicable = NULL, *cannot = NULL;
  char long_advance[96];
  for (int i = -1; i < statement->body_length; ++i) {
    const struct ra_op* op = i < 0 ? &statement->op : &statement->body[i];
    const int top_level_run = i < 0 && (op->code == RA_RUN || op->code == RA_RUN_NOWAIT);
    if (!not_applicable && loop->not_applicable && !top_level_run) not_applicable = loop->not_applicable(loop->self, op);
    if (!cannot && loop->cannot) cannot = loop->cannot(loop->self, op);
    if (!cannot && !loop->advance && op->code == RA_ADVANCE && op->amount * RA_SCALE_NS > RA_MAX_ADVANCE_NS) {
      snprintf(long_advance, sizeof long_advance, "advance %" PRId64 " would sleep over a second of real time", op->amount);
      cannot = long_advance;
    }
  }
  if (not_applicable) say("n/a %s", not_applicable);
  else if (cannot) say("cannot %s", cannot);
  else say("can");
}

/* `probe NAME TEXT` or `check probe NAME TEXT`: NAME and TEXT split in place. */
static void probe(struct ra_kit* kit, char* words, int check_only) {
  const struct ra_loop* loop = kit->loop;
  char* space = strchr(words, ' ');
  const char* text = space ? space + 1 : "";
  if (space) *space = '\0';
  if (check_only) {
    const int on_end = strcmp(words, "close-keep") == 0 || strcmp(words, "clear-flags") == 0 ||
                       strcmp(words, "flags") == 0 || strcmp(words, "oobinline") == 0;
    const char* cannot = loop->probe_cannot ? loop->probe_cannot(loop->self, words, text) : NULL;
    if (!cannot && !on_end && loop->probe == NULL) cannot = "this adapter performs no probes";
    if (cannot) say("cannot %s", cannot);
    else say("can");
    return;
  }
  char result[LINE_MAX_BYTES / 2] = "", set_text[LINE_MAX_BYTES], error[128];
  struct ra_statement handler;
  snprintf(set_text, sizeof set_text, "set %s", text);
  if (strcmp(words, "set-handler") == 0 && ra_parse_line(set_text, &handler, error, sizeof error) == 1 &&
      handler.op.target.kind == RA_FD)
    kit->fd_script[handler.op.target.index][handler.op.band] = handler.op.handler;
  struct ra_ref end;
  const int on_end = ra_parse_ref(text, &end) && end.kind == RA_FD;
  if (!(on_end && ra_channel_end_probe(kit, words, end.index, result, sizeof result)) && loop->probe)
    loop->probe(loop->self, words, text, result, sizeof result);
  say("result %s", result);
}

static int answer_request(struct ra_kit* kit, char* line) {
  static const char* const outcomes[] = {"polled", "quit", "empty", "deadlock"};
  struct ra_statement statement;
  char error[256];
  const int is_op = strncmp(line, "op ", 3) == 0, is_check = strncmp(line, "check op ", 9) == 0;
  if (is_op || is_check) {
    if (ra_parse_line(line + (is_op ? 3 : 9), &statement, error, sizeof error) != 1) {
      fprintf(stderr, "refloop adapter kit: bad operation in '%s': %s\n", line, error);
      return 0;
    }
    if (is_check) check_op(kit, &statement);
    else act(kit, &statement), say("ok");
  } else if (strcmp(line, "run") == 0 || strcmp(line, "run nowait") == 0) {
    kit->stopped = 0;
    kit->problem[0] = '\0';
    const enum ra_outcome outcome = run(kit, line[3] != '\0');
    if (kit->problem[0] != '\0') say("problem %s", kit->problem);
    say("end %s %" PRIu64, outcomes[outcome], ra_clock(kit));
  } else if (strncmp(line, "probe ", 6) == 0) {
    probe(kit, line + 6, 0);
  } else if (strncmp(line, "check probe ", 12) == 0) {
    probe(kit, line + 12, 1);
  } else {
    fprintf(stderr, "refloop adapter kit: unknown request '%s'\n", line);
    return 0;
  }
  return 1;
}

static void handshake(const struct ra_identity* identity, const struct ra_capabilities* c) {
  say("refloop-adapter 1");
  say("name %s", identity->name);
  say("version %s", identity->version);
  say("library %s", identity->library ? identity->library : "-");
  say("capability bands %s", c->bands ? c->bands : "err in out");
  say("capability tasks %s", c->no_tasks ? "no" : "yes");
  say("capability stamp %s", c->no_stamp ? "no" : "yes");
  say("capability advance %s", c->no_advance ? "no" : "yes");
  say("capability nested-run %s", c->nested_run ? "yes" : "no");
  say("capability probes%s%s", c->probes ? " " : "", c->probes ? c->probes : "");
  if (c->order) say("capability order %s", c->order);
  say("ready");
}

struct ra_kit* ra_kit_new(void) {
  struct ra_kit* kit = calloc(1, sizeof *kit);
  if (kit == NULL) return NULL;
  ra_refresh_now(kit);
  for (int end = 0; end < RA_MAX_ENDS; ++end) {
    kit->end_fd[end] = -1;
    for (int band = 0; band < 3; ++band) kit->fd_script[end][band] = -1;
  }
  return kit;
}

int ra_serve(struct ra_kit* kit, const struct ra_loop* loop, const struct ra_identity* identity,
             const struct ra_capabilities* capabilities) {
  char line[LINE_MAX_BYTES];
  kit->loop = loop;
  handshake(identity, capabilities);
  while (next_line(kit, line))
    if (!answer_query(kit, line) && !answer_request(kit, line)) return 1;
  return 0;
}

const char* ra_library_of(void (*symbol)(void)) {
  static char path[PATH_MAX];
  Dl_info info;
  void* address;
  memcpy(&address, &symbol, sizeof address); /* a function's address as data, for dladdr */
  if (dladdr(address, &info) == 0 || info.dli_fname == NULL) return "-";
  const char* name = info.dli_fname[0] != '\0' ? info.dli_fname : "/proc/self/exe";
  if (realpath(name, path) == NULL) return "-";
  return path;
}
