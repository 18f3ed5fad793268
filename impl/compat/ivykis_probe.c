// SPDX-License-Identifier: ISC
// A small ivykis program (spec/loop.md, IVAPI-001): it uses only the public ivykis API, builds
// unchanged against ivykis's own <iv.h> (-livykis) and against refloop's, and prints a trace
// that must be the same for both (ctest compat.ivykis.probe compares them). Only behaviour that
// ivykis specifies is traced: timer expiry order, FIFO tasks, level-triggered reads, the flags
// set by registration, and the fatal handler. [req:IVAPI-001]
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iv.h>

static struct iv_timer timers[4];
static struct iv_task tasks[3];
static struct iv_fd reader;
static int pipe_fds[2];

static void timer_fired(void *cookie)
{
  printf("timer %ld\n", (long)((struct iv_timer *)cookie - timers));
}

static void task_ran(void *cookie)
{
  struct iv_task *task = cookie;
  long index = (long)(task - tasks);

  printf("task %ld registered=%d\n", index, iv_task_registered(task));
  if (index == 0) { /* a task registered by a task runs later, after the ones already queued */
    tasks[2].cookie = &tasks[2];
    tasks[2].handler = task_ran;
    iv_task_register(&tasks[2]);
  }
}

static void start_timers(void)
{
  static const long delays_ms[4] = { 40, 10, 30, 20 };
  int i;

  iv_validate_now();
  for (i = 0; i < 4; i++) {
    IV_TIMER_INIT(&timers[i]);
    timers[i].expires = iv_now;
    timers[i].expires.tv_nsec += delays_ms[i] * 1000000L;
    if (timers[i].expires.tv_nsec >= 1000000000L) {
      timers[i].expires.tv_sec++;
      timers[i].expires.tv_nsec -= 1000000000L;
    }
    timers[i].cookie = &timers[i];
    timers[i].handler = timer_fired;
    iv_timer_register(&timers[i]);
  }
  iv_timer_unregister(&timers[2]);
}

static void reader_readable(void *cookie)
{
  char buf[2];
  ssize_t n = read(reader.fd, buf, sizeof(buf)); /* two bytes a call: level-triggered */

  (void)cookie;
  if (n > 0) {
    printf("read \"%.*s\"\n", (int)n, buf);
    return;
  }
  printf("end of pipe\n");
  iv_fd_unregister(&reader);
  close(reader.fd);
  start_timers(); /* only now, so the trace does not depend on how fast the reads went */
}

static void report_fatal(const char *msg)
{
  printf("fatal handler: %s\n", msg);
  fflush(stdout);
  _exit(0);
}

int main(void)
{
  int i;

  printf("inited before iv_init: %d\n", iv_inited());
  iv_init();
  printf("inited: %d, method named: %d\n", iv_inited(), iv_poll_method_name() != NULL);

  if (pipe(pipe_fds) != 0)
    return 1;
  IV_FD_INIT(&reader);
  printf("IV_FD_INIT: fd=%d handler_in=%d\n", reader.fd, reader.handler_in != NULL);
  reader.fd = pipe_fds[0];
  reader.handler_in = reader_readable;
  printf("register_try: %d\n", iv_fd_register_try(&reader));
  printf("registered: %d\n", iv_fd_registered(&reader));
  printf("nonblocking: %d, cloexec: %d\n", (fcntl(reader.fd, F_GETFL) & O_NONBLOCK) != 0,
         (fcntl(reader.fd, F_GETFD) & FD_CLOEXEC) != 0);
  if (write(pipe_fds[1], "hello", 5) != 5)
    return 1;
  close(pipe_fds[1]);

  for (i = 0; i < 2; i++) {
    IV_TASK_INIT(&tasks[i]);
    tasks[i].cookie = &tasks[i];
    tasks[i].handler = task_ran;
    iv_task_register(&tasks[i]);
  }
  IV_TASK_INIT(&tasks[2]);

  iv_main();
  printf("iv_main returned, timer 2 registered: %d\n", iv_timer_registered(&timers[2]));
  iv_deinit();
  printf("inited after iv_deinit: %d\n", iv_inited());

  iv_set_fatal_msg_handler(report_fatal);
  fflush(stdout);
  iv_fatal("probe %d %s", 7, "done");
}
