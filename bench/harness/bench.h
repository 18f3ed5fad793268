/* SPDX-License-Identifier: ISC */
/* The benchmark harness shared by every program in bench/programs/: one program per library
   fills in a struct bench_library (how that library registers, re-arms, runs and stops), and
   bench_main() runs the benchmark named on the command line and prints the results in the one
   line format the driver (bench/run.py) reads:

     bench LIBRARY CONFIG BENCHMARK VARIANT PARAM METRIC VALUE

   e.g. "bench libev epoll io socketpair 1000 setup_us 412.7". Every program measures with the
   same code, so the libraries differ only in the hooks. C, so C and C++ programs share it. */
#ifndef REFLOOP_BENCH_H
#define REFLOOP_BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_library {
  const char *name;
  /* Creates the loop on CONFIG (a backend or method name, or "" for the library's default).
     Returns 0, or -1 when the library cannot run that configuration. */
  int (*open)(const char *config);
  void (*close)(void);

  /* ---- I/O chain (every library) ---- */
  void (*io_prepare)(size_t channels);       /* room for that many watchers */
  void (*io_watch)(size_t channel, int fd);  /* first registration, untimed */
  void (*io_rearm)(size_t channel, int fd);  /* re-add the watcher the way the API re-adds it */
  /* Runs the loop until bench_io_finished(); the harness calls io_stop (may be NULL for
     libraries whose io_run polls bench_io_finished itself) when the chain completes. */
  void (*io_run)(void);
  void (*io_stop)(void);

  /* ---- timers (NULL for libraries without timers) ---- */
  void (*timers_prepare)(size_t count);
  void (*timers_refresh_now)(void);  /* refresh the cached time: offsets count from here */
  void (*timer_start)(size_t timer, uint64_t offset_ns);
  void (*timer_cancel)(size_t timer);
  void (*timers_run)(void);          /* runs until every started timer has fired */

  /* ---- lateness (NULL when not offered): one timer DEADLINE_NS after a fresh reading of the
     library's own clock; returns (callback time - expiry) in ns on that same clock. */
  int64_t (*lateness_sample)(uint64_t deadline_ns);
};

/* Called by a library's read handler for CHANNEL: consumes what is there and continues the
   chain (writes to the next channel while writes remain). */
void bench_channel_readable(size_t channel);
/* True once every write of the current I/O round has been read. */
int bench_io_finished(void);
/* Called by a library's timer handler. */
void bench_timer_fired(size_t timer);

/* Monotonic time in ns, for libraries whose clock the harness must supply. */
uint64_t bench_monotonic_ns(void);

/* Parses argv, runs one benchmark, prints its result lines; returns the exit status. */
int bench_main(const struct bench_library *library, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
