/* SPDX-License-Identifier: ISC */
/*
 * refloop_adapter.h: the C adapter kit of refloop's conformance suite. A program that links it
 * speaks the process protocol of spec/adapter.md (ADAPTER-001..011) on its standard input and
 * output, so `refloop-conformance --adapter 'PROGRAM ARGS' --name IMPL/METHOD` can judge the loop
 * it drives. The kit does everything that is not about the loop under test:
 *
 *   - the protocol: the handshake (name, version, library, capabilities), the runner's requests
 *     and queries, `callback` ... `go`/`stop` with queries answered while waiting, `nested`,
 *     `end`, `problem` and `fatal` (ADAPTER-002, -005..-009, -011);
 *   - the operation vocabulary (spec/model.md, MODEL-001) parsed into plain C structs, scripts
 *     included, and made total (MODEL-002): the loop's functions below are called only for an
 *     operation that applies (an object that is not registered is never unregistered, ...);
 *   - the world of the cases: pipes and socket pairs with nonblocking ends, the unread cap of
 *     MODEL-003, the scripts, and `self` resolved to the caller;
 *   - the real-time base of ADAPTER-010 for loops without a simulated clock: case time scaled to
 *     real time, an idle wait reported at its deadline when it woke no earlier and within the
 *     tolerance, a bounded deadlock guard, a timer that fires early reported as a problem.
 *
 * The adapter fills a `struct ra_loop` (the loop-specific part: register an fd, set a handler,
 * add or cancel a timer, register a task, run one iteration, quit, ...), and from main creates
 * the kit (`ra_kit_new`), keeps it where its callbacks find it, and calls `ra_serve(kit, &loop,
 * &identity, &capabilities)`; when that returns (the runner closed its input: the case is over), it
 * tears its loop down as a program would and returns ra_serve's status (ADAPTER-020). From inside the loop's callbacks it calls `ra_callback`, which
 * reports the callback to the runner and runs its script.
 *
 * C99 and POSIX only. conformance/adapters/template-c/iv_adapter.c is a complete adapter for any
 * <iv.h>; its README is the ten-minute path.
 *
 * API stability: version 1 (RA_KIT_VERSION). Anything added later is added at the end of the
 * structs below (a struct ra_loop filled with designated initialisers keeps compiling), and
 * every change is listed here. Changes since the header was first committed (all before any
 * adapter but the template used it):
 *   - timer case expiries and deadlines are int64_t (a timer at -D early in a case lies before
 *     its start);
 *   - added: ra_format_ref, ra_end_number, ra_errno_name, ra_dup_high; the kit performs the
 *     channel-end probes and records a set-handler probe's script; `not_applicable` is not asked
 *     about a top-level `run`; ra_kit_new leaves SIGPIPE alone.
 *   - added (branch peer-adapters): struct ra_capabilities' `order` (`capability order`,
 *     spec/adapter.md ADAPTER-018).
 *   - (branch kit-fixes) timer_register's real expiry is computed when the timer is armed, not
 *     from a `now` read once per iteration; added struct ra_loop's `timer_rearm`, which the kit
 *     calls before each iteration and after each wait, ra_real_expiry, and struct ra_wait's
 *     `deadline_real_ns`; ra_wait_end reports a wake before the deadline (the clock moves only as
 *     far as real time went) and ignores a deadline the case's clock has already reached.
 */
#ifndef REFLOOP_ADAPTER_H
#define REFLOOP_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RA_KIT_VERSION 1

/* The vocabulary's limits (spec/model.md, model/loop/ops.hpp). */
#define RA_MAX_CHANNELS 4
#define RA_MAX_ENDS (2 * RA_MAX_CHANNELS) /* fd object i is end i % 2 of channel i / 2 */
#define RA_MAX_TIMERS 8
#define RA_MAX_TASKS 8
#define RA_MAX_SCRIPTS 4
#define RA_MAX_SCRIPT_LENGTH 4
#define RA_MAX_BYTES 4096
#define RA_MAX_NANOSECONDS 1000000000000LL
#define RA_UNREAD_CAP 32 /* MODEL-003 */
#define RA_MAX_RUN_DEPTH 3 /* MODEL-007, the top-level run included */

/* The real-time base (ADAPTER-010): the same figures as the ivykis adapter. */
#define RA_SCALE_NS 1000000LL            /* one case nanosecond is 1 ms of real time */
#define RA_TOLERANCE_NS 1000000000LL     /* how late an idle wait may end (late side only) */
#define RA_DEADLOCK_GUARD_NS 300000000LL /* a wait with no deadline and nothing ready */
#define RA_MAX_ADVANCE_NS 1000000000LL   /* real sleep allowed for one `advance` */

