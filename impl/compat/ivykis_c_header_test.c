// SPDX-License-Identifier: ISC
// A C99 translation unit that uses <iv.h> the way an ivykis program does (spec/loop.md,
// IVAPI-001): it proves the header compiles as C, and gives ivykis_main_test.cpp the struct sizes
// as the C compiler sees them and a timer round trip driven from C. [req:IVAPI-001]
#define _POSIX_C_SOURCE 200809L /* strict C99 plus POSIX, as ivykis programs are built */
#include <stddef.h>

#include <iv.h>

size_t refloop_iv_c_sizeof(int which);
int refloop_iv_c_timer_roundtrip(void);

size_t refloop_iv_c_sizeof(int which)
{
  switch (which) {
  case 0: return sizeof(struct iv_fd);
  case 1: return sizeof(struct iv_timer);
  default: return sizeof(struct iv_task);
  }
}

static void count(void *cookie)
{
  int *fired = cookie;
  (*fired)++;
}

int refloop_iv_c_timer_roundtrip(void)
{
  struct iv_timer timer;
  int fired = 0;

  iv_init();
  IV_TIMER_INIT(&timer);
  iv_validate_now();
  timer.expires = iv_now;
  timer.expires.tv_nsec = iv_now.tv_nsec / 2;
  timer.cookie = &fired;
  timer.handler = count;
  iv_timer_register(&timer);
  iv_main();
  iv_deinit();
  return fired;
}
