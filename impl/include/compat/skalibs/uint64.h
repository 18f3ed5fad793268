/* SPDX-License-Identifier: ISC */
/* refloop's stand-in for skalibs' <skalibs/uint64.h>. skalibs' <skalibs/tai.h> includes it for
   uint64_t; refloop provides that much (via <stdint.h>) and none of skalibs' uint64 formatting
   helpers, which are outside the time layer (spec/time.md, TAICOMPAT). */
#ifndef SKALIBS_UINT64_H
#define SKALIBS_UINT64_H

#include <stddef.h>
#include <stdint.h>

#endif
