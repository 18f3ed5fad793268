// SPDX-License-Identifier: ISC
// White-box tests of the skalibs-compatible <skalibs/iopause.h> (spec/iopause.md, IOCOMPAT):
// the declarations and macros compile as skalibs programs use them, the C functions reach the
// C++ core with the C API's clock, and the pointer checks skalibs lacks. The comparison with the
// real libskarnet is conformance/differential/iopause_differential.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>

#include <skalibs/iopause.h>
#include <skalibs/tai.h>

namespace {

class Pipe {
 public:
  Pipe() {
    if (::pipe(fd) < 0) fd[0] = fd[1] = -1;
  }
  ~Pipe() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int fd[2];
};

tain later(int ms) {
  tain now{}, out{};
  (*tain_now)(&now);
  tain_addmsec(&out, &now, ms);
  return out;
}

// [req:IOCOMPAT-001] [req:IOCOMPAT-003]
TEST(SkalibsIopause, IOCOMPAT_001_declarations) {
  static_assert(std::is_same_v<iopause_fd, struct pollfd>);
  static_assert(std::is_same_v<iopause_fd_ref, struct pollfd*>);
  static_assert(std::is_same_v<iopause_func_ref, int (*)(iopause_fd*, unsigned int, tain const*, tain const*)>);
  EXPECT_EQ(IOPAUSE_READ, 0x11);
  EXPECT_EQ(IOPAUSE_WRITE, 0x04);
  EXPECT_EQ(IOPAUSE_EXCEPT, 0x38);
  EXPECT_EQ(iopause_, &iopause_ppoll);
  Pipe p;
  ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
  iopause_fd x[1] = {{p.fd[0], IOPAUSE_READ, 0}};
  tain_now_g();
  const tain deadline = later(1000);
  EXPECT_EQ(iopause(x, 1, &deadline, &STAMP), 1);  // the macro over iopause_
  EXPECT_EQ(x[0].revents, IOPAUSE_READ);
  EXPECT_EQ(iopause_g(x, 1, &deadline), 1);
  deepsleepuntil_g(&STAMP);  // already reached: returns at once
}

// [req:IOCOMPAT-002]
TEST(SkalibsIopause, IOCOMPAT_002_the_three_functions) {
  Pipe p;
  iopause_fd x[2] = {{p.fd[0], IOPAUSE_READ, 0}, {p.fd[1], IOPAUSE_WRITE, 0}};
  for (iopause_func_ref f : {&iopause_ppoll, &iopause_poll, &iopause_select}) {
    tain stamp{};
    (*tain_now)(&stamp);
    EXPECT_EQ(f(x, 2, &stamp, &stamp), 1);
    EXPECT_EQ(x[0].revents, 0);
    EXPECT_EQ(x[1].revents, IOPAUSE_WRITE);
    EXPECT_EQ(f(x, 2, nullptr, nullptr), 1);  // no deadline: the stamp is not needed
    errno = 0;
    EXPECT_EQ(f(x, 2, &stamp, nullptr), -1);
    EXPECT_EQ(errno, EINVAL);
    const tain soon = later(2);
    EXPECT_EQ(f(x, 1, &soon, &stamp), 0);  // waits the 2 ms for nothing
  }
  // A nanosecond field beyond 10^9 carries into the seconds instead of being rejected.
  tain stamp{};
  (*tain_now)(&stamp);
  tain odd = stamp;
  odd.nano = 1'500'000'000;
  odd.sec.x -= 1;
  EXPECT_EQ(iopause_poll(x, 1, &odd, &stamp), 0);
}

// [req:IOCOMPAT-004]
TEST(SkalibsIopause, IOCOMPAT_004_iopause_stamp) {
  Pipe p;
  iopause_fd x[1] = {{p.fd[0], IOPAUSE_READ, 0}};
  tain stamp{};
  (*tain_now)(&stamp);
  const tain deadline = later(3);
  errno = 1234;
  EXPECT_EQ(iopause_stamp(x, 1, &deadline, &stamp), 0);
  EXPECT_EQ(errno, 1234);
  EXPECT_FALSE(tain_less(&stamp, &deadline));
  // The stamp comes from tain_now, whichever clock it is set to.
  tain_now = [](tain* t) {
    *t = tain_infinite;
    return 1;
  };
  EXPECT_EQ(iopause_stamp(x, 1, &deadline, &stamp), 0);
  EXPECT_EQ(stamp.sec.x, tain_infinite.sec.x);
  tain_now = &tain_wallclock_read;
  errno = 0;
  EXPECT_EQ(iopause_stamp(x, 1, &deadline, nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
  ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
  EXPECT_EQ(iopause_stamp(x, 1, nullptr, nullptr), 1);
}

// [req:IOCOMPAT-005]
TEST(SkalibsIopause, IOCOMPAT_005_deepsleepuntil) {
  tain stamp{};
  (*tain_now)(&stamp);
  const tain deadline = later(3);
  deepsleepuntil(&deadline, &stamp);
  EXPECT_FALSE(tain_less(&stamp, &deadline));
  tain now{};
  (*tain_now)(&now);
  EXPECT_FALSE(tain_less(&now, &deadline));
}

// [req:IOCOMPAT-007] Null pointers skalibs would dereference: -1 with EFAULT, or an immediate
// return with EFAULT; a null array with no entries is an empty array.
TEST(SkalibsIopause, IOCOMPAT_007_null_pointers) {
  tain stamp{};
  (*tain_now)(&stamp);
  const tain deadline = later(0);
  for (auto* wait : {&iopause_ppoll, &iopause_poll, &iopause_select}) {
    errno = 0;
    EXPECT_EQ(wait(nullptr, 2, &deadline, &stamp), -1);
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(wait(nullptr, 0, &deadline, &stamp), 0);  // an empty array: the deadline passes
  }
  errno = 0;
  EXPECT_EQ(iopause_stamp(nullptr, 1, &deadline, &stamp), -1);
  EXPECT_EQ(errno, EFAULT);
  errno = 0;
  deepsleepuntil(nullptr, &stamp);
  EXPECT_EQ(errno, EFAULT);
  errno = 0;
  deepsleepuntil(&deadline, nullptr);
  EXPECT_EQ(errno, EFAULT);
}

}  // namespace