enum ra_kind { RA_FD, RA_TIMER, RA_TASK, RA_SELF };
enum ra_band { RA_ERR, RA_IN, RA_OUT }; /* the dispatch order of FD-007 */
enum ra_code {
  RA_PIPE, RA_SOCKETPAIR, RA_WRITE, RA_READ, RA_CLOSE, RA_REG, RA_UNREG, RA_SET, RA_STAMP,
  RA_ADVANCE, RA_RUN, RA_RUN_NOWAIT, RA_QUIT, RA_SCRIPT
};
enum ra_outcome { RA_POLLED, RA_QUITTED, RA_EMPTY, RA_DEADLOCK }; /* `end polled|quit|empty|deadlock` */

/* An object of the world: an fd (a channel end `c<n>a`/`c<n>b`, index 2n or 2n+1), a timer or a task. */
struct ra_ref {
  enum ra_kind kind;
  int index;
};

/* One operation (MODEL-001). `handler` is a script (0..3, -1: none) for `set`, the script being
 * defined for `script`; `amount` is bytes, a signed timer delay or an advance, in case ns. */
struct ra_op {
  enum ra_code code;
  struct ra_ref target;
  enum ra_band band;
  int handler;
  int64_t amount;
  int banded; /* `set` written with a band (c0a.in, self.in) */
};

/* One line of the text form: an operation, and for `script` its actions. */
struct ra_statement {
  struct ra_op op;
  int body_length;
  struct ra_op body[RA_MAX_SCRIPT_LENGTH];
};

/* Parses one line of the text form (a `#` starts a comment). Returns 1 with `out` filled, 0 for a
 * blank or comment line, -1 with a message in `error` (never more than `error_size` bytes, always
 * terminated) for anything the grammar refuses. Never reads past the terminating NUL. */
int ra_parse_line(const char* text, struct ra_statement* out, char* error, size_t error_size);
/* The canonical text of a statement (what the C++ parser prints, model/loop/ops_text.cpp);
 * truncated to `size` bytes, always terminated. Returns `buffer`. */
char* ra_format_statement(const struct ra_statement* statement, char* buffer, size_t size);
/* `c0a`, `t3`, `k0`, `self` -> a ref; 0 when the text is not one. */
int ra_parse_ref(const char* text, struct ra_ref* out);
const char* ra_band_name(enum ra_band band);
/* `c0a`, `t3`, `k0`, `self`; always terminated. Returns `buffer`. */
char* ra_format_ref(struct ra_ref ref, char* buffer, size_t size);

struct ra_kit; /* the kit's state: the world, the scripts, the case's clock; one per process */

/* A new kit; NULL when out of memory. It leaves the process's signal dispositions alone (a probe
 * may check what the loop's init does to them, IVAPI-004); the world never writes into a pipe
 * whose reader it closed, and sends on sockets with MSG_NOSIGNAL. */
struct ra_kit* ra_kit_new(void);

/*
 * The loop-specific part. `self` is the adapter's own pointer (struct ra_loop's `self`). The kit
 * calls each function only when the operation applies: `fd_register` for an open end that the
 * loop says is not registered, `*_unregister` for a registered object, and so on. Functions
 * marked optional may be NULL.
 */
struct ra_loop {
  void* self;

  /* fds: `end` is the channel end (0..7), `fd` its descriptor. */
  void (*fd_register)(void* self, int end, int fd);
  void (*fd_unregister)(void* self, int end);
  /* The handler of one band: script 0..3, or -1 for none (the adapter reports `ra_callback` with
   * the script; ra_script_of tells which one is set). Called whether or not the end is open or
   * registered: before registration a handler is a plain field in most loops. A timer's or task's
   * `set` only changes ra_script_of. */
  void (*fd_set_handler)(void* self, int end, enum ra_band band, int script);

  /* Timers, at an absolute CLOCK_MONOTONIC time in ns (ra_monotonic_ns), computed by
   * ra_real_expiry when the kit calls: arm the loop's timer at exactly that time (a loop with
   * relative timeouts reads the monotonic clock first, then its own cached time, and rounds up,
   * so the timer cannot end before it). `case_expiry` is the same on the case's clock (ns since
   * the case's start; negative for `reg t0 -D` early in a case), for adapters that need it.
   * Real time runs on between operations while the case's clock stands still, so an armed
   * timer's real expiry goes stale: an adapter whose loop keeps real timers sets `timer_rearm`
   * (below), which the kit calls for each registered timer the case's clock has not reached,
   * before each iteration and after each wait, with a fresh real expiry to arm it at again. */
  void (*timer_register)(void* self, int timer, int64_t real_expiry_ns, int64_t case_expiry);
  void (*timer_unregister)(void* self, int timer);

