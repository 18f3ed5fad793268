// SPDX-License-Identifier: ISC
// Unit tests for spec/iopause.md, sections DATA, ENTRIES and REVENTS: the normalised revents and
// the return count of all three implementations on real pipes and socketpairs, waiting on a
// SimulatedClock (so nothing blocks: the simulated clock makes every kernel wait a check).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "refloop/iopause/iopause.hpp"
#include "testing/spy_calls.hpp"
#include "testing/test_fds.hpp"

namespace refloop {
namespace {

using testing::FdPair;

constexpr IopauseImpl impls[] = {IopauseImpl::ppoll, IopauseImpl::poll, IopauseImpl::select};

// Waits once with a deadline 1 s ahead on a simulated clock; returns the result.
int wait_once(IopauseImpl which, std::vector<iopause_fd>& fds, SimulatedClock& clock,
              const kernel::SysCalls& sys = kernel::native_syscalls()) {
  const tain stamp = clock.now();
  const tain deadline = add_seconds(stamp, 1);
  return iopause_wait(which, fds, &deadline, stamp, clock, sys);
}

struct Case {
  int result;
  short revents;
};

Case one_entry(IopauseImpl which, int fd, short events) {
  std::vector<iopause_fd> fds{{fd, events, 0x7f}};
  SimulatedClock clock;
  const int result = wait_once(which, fds, clock);
  return Case{result, fds[0].revents};
}

// [req:IOPAUSE-001] [req:IOPAUSE-002]
TEST(Iopause, IOPAUSE_001_layout_and_masks) {
  static_assert(std::is_same_v<iopause_fd, pollfd>);
  static_assert(sizeof(iopause_fd) == 8);
  EXPECT_EQ(iopause_read, 0x11);
  EXPECT_EQ(iopause_write, 0x04);
  EXPECT_EQ(iopause_except, 0x38);
}

// [req:IOPAUSE-020] [req:IOPAUSE-021]
TEST(Iopause, IOPAUSE_020_pipe_read_end) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair empty = FdPair::pipe();
    EXPECT_EQ(one_entry(which, empty[0], iopause_read).result, 0);
    FdPair data = FdPair::pipe();
    data.write_to(1, "abc");
    EXPECT_EQ(one_entry(which, data[0], iopause_read).revents, iopause_read);
    EXPECT_EQ(one_entry(which, data[0], POLLIN).revents, iopause_read);
    data.close_end(1);
    EXPECT_EQ(one_entry(which, data[0], iopause_read).revents, iopause_read);
    FdPair eof = FdPair::pipe();
    eof.close_end(1);
    const Case at_eof = one_entry(which, eof[0], iopause_read);
    EXPECT_EQ(at_eof.result, 1);
    EXPECT_EQ(at_eof.revents, iopause_read);
  }
}

// [req:IOPAUSE-020]
TEST(Iopause, IOPAUSE_020_pipe_write_end) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair open = FdPair::pipe();
    EXPECT_EQ(one_entry(which, open[1], iopause_write).revents, iopause_write);
    EXPECT_EQ(one_entry(which, open[1], iopause_read).result, 0);
    FdPair widowed = FdPair::pipe();
    widowed.close_end(0);
    EXPECT_EQ(one_entry(which, widowed[1], iopause_write).revents, iopause_write);
    EXPECT_EQ(one_entry(which, widowed[1], iopause_read | iopause_write).revents,
              iopause_read | iopause_write);
  }
}

// [req:IOPAUSE-020] [req:IOPAUSE-024]
TEST(Iopause, IOPAUSE_024_socketpair_counts_entries_not_bits) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair s = FdPair::sockets();
    s.write_to(1, "x");
    const Case both = one_entry(which, s[0], iopause_read | iopause_write);
    EXPECT_EQ(both.result, 1);
    EXPECT_EQ(both.revents, iopause_read | iopause_write);
    s.close_end(1);
    EXPECT_EQ(one_entry(which, s[0], iopause_read | iopause_write).revents, 0x15);
    // Duplicates count once per entry.
    std::vector<iopause_fd> fds{{s[0], iopause_read, 0}, {s[0], iopause_write, 0}};
    SimulatedClock clock;
    EXPECT_EQ(wait_once(which, fds, clock), 2);
  }
}

