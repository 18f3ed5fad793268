/* SPDX-License-Identifier: ISC */
/* The wrappers skalibs_iopause_adapter.cpp exports around Debian's real libskarnet (skalibs
   2.13.1.1): skalibs_real_X calls skalibs' X. The types come from whichever <skalibs/iopause.h>
   is on the include path: skalibs' own in the adapter, refloop's in the tests; both make
   iopause_fd a struct pollfd and tain the same layout. (spec/iopause.md, IOCOMPAT-006) */
#ifndef REFLOOP_SKALIBS_IOPAUSE_REAL_H
#define REFLOOP_SKALIBS_IOPAUSE_REAL_H

#include <skalibs/iopause.h>

#ifdef __cplusplus
extern "C" {
#endif

int skalibs_real_iopause_ppoll(iopause_fd *, unsigned int, tain const *, tain const *);
int skalibs_real_iopause_poll(iopause_fd *, unsigned int, tain const *, tain const *);
int skalibs_real_iopause_select(iopause_fd *, unsigned int, tain const *, tain const *);
int skalibs_real_iopause_stamp(iopause_fd *, unsigned int, tain const *, tain *);
void skalibs_real_deepsleepuntil(tain const *, tain *);
/* skalibs' own clock, for stamps that iopause_stamp will compare with its refreshed ones. */
int skalibs_real_iopause_tain_now(tain *);

#ifdef __cplusplus
}
#endif

#endif
