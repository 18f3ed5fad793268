/* SPDX-License-Identifier: ISC */
/* refloop's stand-in for skalibs' <skalibs/gccattributes.h>: only the attribute macros that the
   refloop-provided skalibs headers use (spec/time.md, TAICOMPAT). Each expands to the GCC/Clang
   attribute of the same meaning, or to nothing on other compilers. */
#ifndef SKALIBS_GCCATTRIBUTES_H
#define SKALIBS_GCCATTRIBUTES_H

#ifdef __GNUC__
#define gccattr_pure __attribute__((pure))
#define gccattr_const __attribute__((const))
#else
#define gccattr_pure
#define gccattr_const
#endif

#endif