// [req:IOPAUSE-022] [req:IOPAUSE-044]
TEST(Iopause, IOPAUSE_022_closed_fd_reports_nval_plus_classes) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair ready = FdPair::pipe();
    ready.write_to(1, "x");
    FdPair idle = FdPair::pipe();
    const int closed = testing::closed_fd_number();
    std::vector<iopause_fd> fds{{closed, iopause_read, 0},
                                {ready[0], iopause_read, 0},
                                {idle[0], iopause_read, 0},
                                {closed, iopause_read | iopause_write, 0}};
    SimulatedClock clock;
    EXPECT_EQ(wait_once(which, fds, clock), 3);
    EXPECT_EQ(fds[0].revents, POLLNVAL | iopause_read);
    EXPECT_EQ(fds[1].revents, iopause_read);
    EXPECT_EQ(fds[2].revents, 0);
    EXPECT_EQ(fds[3].revents, POLLNVAL | iopause_read | iopause_write);
    EXPECT_EQ(clock.now(), tain_epoch);  // a ready answer does not move the clock
  }
}

// [req:IOPAUSE-044] a closed fd beyond the process's fd table, which Linux's select ignores
// instead of failing with EBADF (the conformance case IOPAUSE-022-3 found it): still reported, and
// the call does not wait.
TEST(Iopause, IOPAUSE_044_closed_fd_beyond_the_fd_table) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair idle = FdPair::pipe();
    const int beyond = FD_SETSIZE - 100;  // below FD_SETSIZE, far above any fd this test opens
    ASSERT_LT(::fcntl(beyond, F_GETFD), 0);
    std::vector<iopause_fd> fds{{beyond, iopause_read, 0}, {idle[0], iopause_read, 0}};
    SimulatedClock clock;
    const tain deadline = tain_epoch + tain::normalised(5, 0);
    EXPECT_EQ(iopause_function(which)(fds, &deadline, tain_epoch, clock), 1);
    EXPECT_EQ(fds[0].revents, POLLNVAL | iopause_read);
    EXPECT_EQ(fds[1].revents, 0);
    EXPECT_EQ(clock.now(), tain_epoch);
  }
}

// Counts fcntl calls and passes every call on to the native table.
class CountingFdCalls final : public kernel::FdCalls {
 public:
  int fcntl(int fd, int command, int argument) override {
    ++fcntl_calls;
    return native_.fd->fcntl(fd, command, argument);
  }
  int close(int fd) override { return native_.fd->close(fd); }
  int getrlimit(int resource, rlimit* limit) override {
    return native_.fd->getrlimit(resource, limit);
  }
  [[nodiscard]] kernel::SysCalls sys() {
    kernel::SysCalls table = native_;
    table.fd = this;
    return table;
  }
  int fcntl_calls = 0;

 private:
  kernel::SysCalls native_ = kernel::native_syscalls();
};

// [req:IOPAUSE-044] two closed fds beyond the table, one above the other, and an open fd between
// them and the table's first BITS_PER_LONG: both closed ones are found before the call (the
// highest first, then the next one down), and the open one ends the checks.
TEST(Iopause, IOPAUSE_044_every_closed_fd_beyond_the_table_is_found) {
  FdPair idle = FdPair::pipe();
  const int high_open = ::fcntl(idle[0], F_DUPFD, 100);
  ASSERT_GE(high_open, 100);
  const int beyond = FD_SETSIZE - 100;
  const int further = FD_SETSIZE - 50;
  ASSERT_LT(::fcntl(beyond, F_GETFD), 0);
  ASSERT_LT(::fcntl(further, F_GETFD), 0);
  std::vector<iopause_fd> fds{{beyond, iopause_read, 0},
                              {high_open, iopause_read, 0},
                              {further, iopause_write, 0}};
  SimulatedClock clock;
  CountingFdCalls counting;
  EXPECT_EQ(wait_once(IopauseImpl::select, fds, clock, counting.sys()), 2);
  EXPECT_EQ(fds[0].revents, POLLNVAL | iopause_read);
  EXPECT_EQ(fds[1].revents, 0);
  EXPECT_EQ(fds[2].revents, POLLNVAL | iopause_write);
  EXPECT_EQ(counting.fcntl_calls, 3);  // further, beyond, then high_open vouches for the rest
  EXPECT_EQ(clock.now(), tain_epoch);
  ::close(high_open);
}

// [req:IOPAUSE-044] open fds from BITS_PER_LONG on cost one check per wait, not one per fd; a
// closed fd below the highest open one is inside the table, where select's own EBADF finds it.
TEST(Iopause, IOPAUSE_044_one_check_per_wait_and_ebadf_below_an_open_fd) {
  FdPair idle = FdPair::pipe();
  std::vector<int> high;
  for (int i = 0; i < 5; ++i) high.push_back(::fcntl(idle[0], F_DUPFD, 100));
  std::vector<iopause_fd> fds;
  for (int fd : high) fds.push_back({fd, iopause_read, 0});
  SimulatedClock clock;
  CountingFdCalls counting;
  EXPECT_EQ(wait_once(IopauseImpl::select, fds, clock, counting.sys()), 0);
  EXPECT_EQ(counting.fcntl_calls, 1);
  ::close(high[2]);
  counting.fcntl_calls = 0;
  EXPECT_EQ(wait_once(IopauseImpl::select, fds, clock, counting.sys()), 1);
  EXPECT_EQ(fds[2].revents, POLLNVAL | iopause_read);
  for (int i : {0, 1, 3, 4}) EXPECT_EQ(fds[static_cast<std::size_t>(i)].revents, 0);
  for (int i : {0, 1, 3, 4}) ::close(high[static_cast<std::size_t>(i)]);
}

