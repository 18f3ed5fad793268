/* SPDX-License-Identifier: ISC */
/*
 * The operation vocabulary's text form (spec/model.md, MODEL-001) for C adapters [req:ADAPTER-012]: the same
 * grammar, refusals and canonical printing as model/loop/ops_text.cpp, which a unit test and a
 * fuzz target hold it to (kit_text_test.cpp, fuzz/kit_parse.cpp). Words are bounded slices of
 * the input; numbers are checked for length and limit before they are converted.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "refloop_adapter.h"

#define MAX_WORDS 8

struct word {
  const char* start;
  size_t length;
};

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* The words of [text, text + length); at most MAX_WORDS (more counts as MAX_WORDS + 1). */
static int split_words(const char* text, size_t length, struct word* words) {
  int count = 0;
  size_t i = 0;
  while (i < length) {
    while (i < length && is_space(text[i])) ++i;
    const size_t start = i;
    while (i < length && !is_space(text[i])) ++i;
    if (i == start) continue;
    if (count == MAX_WORDS) return MAX_WORDS + 1;
    words[count].start = text + start;
    words[count].length = i - start;
    ++count;
  }
  return count;
}

static int word_is(struct word w, const char* literal) {
  return w.length == strlen(literal) && memcmp(w.start, literal, w.length) == 0;
}

static int fail(char* error, size_t size, const char* format, ...) {
  va_list arguments;
  va_start(arguments, format);
  if (size > 0) vsnprintf(error, size, format, arguments);
  va_end(arguments);
  return -1;
}

/* A word quoted for a message, cut at 40 bytes so the message stays bounded. */
#define QUOTED(w) (int)((w).length > 40 ? 40 : (w).length), (w).start

/* A decimal number without sign, at most `limit`. */
static int parse_number(struct word w, uint64_t limit, uint64_t* value) {
  if (w.length == 0 || w.length > 20) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < w.length; ++i) {
    const char c = w.start[i];
    if (c < '0' || c > '9') return 0;
    const uint64_t digit = (uint64_t)(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return 0;
    v = v * 10 + digit;
  }
  if (v > limit) return 0;
  *value = v;
  return 1;
}

static int ref_of(struct word w, struct ra_ref* out) {
  const char* s = w.start;
  if (word_is(w, "self")) { out->kind = RA_SELF; out->index = 0; return 1; }
  if (w.length == 3 && s[0] == 'c' && s[1] >= '0' && s[1] < '0' + RA_MAX_CHANNELS && (s[2] == 'a' || s[2] == 'b')) {
    out->kind = RA_FD;
    out->index = 2 * (s[1] - '0') + (s[2] - 'a');
    return 1;
  }
  if (w.length == 2 && s[0] == 't' && s[1] >= '0' && s[1] < '0' + RA_MAX_TIMERS) {
    out->kind = RA_TIMER; out->index = s[1] - '0'; return 1;
  }
  if (w.length == 2 && s[0] == 'k' && s[1] >= '0' && s[1] < '0' + RA_MAX_TASKS) {
    out->kind = RA_TASK; out->index = s[1] - '0'; return 1;
  }
  return 0;
}

int ra_parse_ref(const char* text, struct ra_ref* out) {
  const struct word w = {text, strlen(text)};
  return ref_of(w, out);
}

static int script_id(struct word w) {
  if (w.length == 2 && w.start[0] == 's' && w.start[1] >= '0' && w.start[1] < '0' + RA_MAX_SCRIPTS) return w.start[1] - '0';
  return -1;
}

static int band_of(struct word w, enum ra_band* band) {
  if (word_is(w, "in")) *band = RA_IN;
  else if (word_is(w, "out")) *band = RA_OUT;
  else if (word_is(w, "err")) *band = RA_ERR;
  else return 0;
  return 1;
}

static void clear(struct ra_op* op, enum ra_code code) {
  memset(op, 0, sizeof *op);
  op->code = code;
  op->band = RA_IN;
  op->handler = -1;
}

