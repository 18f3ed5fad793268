/* SPDX-License-Identifier: ISC */
/* A C99 translation unit written the way skalibs users write code: it includes <skalibs/tai.h>
   and <skalibs/djbtime.h>, uses the macros (brace initialisers, tain_earliest's compound
   literal, the _g forms) and calls the functions. skalibs_tai_test.cpp runs it and checks the
   results. [req:TAICOMPAT-029] (the header compiles as C and links with C linkage) */
/* Strict C99 plus POSIX, as skalibs itself is built: struct timespec comes from POSIX. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <string.h>

#include <skalibs/djbtime.h>
#include <skalibs/tai.h>

/* Each returns 0 on success, or the number of the first failed check. */

int skalibs_c_arithmetic(void) {
  tain a = TAIN_EPOCH, b = { { 1 }, 999999999 }, c, d = TAIN_INFINITE;
  tain const *list[2];
  tain_add(&c, &a, &b);
  if (tain_sec(&c).x != TAI_MAGIC + 11 || tain_nano(&c) != 999999999) return 1;
  tain_addsec(&c, &c, -1);
  if (c.sec.x != TAI_MAGIC + 10) return 2;
  if (!tain_less(&a, &c) || tain_less(&c, &a)) return 3;
  tain_earliest(&d, &c, &a, &b); /* the C form: a compound literal */
  if (d.sec.x != 1) return 4;
  list[0] = &a;
  list[1] = &c;
  d = tain_infinite;
  tain_earliestv(&d, list, 2);
  if (tain_less(&d, &a) || tain_less(&a, &d)) return 5;
  if (tain_to_millisecs(&b) != 2000) return 6;
  if (!tain_uint(&c, 7) || c.sec.x != 7 || c.nano != 0) return 7;
  errno = 0;
  if (tai_u64(&c.sec, (uint64_t)1 << 63) || errno != EOVERFLOW) return 8;
  return 0;
}

int skalibs_c_stamp_macros(void) {
  tain deadline;
  STAMP = tain_zero;
  tain_addsec_g(&deadline, 5);
  if (deadline.sec.x != 5 || !tain_future(&deadline)) return 1;
  tain_addmsec_g(&deadline, 1500); /* refloop's working form of skalibs' broken macro */
  if (deadline.sec.x != 1 || deadline.nano != 500000000) return 2;
  if (!tain_now_g() || STAMP.sec.x < TAI_MAGIC) return 3;
  tain_copynow(&deadline);
  if (tain_less(&deadline, &STAMP) || tain_less(&STAMP, &deadline)) return 4;
  return 0;
}

int skalibs_c_text(void) {
  char s[TIMESTAMP + 1];
  tain a = { { TAI_MAGIC + 0x2a2b2c2dULL }, 0x0a0b0c0d }, b;
  s[timestamp_fmt(s, &a)] = 0;
  if (strcmp(s, "@400000002a2b2c2d0a0b0c0d") != 0) return 1;
  if (timestamp_scan(s, &b) != TIMESTAMP || b.sec.x != a.sec.x || b.nano != a.nano) return 2;
  if (tain_scan("400000002A2B2C2D0A0B0C0D", &b) != 24) return 3;
  return 0;
}

int skalibs_c_leap(void) {
  tai t;
  uint64_t u;
  if (!tai_from_utc(&t, TAI_MAGIC + 1483228800ULL) || t.x != TAI_MAGIC + 1483228800ULL + 37) return 1;
  t.x = TAI_MAGIC + 78796810ULL; /* 1972-06-30 23:59:60 */
  if (utc_from_tai(&u, &t) != 2 || u != TAI_MAGIC + 78796800ULL) return 2;
  return 0;
}