  /* Tasks (optional as a group: declare `capability tasks no` when the loop has none). */
  void (*task_register)(void* self, int task);
  void (*task_unregister)(void* self, int task);
  /* Optional (declare `capability stamp no` without it): IV_TASK_INIT's stamp, called for a
   * registered task too; the adapter decides what a stamp of one means. */
  void (*task_stamp)(void* self, int task);

  /* What the loop says is registered (the judge compares it with the model, ADAPTER-007). */
  int (*registered)(void* self, struct ra_ref ref);

  /* One iteration (LOOP-001): call ra_callback from every callback; return the outcome. A
   * real-time adapter brackets its wait with ra_wait_begin / ra_wait_end, and when it would wait
   * with no deadline and nothing ready it arms a guard of RA_DEADLOCK_GUARD_NS real time and
   * returns RA_DEADLOCK when the guard ends the wait. */
  enum ra_outcome (*run_once)(void* self, int nowait);
  void (*quit)(void* self);

  /* Optional: NULL, or why the adapter cannot perform `op` (the case is UNSUPPORTED) or why it is
   * about an API the loop does not offer (N/A), ADAPTER-011. The returned text must stay valid
   * until the next call. The kit adds the real-time base's own refusals (a long `advance`).
   * `not_applicable` is never asked about a top-level `run` (a loop always runs), so a `run` it
   * is asked about is a script's nested run (MODEL-007). */
  const char* (*cannot)(void* self, const struct ra_op* op);
  const char* (*not_applicable)(void* self, const struct ra_op* op);

  /* Optional probes (conformance/README.md, "Probes"; ADAPTER-008): writes the result into
   * `result` (at most `size` bytes) or does not return (the fatal path). `text` is the probe's
   * argument (`c0a`, `c0a.in s1`, `timer unregister`); the probes it performs are declared in
   * the capabilities. `probe_cannot` (optional) answers `check probe`: NULL or why not. The kit
   * performs the channel-end probes itself, the same for every loop (declare the ones the loop
   * should be asked): `close-keep` (closes the end's descriptor, the world forgets it, the loop's
   * object keeps its number), `clear-flags`, `flags`, `oobinline`; and for `set-handler c0a.in
   * s1` it records the script (ra_script_of) before it asks the adapter to set the handler. */
  void (*probe)(void* self, const char* name, const char* text, char* result, size_t size);
  const char* (*probe_cannot)(void* self, const char* name, const char* text);

  /* Optional: an adapter on a simulated clock sets both; the real-time base is then unused. */
  uint64_t (*clock_ns)(void* self);
  void (*advance)(void* self, uint64_t ns);

  /* Optional (added, kit-fixes): arms a registered timer again at `real_expiry_ns` (see
   * timer_register); the timer stays registered as far as the case is concerned. Called by the
   * kit from `run` before run_once and from ra_wait_end, never from inside a callback. Without
   * it the loop's timers keep the real expiry they were registered at, and the adapter must
   * itself keep a timer from firing before the case's clock reaches it (the template does). */
  void (*timer_rearm)(void* self, int timer, int64_t real_expiry_ns);
};

/* What the adapter says about itself in the handshake (ADAPTER-002). */
struct ra_identity {
  const char* name;    /* "ivykis" */
  const char* version; /* "0.42.4" */
  const char* library; /* the library loaded (see ra_library_of), or NULL for `-` */
};

/* Capabilities (ADAPTER-004); a zeroed struct means the protocol's defaults except `probes`. */
struct ra_capabilities {
  const char* bands;  /* NULL: "err in out" */
  int no_tasks;       /* declares `tasks no` */
  int no_stamp;       /* declares `stamp no` */
  int no_advance;     /* declares `advance no` */
  int nested_run;     /* declares `nested-run yes`: scripts with `run` are asked with `check` */
  const char* probes; /* space-separated probe names, or NULL */
  /* Added (peer-adapters): `poll-first` for a loop that polls before running its expired timers
   * (libev, libevent, libuv; spec/adapter.md ADAPTER-018), NULL for the default, `ivykis`. */
  const char* order;
};

/* Runs the protocol on standard input and output until the runner closes its end; returns the
 * exit status for main (non-zero after a line the kit could not understand, which it names on
 * standard error). The adapter then tears its loop down before it exits (ADAPTER-020): a teardown
 * that kills the process is judged as the in-process column's would be. */
int ra_serve(struct ra_kit* kit, const struct ra_loop* loop, const struct ra_identity* identity,
             const struct ra_capabilities* capabilities);