static int bytes_op(enum ra_code code, const struct word* w, int n, struct ra_op* op, char* error, size_t size) {
  uint64_t count = 0;
  if (n != 3) return fail(error, size, "%.*s takes an end and a byte count", QUOTED(w[0]));
  clear(op, code);
  if (!ref_of(w[1], &op->target) || (op->target.kind != RA_FD && op->target.kind != RA_SELF))
    return fail(error, size, "not a channel end: '%.*s'", QUOTED(w[1]));
  if (!parse_number(w[2], RA_MAX_BYTES, &count))
    return fail(error, size, "byte count must be 0..%d: '%.*s'", RA_MAX_BYTES, QUOTED(w[2]));
  op->amount = (int64_t)count;
  return 1;
}

static int reg_op(const struct word* w, int n, struct ra_op* op, char* error, size_t size) {
  uint64_t delay = 0;
  if (n < 2) return fail(error, size, "reg takes an object");
  clear(op, RA_REG);
  if (!ref_of(w[1], &op->target)) return fail(error, size, "not an object: '%.*s'", QUOTED(w[1]));
  if (op->target.kind != RA_TIMER || n == 2) {
    if (n != 2) return fail(error, size, "reg of an fd or task takes no delay");
    return 1;
  }
  if (n != 3 || w[2].length < 2 || (w[2].start[0] != '+' && w[2].start[0] != '-'))
    return fail(error, size, "reg of a timer takes a signed delay in ns, e.g. +5");
  const struct word magnitude = {w[2].start + 1, w[2].length - 1};
  if (!parse_number(magnitude, (uint64_t)RA_MAX_NANOSECONDS, &delay))
    return fail(error, size, "timer delay out of range: '%.*s'", QUOTED(w[2]));
  op->amount = w[2].start[0] == '-' ? -(int64_t)delay : (int64_t)delay;
  return 1;
}

static int set_op(const struct word* w, int n, struct ra_op* op, char* error, size_t size) {
  if (n != 3) return fail(error, size, "set takes a target and a script");
  clear(op, RA_SET);
  const char* dot = memchr(w[1].start, '.', w[1].length);
  const struct word object = {w[1].start, dot ? (size_t)(dot - w[1].start) : w[1].length};
  if (!ref_of(object, &op->target)) return fail(error, size, "not an object: '%.*s'", QUOTED(w[1]));
  const int is_fd = dot != NULL;
  if (op->target.kind != RA_SELF && is_fd != (op->target.kind == RA_FD))
    return fail(error, size, "an fd handler is set as c0a.in, a timer or task as t0");
  if (is_fd) {
    const struct word band = {dot + 1, w[1].length - object.length - 1};
    if (!band_of(band, &op->band)) return fail(error, size, "not a band (in, out, err): '%.*s'", QUOTED(w[1]));
  }
  op->banded = is_fd;
  if (is_fd && word_is(w[2], "-")) return 1;
  op->handler = script_id(w[2]);
  if (op->handler < 0) return fail(error, size, "not a script: '%.*s'", QUOTED(w[2]));
  return 1;
}

/* close (fd only), stamp (task only), unreg (anything); `self` is always accepted here. */
static int target_op(enum ra_code code, const struct word* w, int n, struct ra_op* op, char* error, size_t size) {
  if (n != 2) return fail(error, size, "%.*s takes one object", QUOTED(w[0]));
  clear(op, code);
  const int known = ref_of(w[1], &op->target);
  const enum ra_kind kind = op->target.kind;
  const int wrong = kind != RA_SELF && ((code == RA_CLOSE && kind != RA_FD) || (code == RA_STAMP && kind != RA_TASK));
  if (!known || wrong) return fail(error, size, "wrong object for %.*s: '%.*s'", QUOTED(w[0]), QUOTED(w[1]));
  return 1;
}

