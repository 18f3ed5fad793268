/* SPDX-License-Identifier: ISC */
/*
 * The kit's state, shared by its two halves: refloop_adapter.c (the protocol, the operations,
 * callbacks and runs) and refloop_adapter_world.c (the world of channels and the real-time base).
 * Not for adapters: they use refloop_adapter.h only.
 */
#ifndef REFLOOP_ADAPTER_INTERNAL_H
#define REFLOOP_ADAPTER_INTERNAL_H

#include "refloop_adapter.h"

#define LINE_MAX_BYTES 4096

struct ra_kit {
  const struct ra_loop* loop;
  /* The world (MODEL-001, MODEL-003): channel c has ends 2c and 2c+1; a pipe reads at a. */
  int channels;
  int socket[RA_MAX_CHANNELS];
  int end_fd[RA_MAX_ENDS];
  int end_number[RA_MAX_ENDS]; /* what end_fd was before it was closed */
  /* The scripts and which one each handler runs. */
  struct ra_statement scripts[RA_MAX_SCRIPTS];
  int fd_script[RA_MAX_ENDS][3];
  int timer_script[RA_MAX_TIMERS], task_script[RA_MAX_TASKS];
  /* The real-time base: the case's clock and each timer's expiry on both clocks. */
  uint64_t clock;
  int64_t now_real; /* the real time that stands for the case's `now` (see ra_refresh_now) */
  int64_t timer_case[RA_MAX_TIMERS], timer_real[RA_MAX_TIMERS];
  /* The run in progress. */
  int depth, stopped, fd_callbacks;
  char problem[512];
  /* Reading the runner's lines. */
  char in[LINE_MAX_BYTES];
  size_t in_length;
};

/* What the loop says is registered (no tasks when it has none). */
int ra_registered(const struct ra_kit* kit, enum ra_kind kind, int index);
void ra_sleep_ns(int64_t ns);
/* The case's `now` on the real clock is read again when an iteration begins and after an
 * `advance`, as a loop caches its time once per iteration (iv_now, ev_now, uv_now): timers
 * registered between two iterations share one base, so their real expiries keep the order of
 * their case expiries. */
void ra_refresh_now(struct ra_kit* kit);
/* [req:ADAPTER-014] Arms again (struct ra_loop's timer_rearm) every registered timer the case's
 * clock has not reached, at one fresh real time standing for the case's now: before each iteration
 * and after each wait, since real time ran on while the case's clock stood still. */
void ra_rearm_future_timers(struct ra_kit* kit);

/* The world (MODEL-001, MODEL-003): the operations that act on channels only. */
void ra_create_channel(struct ra_kit* kit, int is_socket);
int64_t ra_unread(const struct ra_kit* kit, int end); /* -1: closed or cannot read */
void ra_write_end(struct ra_kit* kit, int end, int64_t bytes);
void ra_read_end(struct ra_kit* kit, int end, int64_t bytes);
void ra_close_end(struct ra_kit* kit, int end);
/* The channel-end probes (close-keep, clear-flags, flags, oobinline) into `result`; 0 for any
 * other probe. */
int ra_channel_end_probe(struct ra_kit* kit, const char* name, int end, char* result, size_t size);

#endif
