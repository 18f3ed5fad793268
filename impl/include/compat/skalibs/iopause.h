/* SPDX-License-Identifier: ISC */
/* The skalibs-compatible C API for iopause (spec/iopause.md, section IOCOMPAT): the names,
   types and macros of skalibs 2.15.1.0's <skalibs/iopause.h>, so code written for skalibs builds
   unchanged against refloop::skalibs. Behaviour is refloop's one contract for the three
   implementations (normalised revents, timeouts that never end early, iopause_stamp's "0 only at
   the deadline"); IOCOMPAT-006 lists every difference from skalibs 2.13.1.1 and 2.15.1.0.
   Compiles as C99 and as C++ (C linkage). */
#ifndef SKALIBS_IOPAUSE_H
#define SKALIBS_IOPAUSE_H

#include <sys/types.h>
#include <poll.h>

#include <skalibs/tai.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pollfd iopause_fd, *iopause_fd_ref;

#define IOPAUSE_READ (POLLIN|POLLHUP)
#define IOPAUSE_WRITE POLLOUT
#define IOPAUSE_EXCEPT (POLLERR|POLLHUP|POLLNVAL)

typedef int iopause_func (iopause_fd *, unsigned int, tain const *, tain const *);
typedef iopause_func *iopause_func_ref;

extern iopause_func iopause_select;
extern iopause_func iopause_poll;
extern iopause_func iopause_ppoll;

extern iopause_func_ref const iopause_;
#define iopause (*iopause_)

extern int iopause_stamp (iopause_fd *, unsigned int, tain const *, tain *);
#define iopause_g(x, n, deadline) iopause_stamp(x, n, (deadline), &STAMP)

extern void deepsleepuntil (tain const *, tain *);
#define deepsleepuntil_g(deadline) deepsleepuntil((deadline), &STAMP)

#ifdef __cplusplus
}
#endif

#endif