static int bare_op(enum ra_code code, const struct word* w, int n, struct ra_op* op, char* error, size_t size) {
  if (n != 1) return fail(error, size, "%.*s takes no argument", QUOTED(w[0]));
  clear(op, code);
  return 1;
}

static int plain_op(const char* text, size_t length, struct ra_op* op, char* error, size_t size) {
  struct word w[MAX_WORDS];
  const int n = split_words(text, length, w);
  uint64_t by = 0;
  if (n == 0) return fail(error, size, "empty operation");
  if (word_is(w[0], "pipe")) return bare_op(RA_PIPE, w, n, op, error, size);
  if (word_is(w[0], "socketpair")) return bare_op(RA_SOCKETPAIR, w, n, op, error, size);
  if (word_is(w[0], "quit")) return bare_op(RA_QUIT, w, n, op, error, size);
  if (word_is(w[0], "write")) return bytes_op(RA_WRITE, w, n, op, error, size);
  if (word_is(w[0], "read")) return bytes_op(RA_READ, w, n, op, error, size);
  if (word_is(w[0], "close")) return target_op(RA_CLOSE, w, n, op, error, size);
  if (word_is(w[0], "unreg")) return target_op(RA_UNREG, w, n, op, error, size);
  if (word_is(w[0], "stamp")) return target_op(RA_STAMP, w, n, op, error, size);
  if (word_is(w[0], "reg")) return reg_op(w, n, op, error, size);
  if (word_is(w[0], "set")) return set_op(w, n, op, error, size);
  if (word_is(w[0], "run")) {
    if (n == 1) return bare_op(RA_RUN, w, n, op, error, size);
    if (n == 2 && word_is(w[1], "nowait")) return bare_op(RA_RUN_NOWAIT, w, 1, op, error, size);
    return fail(error, size, "run takes nothing or 'nowait'");
  }
  if (word_is(w[0], "advance")) {
    if (n != 2 || !parse_number(w[1], (uint64_t)RA_MAX_NANOSECONDS, &by))
      return fail(error, size, "advance takes a count of ns, 0..%lld", RA_MAX_NANOSECONDS);
    clear(op, RA_ADVANCE);
    op->amount = (int64_t)by;
    return 1;
  }
  return fail(error, size, "unknown operation '%.*s'", QUOTED(w[0]));
}

/* What a callback may do (MODEL-002). */
static int allowed_in_script(enum ra_code code) {
  return code == RA_WRITE || code == RA_READ || code == RA_REG || code == RA_UNREG || code == RA_SET ||
         code == RA_STAMP || code == RA_QUIT || code == RA_RUN || code == RA_RUN_NOWAIT;
}

/* script s1: action, action, ... */
static int script_op(const char* text, size_t length, struct ra_statement* out, char* error, size_t size) {
  static const char* const form = "a script is written 'script s1: action, ...'";
  const char* colon = memchr(text, ':', length);
  struct word head[MAX_WORDS];
  if (colon == NULL) return fail(error, size, "%s", form);
  const int n = split_words(text, (size_t)(colon - text), head);
  const int id = n == 2 ? script_id(head[1]) : -1;
  if (id < 0) return fail(error, size, "%s", form);
  clear(&out->op, RA_SCRIPT);
  out->op.handler = id;
  const char* part = colon + 1;
  const char* end = text + length;
  struct word ignored[MAX_WORDS];
  if (split_words(part, (size_t)(end - part), ignored) == 0) return 1;
  for (;;) {
    const char* comma = memchr(part, ',', (size_t)(end - part));
    const char* stop = comma ? comma : end;
    struct ra_op action;
    if (plain_op(part, (size_t)(stop - part), &action, error, size) < 0) return -1;
    if (!allowed_in_script(action.code)) {
      struct word verb[MAX_WORDS];
      split_words(part, (size_t)(stop - part), verb);
      return fail(error, size, "not allowed in a script: '%.*s'", QUOTED(verb[0]));
    }
    if (out->body_length == RA_MAX_SCRIPT_LENGTH)
      return fail(error, size, "a script has at most %d actions", RA_MAX_SCRIPT_LENGTH);
    out->body[out->body_length++] = action;
    if (comma == NULL) return 1;
    part = comma + 1;
  }
}