// [req:IOPAUSE-044]
TEST(Iopause, IOPAUSE_044_ebadf_without_a_closed_fd_is_an_error) {
  FdPair p = FdPair::pipe();
  std::vector<iopause_fd> fds{{p[0], iopause_read, 0}};
  SimulatedClock clock;
  testing::SpyCalls spy;
  spy.script.push_back({-1, EBADF});
  EXPECT_EQ(wait_once(IopauseImpl::select, fds, clock, spy.sys()), -1);
  EXPECT_EQ(errno, EBADF);
}

// [req:IOPAUSE-010]
TEST(Iopause, IOPAUSE_010_ignored_entries) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair eof = FdPair::pipe();
    eof.close_end(1);
    const int closed = testing::closed_fd_number();
    std::vector<iopause_fd> fds{{closed, 0, 0x11},       {eof[0], 0, 0},  {-1, iopause_read, 0},
                                {eof[0], iopause_except, 0}, {-7, 0, 0},   {5000, 0, 0}};
    SimulatedClock clock;
    EXPECT_EQ(wait_once(which, fds, clock), 0);
    for (const iopause_fd& entry : fds) EXPECT_EQ(entry.revents, 0);
    EXPECT_EQ(fds[0].fd, closed);  // hidden from the kernel during the call, then restored
    EXPECT_EQ(fds[1].fd, eof[0]);
    EXPECT_EQ(fds[2].fd, -1);
    EXPECT_EQ(fds[4].fd, -7);
  }
}

// [req:IOPAUSE-023]
TEST(Iopause, IOPAUSE_023_hangup_outside_the_classes_asked) {
  FdPair eof = FdPair::pipe();
  eof.close_end(1);
  EXPECT_EQ(one_entry(IopauseImpl::ppoll, eof[0], iopause_write).revents, POLLHUP);
  EXPECT_EQ(one_entry(IopauseImpl::poll, eof[0], iopause_write).revents, POLLHUP);
  const Case select = one_entry(IopauseImpl::select, eof[0], iopause_write);
  EXPECT_EQ(select.result, 0);
  EXPECT_EQ(select.revents, 0);
}

// [req:IOPAUSE-011] [req:IOPAUSE-025]
TEST(Iopause, IOPAUSE_011_unknown_event_bits_are_refused) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    p.write_to(1, "x");
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0x55}, {p[0], POLLIN | POLLPRI, 0x55}};
    SimulatedClock clock;
    errno = 0;
    EXPECT_EQ(wait_once(which, fds, clock), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(fds[0].revents, 0);
    EXPECT_EQ(fds[1].revents, 0);
    EXPECT_EQ(clock.now(), tain_epoch);
  }
}

// [req:IOPAUSE-025]
TEST(Iopause, IOPAUSE_025_failed_call_clears_revents) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0x11}, {-1, 0, 0x11}};
    SimulatedClock clock;
    testing::SpyCalls spy;
    spy.script.push_back({-1, EINTR});
    EXPECT_EQ(wait_once(which, fds, clock, spy.sys()), -1);
    EXPECT_EQ(errno, EINTR);
    EXPECT_EQ(fds[0].revents, 0);
    EXPECT_EQ(fds[1].revents, 0);
  }
}

// [req:IOPAUSE-042]
TEST(Iopause, IOPAUSE_042_select_refuses_fds_beyond_fd_setsize) {
  std::vector<iopause_fd> fds{{FD_SETSIZE, iopause_read, 0}};
  SimulatedClock clock;
  testing::SpyCalls spy;
  EXPECT_EQ(wait_once(IopauseImpl::select, fds, clock, spy.sys()), -1);
  EXPECT_EQ(errno, EMFILE);
  EXPECT_TRUE(spy.calls.empty());  // refused before select (and before any FD_SET)
  // poll and ppoll take it: a fd that is not open there reports POLLNVAL.
  fds[0].fd = FD_SETSIZE + 100;
  EXPECT_EQ(wait_once(IopauseImpl::poll, fds, clock), 1);
  EXPECT_EQ(fds[0].revents, POLLNVAL | iopause_read);
}

}  // namespace
}  // namespace refloop
