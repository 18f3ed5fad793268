/* SPDX-License-Identifier: ISC */
/*
 * The kit's world of channels (spec/model.md, MODEL-001, MODEL-003) and its real-time base
 * (spec/adapter.md, ADAPTER-010), for refloop_adapter.c.
 */
#define _GNU_SOURCE /* pipe2, SOCK_NONBLOCK */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
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

void ra_refresh_now(struct ra_kit* kit) { kit->now_real = ra_monotonic_ns(); }

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

/* [req:ADAPTER-014] A timer the case's clock has not reached ends its remaining case time, scaled,
 * after the real time of this call: real time runs on between operations while the case's clock
 * stands still, so a real expiry computed earlier would let the loop fire it early. A timer the
 * clock has reached keeps one base per iteration (the kit's now), so such timers keep their order. */
static int64_t real_expiry_from(int64_t base, const struct ra_kit* kit, int64_t case_expiry) {
  return base + (case_expiry - (int64_t)ra_clock(kit)) * RA_SCALE_NS;
}

int64_t ra_real_expiry(const struct ra_kit* kit, int64_t case_expiry) {
  const int due = case_expiry <= (int64_t)ra_clock(kit);
  return real_expiry_from(due ? kit->now_real : ra_monotonic_ns(), kit, case_expiry);
}

void ra_rearm_future_timers(struct ra_kit* kit) {
  const struct ra_loop* loop = kit->loop;
  if (loop->timer_rearm == NULL || loop->clock_ns != NULL) return;
  const int64_t base = ra_monotonic_ns(); /* one read: the timers keep the order of their case expiries */
  for (int i = 0; i < RA_MAX_TIMERS; ++i) {
    if (!ra_registered(kit, RA_TIMER, i) || kit->timer_case[i] <= (int64_t)ra_clock(kit)) continue;
    kit->timer_real[i] = real_expiry_from(base, kit, kit->timer_case[i]);
    loop->timer_rearm(loop->self, i, kit->timer_real[i]);
  }
}

void ra_wait_begin(struct ra_kit* kit, struct ra_wait* wait) {
  wait->started_ns = ra_monotonic_ns();
  wait->deadline = 0;
  wait->has_deadline = ra_deadline(kit, &wait->deadline);
  wait->fd_callbacks = kit->fd_callbacks;
  /* The deadline's real time is the earliest real expiry the loop holds for a timer at it. */
  wait->deadline_real_ns = INT64_MAX;
  for (int i = 0; wait->has_deadline && i < RA_MAX_TIMERS; ++i)
    if (ra_registered(kit, RA_TIMER, i) && kit->timer_case[i] == wait->deadline && kit->timer_real[i] < wait->deadline_real_ns)
      wait->deadline_real_ns = kit->timer_real[i];
}

/* [req:ADAPTER-014] An idle wait ends at its deadline, never earlier, at most the tolerance later
 * (TIME-004, TIME-005). A wait that reached the deadline's real time moves the case's clock to the
 * deadline, and one that ended more than the tolerance after it is a problem; a wake before it
 * moves the clock only as far as real time went, scaled, and is a problem (a loop that wakes
 * spuriously). A deadline at or before the case's clock is not an idle wait: nothing to report. */
static void end_idle_wait(struct ra_kit* kit, const struct ra_wait* wait) {
  const int64_t clock = (int64_t)kit->clock, woke = ra_monotonic_ns();
  char text[160];
  if (woke < wait->deadline_real_ns) {
    int64_t moved = (woke - wait->started_ns) / RA_SCALE_NS;
    if (moved > wait->deadline - clock - 1) moved = wait->deadline - clock - 1;
    if (moved > 0) kit->clock += (uint64_t)moved;
    snprintf(text, sizeof text, "[TIME-005] the idle wait ended %" PRId64 " us before its deadline (case time %" PRId64 ")",
             (wait->deadline_real_ns - woke) / 1000, wait->deadline);
    ra_problem(kit, text);
    return;
  }
  if (woke > wait->deadline_real_ns + RA_TOLERANCE_NS) {
    snprintf(text, sizeof text, "[TIME-004] the idle wait ended %" PRId64 " us after its deadline",
             (woke - wait->deadline_real_ns) / 1000);
    ra_problem(kit, text);
  }
  kit->clock = (uint64_t)wait->deadline;
}

void ra_wait_end(struct ra_kit* kit, const struct ra_wait* wait, int idle) {
  const int is_idle = idle && wait->has_deadline && kit->fd_callbacks == wait->fd_callbacks &&
                      wait->deadline > (int64_t)kit->clock && wait->deadline_real_ns != INT64_MAX;
  if (is_idle) end_idle_wait(kit, wait);
  ra_rearm_future_timers(kit);
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
  kit->end_fd[2 * kit->channels] = kit->end_number[2 * kit->channels] = pair[0];
  kit->end_fd[2 * kit->channels + 1] = kit->end_number[2 * kit->channels + 1] = pair[1];
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

int ra_end_number(const struct ra_kit* kit, int end) {
  return end >= 0 && end < 2 * kit->channels ? kit->end_number[end] : -1;
}

const char* ra_errno_name(int error) {
  static char unnamed[32];
  if (error == 0) return "errno 0";
  const char* name = strerrorname_np(error);
  if (name != NULL) return name;
  snprintf(unnamed, sizeof unnamed, "errno %d", error);
  return unnamed;
}

int ra_channel_end_probe(struct ra_kit* kit, const char* name, int end, char* result, size_t size) {
  const int fd = ra_end_number(kit, end);
  if (strcmp(name, "close-keep") == 0) {
    if (ra_end_fd(kit, end) >= 0) close(kit->end_fd[end]);
    if (end >= 0 && end < RA_MAX_ENDS) kit->end_fd[end] = -1;
    snprintf(result, size, "%s", "");
  } else if (strcmp(name, "clear-flags") == 0) {
    const int status = fcntl(fd, F_GETFL), descriptor = fcntl(fd, F_GETFD);
    if (status >= 0) fcntl(fd, F_SETFL, status & ~O_NONBLOCK);
    if (descriptor >= 0) fcntl(fd, F_SETFD, descriptor & ~FD_CLOEXEC);
    snprintf(result, size, "%s", "");
  } else if (strcmp(name, "flags") == 0) { /* FD-009: what registration must set */
    const int status = fcntl(fd, F_GETFL), descriptor = fcntl(fd, F_GETFD);
    if (status < 0 || descriptor < 0) snprintf(result, size, "closed");
    else snprintf(result, size, "%s%s", status & O_NONBLOCK ? "nonblock" : "blocking", descriptor & FD_CLOEXEC ? " cloexec" : "");
  } else if (strcmp(name, "oobinline") == 0) { /* IVAPI-023 */
    int on = 0;
    socklen_t length = sizeof on;
    if (getsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &on, &length) != 0) snprintf(result, size, "not a socket");
    else snprintf(result, size, "%s", on ? "oobinline on" : "oobinline off");
  } else {
    return 0;
  }
  return 1;
}

int ra_dup_high(int fd) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur <= FD_SETSIZE + 8 && limit.rlim_max > FD_SETSIZE + 8) {
    limit.rlim_cur = FD_SETSIZE + 8;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  return fcntl(fd, F_DUPFD_CLOEXEC, FD_SETSIZE);
}