/* From inside a loop callback, before its script acts: reports the callback (`callback EVENT
 * SCRIPT`, ADAPTER-006), answers queries until the runner says `go` or `stop`, and on `go` runs
 * the script's actions for `caller`. Returns 1 when the runner said `go`, 0 on `stop` (then and
 * for the rest of the run every later ra_callback returns 0 at once and reports nothing) and 0
 * outside a run (the callback is ignored). A timer that fires before its real expiry is reported
 * as a problem (TIME-004). */
int ra_callback(struct ra_kit* kit, struct ra_ref caller, enum ra_band band, int script);
/* The script set for an object's handler: for an fd band the last `set` (-1: none), for a timer
 * or task the last `set` (0 until then). */
int ra_script_of(const struct ra_kit* kit, struct ra_ref ref, enum ra_band band);

/* The fatal path (ADAPTER-009): writes `fatal MESSAGE` (one line) and returns; the caller (the
 * loop's fatal handler, which then aborts) ends the process. Usable without a kit pointer, so it
 * can be a loop's fatal-message handler directly. */
void ra_report_fatal(const char* message);
/* Something the adapter saw itself (a timer firing before its expiry): `problem TEXT` before the
 * iteration's `end`. The first one of an iteration is kept. */
void ra_problem(struct ra_kit* kit, const char* text);

/* The real-time base (ADAPTER-010). */
int64_t ra_monotonic_ns(void);
uint64_t ra_clock(const struct ra_kit* kit); /* the case's clock: ns since the case's start */
/* 1 and the earliest case expiry of a timer the loop says is registered; 0 when there is none. */
int ra_deadline(const struct ra_kit* kit, int64_t* deadline);
/* [req:ADAPTER-014] The real time, on CLOCK_MONOTONIC, standing for a case expiry now: for an
 * expiry the case's clock has not reached, the time of this call plus the remaining case time
 * scaled; for one it has reached, the same from the real time standing for the case's `now`
 * (read when an iteration begins and after an `advance`), so due timers keep their order. The
 * one way to arm a timer of the loop at a case time outside timer_register and timer_rearm. */
int64_t ra_real_expiry(const struct ra_kit* kit, int64_t case_expiry);
/* The case expiry and the real expiry of a timer as the kit last armed it. */
int64_t ra_timer_case_expiry(const struct ra_kit* kit, int timer);
int64_t ra_timer_real_expiry(const struct ra_kit* kit, int timer);
/* One wait of the loop: ra_wait_begin before the loop may block, ra_wait_end after. `idle` says
 * the loop could only wait for a timer (not nowait, nothing pending, no deadlock). An idle wait
 * that saw no fd callback, with a deadline later than the case's clock, is judged against the
 * deadline's real time (the earliest real expiry of a timer at the deadline): a wake at or after
 * it moves the case's clock to the deadline (TIME-005), and one more than RA_TOLERANCE_NS after
 * it is a problem (TIME-004); a wake before it moves the clock only as far as real time went,
 * scaled, and is a problem (TIME-005: a loop that wakes early is seen). A deadline at or before
 * the case's clock (a due timer) makes no idle wait. ra_wait_end then calls timer_rearm. */
struct ra_wait {
  int64_t started_ns; /* CLOCK_MONOTONIC */
  int has_deadline;
  int64_t deadline; /* case ns (a timer registered at -D lies before the case's start) */
  int fd_callbacks;  /* fd callbacks reported before ra_wait_begin */
  int64_t deadline_real_ns; /* added (kit-fixes): the deadline's real time; INT64_MAX: none */
};
void ra_wait_begin(struct ra_kit* kit, struct ra_wait* wait);
void ra_wait_end(struct ra_kit* kit, const struct ra_wait* wait, int idle);
/* The number of fd callbacks ra_callback has reported since the case began. */
int ra_fd_callbacks(const struct ra_kit* kit);

/* The world: an end's descriptor (-1 when closed or missing). */
int ra_end_fd(const struct ra_kit* kit, int end);
/* The descriptor number an end has or had (after close-keep the loop's object still holds it). */
int ra_end_number(const struct ra_kit* kit, int end);
/* `EBADF` for EBADF, "errno 0" for 0: the words probes answer with (register-try, FD-003). */
const char* ra_errno_name(int error);
/* A close-on-exec duplicate of `fd` at or above FD_SETSIZE, raising the soft RLIMIT_NOFILE if it
 * must; -1 when it cannot (the register-try-high probe, BACKEND-010). */
int ra_dup_high(int fd);

/* The path of the shared object (or executable) that holds `symbol`, for the handshake's
 * `library`; "-" when it cannot be told. Pass a function: ra_library_of((void (*)(void))iv_init). */
const char* ra_library_of(void (*symbol)(void));

#ifdef __cplusplus
}
#endif

#endif
