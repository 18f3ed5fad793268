/* SPDX-License-Identifier: ISC */
/*
 * The kit's world of channels (spec/model.md, MODEL-001, MODEL-003) and its real-time base
 * (spec/adapter.md, ADAPTER-010), for refloop_adapter.c.
 */
#define _GNU_SOURCE /* pipe2, SOCK_NONBLOCK */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "refloop_adapter_internal.h"

/* ---- The real-time base (ADAPTER-010). ---- */

int64_t ra_monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

void ra_sleep_ns(int64_t ns) {
  if (ns <= 0) return;
  struct timespec pause = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
  while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
  }
}

uint64_t ra_clock(const struct ra_kit* kit) {
  return kit->loop->clock_ns ? kit->loop->clock_ns(kit->loop->self) : kit->clock;
}
int64_t ra_timer_case_expiry(const struct ra_kit* kit, int timer) { return kit->timer_case[timer]; }
int64_t ra_timer_real_expiry(const struct ra_kit* kit, int timer) { return kit->timer_real[timer]; }
int ra_fd_callbacks(const struct ra_kit* kit) { return kit->fd_callbacks; }
int ra_end_fd(const struct ra_kit* kit, int end) { return end >= 0 && end < RA_MAX_ENDS ? kit->end_fd[end] : -1; }

int ra_registered(const struct ra_kit* kit, enum ra_kind kind, int index) {
  if (kind == RA_TASK && kit->loop->task_register == NULL) return 0;
  const struct ra_ref ref = {kind, index};
  return kit->loop->registered(kit->loop->self, ref) != 0;
}

int ra_deadline(const struct ra_kit* kit, int64_t* deadline) {
  int found = 0;
  for (int i = 0; i < RA_MAX_TIMERS; ++i)
    if (ra_registered(kit, RA_TIMER, i) && (!found || kit->timer_case[i] < *deadline)) {
      *deadline = kit->timer_case[i];
      found = 1;
    }
  return found;
}

void ra_wait_begin(struct ra_kit* kit, struct ra_wait* wait) {
  wait->started_ns = ra_monotonic_ns();
  wait->deadline = 0;
  wait->has_deadline = ra_deadline(kit, &wait->deadline);
  wait->fd_callbacks = kit->fd_callbacks;
}

/* An idle wait ends at its deadline, never earlier, at most the tolerance later (TIME-004,
 * TIME-005): the case's clock moves to the deadline; a late wake is a problem. */
void ra_wait_end(struct ra_kit* kit, const struct ra_wait* wait, int idle) {
  if (!idle || !wait->has_deadline || kit->fd_callbacks != wait->fd_callbacks) return;
  const int64_t clock = (int64_t)kit->clock;
  const int64_t wanted = wait->started_ns + (wait->deadline - clock) * RA_SCALE_NS;
  const int64_t woke = ra_monotonic_ns();
  if (woke > wanted + RA_TOLERANCE_NS) {
    char text[128];
    snprintf(text, sizeof text, "[TIME-004] the idle wait ended %" PRId64 " us after its deadline", (woke - wanted) / 1000);
    ra_problem(kit, text);
  }
  if (wait->deadline > clock) kit->clock = (uint64_t)wait->deadline;
}

/* ---- The world (MODEL-001, MODEL-003). ---- */

static int can_read(const struct ra_kit* kit, int end) { return kit->socket[end / 2] || end % 2 == 0; }

void ra_create_channel(struct ra_kit* kit, int is_socket) {
  int pair[2];
  if (kit->channels == RA_MAX_CHANNELS) return;
  const int made = is_socket ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair)
                             : pipe2(pair, O_CLOEXEC | O_NONBLOCK);
  if (made != 0) return;
  kit->socket[kit->channels] = is_socket;
  kit->end_fd[2 * kit->channels] = pair[0];
  kit->end_fd[2 * kit->channels + 1] = pair[1];
  ++kit->channels;
}

/* Unread bytes at an open end that can read; -1 otherwise. */
int64_t ra_unread(const struct ra_kit* kit, int end) {
  int count = 0;
  if (end < 0 || end >= 2 * kit->channels || kit->end_fd[end] < 0 || !can_read(kit, end)) return -1;
  return ioctl(kit->end_fd[end], FIONREAD, &count) == 0 ? count : 0;
}

/* Writes up to `bytes`, stopping at the peer's unread cap so every end stays writable. */
void ra_write_end(struct ra_kit* kit, int end, int64_t bytes) {
  static const char filler[RA_UNREAD_CAP] = {0};
  const int peer = end ^ 1;
  if (end >= 2 * kit->channels || kit->end_fd[end] < 0 || kit->end_fd[peer] < 0) return;
  if (!kit->socket[end / 2] && end % 2 == 0) return; /* a pipe writes at b */
  const int64_t waiting = ra_unread(kit, peer) < 0 ? 0 : ra_unread(kit, peer);
  const int64_t room = waiting >= RA_UNREAD_CAP ? 0 : RA_UNREAD_CAP - waiting;
  const size_t count = (size_t)(bytes < room ? bytes : room);
  if (count == 0) return;
  if (kit->socket[end / 2]) (void)!send(kit->end_fd[end], filler, count, MSG_NOSIGNAL);
  else (void)!write(kit->end_fd[end], filler, count);
}

void ra_read_end(struct ra_kit* kit, int end, int64_t bytes) {
  char sink[RA_MAX_BYTES];
  if (end >= 2 * kit->channels || kit->end_fd[end] < 0 || !can_read(kit, end) || bytes == 0) return;
  (void)!read(kit->end_fd[end], sink, (size_t)bytes); /* EAGAIN when empty: nothing read */
}

void ra_close_end(struct ra_kit* kit, int end) {
  if (end >= 2 * kit->channels || kit->end_fd[end] < 0 || ra_registered(kit, RA_FD, end)) return;
  close(kit->end_fd[end]);
  kit->end_fd[end] = -1;
}
