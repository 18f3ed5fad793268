/* SPDX-License-Identifier: ISC */
/*
 * The kit's real-time base (spec/adapter.md, ADAPTER-014) against a fake loop whose timers are
 * plain records: each scenario serves a few protocol lines through ra_serve (standard input a
 * pipe, standard output a file) and checks what the kit armed and answered. Real time, with no
 * bound on lateness: each check compares times read in a known order, or has 100 s of slack.
 *   early-wake    [req:ADAPTER-014] a wait that ends before the deadline's real time is a problem
 *                 and moves the case's clock only as far as real time went;
 *   fresh-expiry  [req:ADAPTER-014] a timer's real expiry is computed when it is armed, and the
 *                 kit arms future timers again before an iteration (timer_rearm);
 *   past-deadline [req:ADAPTER-014] a deadline the case's clock has reached is no idle wait.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "refloop_adapter.h"

static struct ra_kit* kit;
static int timer_on[RA_MAX_TIMERS];
static int64_t armed_for[RA_MAX_TIMERS]; /* the real expiry last armed */
static int64_t registration_done;          /* after timer_register's operations */
static int rearms;
static const char* scenario;
static int failures;

static void sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec pause = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
  }
}

static void fail(const char* what) {
  fprintf(stderr, "kit_real_time_test %s: %s\n", scenario, what);
  ++failures;
}

static void no_fd(void* self, int end, int fd) { (void)self, (void)end, (void)fd; }
static void no_fd_end(void* self, int end) { (void)self, (void)end; }
static void no_handler(void* self, int end, enum ra_band band, int script) { (void)self, (void)end, (void)band, (void)script; }
static void timer_register(void* self, int timer, int64_t real_expiry_ns, int64_t case_expiry) {
  (void)self, (void)case_expiry;
  timer_on[timer] = 1;
  armed_for[timer] = real_expiry_ns;
  if (strcmp(scenario, "fresh-expiry") == 0) sleep_ms(30); /* operations after the arming take time */
  registration_done = ra_monotonic_ns();
}
static void timer_rearm(void* self, int timer, int64_t real_expiry_ns) {
  (void)self, ++rearms;
  armed_for[timer] = real_expiry_ns;
}
static void timer_unregister(void* self, int timer) { (void)self, timer_on[timer] = 0; }
static int registered(void* self, struct ra_ref ref) { return (void)self, ref.kind == RA_TIMER && timer_on[ref.index]; }
static void quit(void* self) { (void)self; }

/* One iteration: the wait of each scenario, idle, with no fd. */
static enum ra_outcome run_once(void* self, int nowait) {
  struct ra_wait wait;
  (void)self, (void)nowait;
  if (strcmp(scenario, "fresh-expiry") == 0) {
    if (rearms == 0) fail("the kit did not arm the future timer again before the iteration");
    if (armed_for[0] < registration_done + 5 * RA_SCALE_NS) fail("the timer's real expiry was stale when the iteration began");
  }
  ra_wait_begin(kit, &wait); /* early-wake: the deadline is 100 s of real time away */
  if (strcmp(scenario, "fresh-expiry") == 0) sleep_ms((wait.deadline_real_ns - ra_monotonic_ns()) / 1000000 + 1);
  ra_wait_end(kit, &wait, 1);
  return RA_POLLED;
}

/* Serves `requests` and returns what the kit wrote (static). */
static const char* serve(const char* requests) {
  static char answer[8192];
  int in[2];
  FILE* out = tmpfile();
  if (pipe(in) != 0 || out == NULL || write(in[1], requests, strlen(requests)) != (ssize_t)strlen(requests)) {
    fail("cannot set up standard input and output");
    return "";
  }
  close(in[1]);
  fflush(stdout);
  const int saved_in = dup(0), saved_out = dup(1);
  dup2(in[0], 0), dup2(fileno(out), 1);
  memset(timer_on, 0, sizeof timer_on), rearms = 0;
  kit = ra_kit_new();
  const struct ra_loop loop = {.fd_register = no_fd, .fd_unregister = no_fd_end, .fd_set_handler = no_handler,
                               .timer_register = timer_register, .timer_unregister = timer_unregister,
                               .registered = registered, .run_once = run_once, .quit = quit, .timer_rearm = timer_rearm};
  const struct ra_identity identity = {"fake", "-", NULL};
  const struct ra_capabilities capabilities = {.no_tasks = 1, .no_stamp = 1};
  ra_serve(kit, &loop, &identity, &capabilities);
  dup2(saved_in, 0), dup2(saved_out, 1);
  close(saved_in), close(saved_out), close(in[0]);
  free(kit);
  rewind(out);
  const size_t length = fread(answer, 1, sizeof answer - 1, out);
  answer[length] = '\0';
  fclose(out);
  return answer;
}

int main(void) {
  scenario = "early-wake";
  const char* answer = serve("op reg t0 +100000\nrun\n");
  if (strstr(answer, "problem [TIME-005] the idle wait ended") == NULL) fail("an early wake is not a problem");
  if (strstr(answer, "end polled 100000\n") != NULL) fail("an early wake moved the case's clock to the deadline");

  scenario = "fresh-expiry";
  answer = serve("op reg t0 +5\nrun\n");
  if (strstr(answer, "end polled 5\n") == NULL) fail("the wait did not reach the deadline");

  scenario = "past-deadline";
  answer = serve("op reg t0 -2000\nrun\n");
  if (strstr(answer, "problem") != NULL) fail(strstr(answer, "problem"));
  if (strstr(answer, "end polled 0\n") == NULL) fail("a past deadline moved the case's clock");

  if (failures == 0) printf("kit_real_time_test: 3 scenarios pass\n");
  return failures == 0 ? 0 : 1;
}
