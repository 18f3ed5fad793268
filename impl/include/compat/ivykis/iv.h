// SPDX-License-Identifier: ISC
// The ivykis C API (spec/loop.md, sections IVAPI and FATAL), implemented on refloop's C++ loop by
// impl/compat/ivykis*.cpp. With this folder on the include path, `#include <iv.h>` gives a program
// written for ivykis the same names, struct fields and struct sizes, so it builds unchanged.
// The pad members are refloop's private per-object state: never touch them, and initialise each
// object with IV_FD_INIT / IV_TIMER_INIT / IV_TASK_INIT before its first registration.
#ifndef REFLOOP_COMPAT_IV_H
#define REFLOOP_COMPAT_IV_H

// ivykis's own iv.h pulls these in, and ivykis programs rely on them (errno, read, sockets), so
// this header includes the same ones for source compatibility.
#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__) || defined(__clang__)
#define REFLOOP_IV_NORETURN __attribute__((noreturn))
#define REFLOOP_IV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define REFLOOP_IV_NORETURN
#define REFLOOP_IV_PRINTF(f, a)
#endif

#ifdef __cplusplus
extern "C" {
#endif

// Initialisation, the main loop (one loop per thread) and the method [IVAPI-003..005, 024].
void iv_init(void);
int iv_inited(void);
void iv_main(void);
void iv_quit(void);
void iv_deinit(void);
const char *iv_poll_method_name(void);
unsigned long iv_get_thread_id(void);

// Fatal errors [IVAPI-020..022]: iv_fatal never returns, whatever the handler does.
void iv_fatal(const char *fmt, ...) REFLOOP_IV_NORETURN REFLOOP_IV_PRINTF(1, 2);
void iv_set_fatal_msg_handler(void (*handler)(const char *msg));

// The time cache [IVAPI-016..018]. iv_now is an expression of type struct timespec (an lvalue
// you may read, not assign), validated on access; iv_validate_now() is a real function too.
const struct timespec *refloop_iv_now_location(void);
#define iv_now (*refloop_iv_now_location())
void iv_validate_now(void);
void iv_invalidate_now(void);

// File descriptors [IVAPI-006..011]. 128 bytes on LP64, as in ivykis. The pad is 64-bit words,
// not pointers, for the same reason as iv_task's below: the fd it holds has 64-bit fields (on
// ILP32 eleven pointers would be too small and only 4-byte aligned; IVAPI-002).
struct iv_fd {
  int fd;
  void *cookie;
  void (*handler_in)(void *);
  void (*handler_out)(void *);
  void (*handler_err)(void *);
  unsigned long long pad[11];
};

void IV_FD_INIT(struct iv_fd *);
void iv_fd_register(struct iv_fd *);
int iv_fd_register_try(struct iv_fd *);
void iv_fd_unregister(struct iv_fd *);
int iv_fd_registered(const struct iv_fd *);
void iv_fd_set_handler_in(struct iv_fd *, void (*)(void *));
void iv_fd_set_handler_out(struct iv_fd *, void (*)(void *));
void iv_fd_set_handler_err(struct iv_fd *, void (*)(void *));

// Tasks [IVAPI-014..015]. 64 bytes on LP64. The pad is 64-bit words, not pointers, because the
// task it holds has a 64-bit field: on ILP32 (armhf) six pointers would be too small and only
// 4-byte aligned (IVAPI-002).
struct iv_task {
  void *cookie;
  void (*handler)(void *);
  unsigned long long pad[6];
};

void IV_TASK_INIT(struct iv_task *);
void iv_task_register(struct iv_task *);
void iv_task_unregister(struct iv_task *);
int iv_task_registered(const struct iv_task *);

// Timers [IVAPI-012..013]: expires is absolute, on the iv_now clock. 64 bytes on LP64.
struct iv_timer {
  struct timespec expires;
  void *cookie;
  void (*handler)(void *);
  void *pad[4];
};

void IV_TIMER_INIT(struct iv_timer *);
void iv_timer_register(struct iv_timer *);
void iv_timer_unregister(struct iv_timer *);
int iv_timer_registered(const struct iv_timer *);

#ifdef __cplusplus
}
#endif

#endif