int ra_parse_line(const char* text, struct ra_statement* out, char* error, size_t error_size) {
  size_t length = strcspn(text, "#\n");
  struct word w[MAX_WORDS];
  if (error_size > 0) error[0] = '\0';
  memset(out, 0, sizeof *out);
  if (split_words(text, length, w) == 0) return 0;
  const int parsed = word_is(w[0], "script") ? script_op(text, length, out, error, error_size)
                                             : plain_op(text, length, &out->op, error, error_size);
  if (parsed < 0) return -1;
  if (out->op.target.kind == RA_SELF) return fail(error, error_size, "'self' is only meaningful in a script");
  return 1;
}

const char* ra_band_name(enum ra_band band) {
  switch (band) {
    case RA_ERR: return "err";
    case RA_IN: return "in";
    case RA_OUT: return "out";
  }
  return "?";
}

char* ra_format_ref(struct ra_ref ref, char* buffer, size_t size) {
  switch (ref.kind) {
    case RA_FD: snprintf(buffer, size, "c%d%c", ref.index / 2, 'a' + ref.index % 2); break;
    case RA_TIMER: snprintf(buffer, size, "t%d", ref.index); break;
    case RA_TASK: snprintf(buffer, size, "k%d", ref.index); break;
    case RA_SELF: snprintf(buffer, size, "self"); break;
  }
  return buffer;
}

static void format_op(const struct ra_op* op, char* buffer, size_t size) {
  static const char* const verbs[] = {"pipe", "socketpair", "write", "read", "close", "reg", "unreg",
                                      "set", "stamp", "advance", "run", "run nowait", "quit", "script"};
  char target[16], script[12] = "-"; /* "c" and any int: no truncation (-Wformat-truncation) */
  ra_format_ref(op->target, target, sizeof target);
  if (op->handler >= 0) snprintf(script, sizeof script, "s%d", op->handler);
  const char* verb = verbs[op->code];
  switch (op->code) {
    case RA_WRITE: case RA_READ: snprintf(buffer, size, "%s %s %" PRId64, verb, target, op->amount); return;
    case RA_CLOSE: case RA_UNREG: case RA_STAMP: snprintf(buffer, size, "%s %s", verb, target); return;
    case RA_REG:
      if (op->target.kind != RA_TIMER) snprintf(buffer, size, "reg %s", target);
      else snprintf(buffer, size, "reg %s %c%" PRIu64, target, op->amount < 0 ? '-' : '+',
                    op->amount < 0 ? (uint64_t)0 - (uint64_t)op->amount : (uint64_t)op->amount);
      return;
    case RA_SET:
      if (op->banded) snprintf(buffer, size, "set %s.%s %s", target, ra_band_name(op->band), script);
      else snprintf(buffer, size, "set %s %s", target, script);
      return;
    case RA_ADVANCE: snprintf(buffer, size, "advance %" PRId64, op->amount); return;
    default: snprintf(buffer, size, "%s", verb); return;
  }
}

char* ra_format_statement(const struct ra_statement* statement, char* buffer, size_t size) {
  if (size == 0) return buffer;
  if (statement->op.code != RA_SCRIPT) {
    format_op(&statement->op, buffer, size);
    return buffer;
  }
  snprintf(buffer, size, "script s%d:", statement->op.handler);
  for (int i = 0; i < statement->body_length; ++i) {
    const size_t used = strlen(buffer);
    char action[64];
    format_op(&statement->body[i], action, sizeof action);
    snprintf(buffer + used, size - used, "%s%s", i ? ", " : " ", action);
  }
  return buffer;
}
