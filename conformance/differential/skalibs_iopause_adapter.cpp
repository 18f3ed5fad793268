// SPDX-License-Identifier: ISC
// The iopause wrappers around Debian's real libskarnet (spec/iopause.md, IOCOMPAT-006), built into
// the shared library refloop_skalibs_real like skalibs_tai_adapter.cpp: skalibs' headers inside
// extern "C", skalibs' symbols hidden by the link, only skalibs_real_* exported. skalibs' poll,
// ppoll and select calls go through the PLT, so a test executable that defines those functions
// (impl/iopause/testing/native_spy.cpp) sees and can script them.
extern "C" {
#include <skalibs/iopause.h>
#include <skalibs/tai.h>
}

#include "skalibs_iopause_real.h"

extern "C" {

int skalibs_real_iopause_ppoll(iopause_fd *x, unsigned int n, tain const *d, tain const *s) { return iopause_ppoll(x, n, d, s); }
int skalibs_real_iopause_poll(iopause_fd *x, unsigned int n, tain const *d, tain const *s) { return iopause_poll(x, n, d, s); }
int skalibs_real_iopause_select(iopause_fd *x, unsigned int n, tain const *d, tain const *s) { return iopause_select(x, n, d, s); }
int skalibs_real_iopause_stamp(iopause_fd *x, unsigned int n, tain const *d, tain *s) { return iopause_stamp(x, n, d, s); }
void skalibs_real_deepsleepuntil(tain const *d, tain *s) { deepsleepuntil(d, s); }
int skalibs_real_iopause_tain_now(tain *t) { return tain_now(t); }

}  // extern "C"
