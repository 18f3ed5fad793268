// SPDX-License-Identifier: ISC
// The /dev/poll emulator against spec/os.md OS-201..OS-210, on real pipes and the native poll(2)
// beneath a set of emulators (os::Emulators) with a simulated clock.
#include "os/emulators.hpp"
#include "os/test_pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace refloop::os {
namespace {

using test::Pipe;

class Devpoll : public ::testing::Test {
 protected:
  SimulatedClock clock{tain_epoch};
  Emulators emulators{kernel::native_syscalls(), &clock};
  DevpollEmulator& emulator = emulators.devpoll();
  int set = emulator.open("/dev/poll", O_RDWR);
  std::vector<pollfd> results = std::vector<pollfd>(8);

  ssize_t add(std::vector<pollfd> entries) {
    return emulator.write(set, entries.data(), entries.size() * sizeof(pollfd));
  }
  int poll_now(int max = 8) {
    kernel::dvpoll request{results.data(), max, 0};
    return emulator.ioctl(set, kernel::dp_poll, &request);
  }
  short cached(int fd) {
    pollfd query{fd, 0, 0};
    return emulator.ioctl(set, kernel::dp_ispolled, &query) == 1 ? query.revents : short{-1};
  }
};

TEST_F(Devpoll, OS_201_each_open_is_a_new_empty_set) {
  // [req:OS-201] [req:OS-005]
  ASSERT_GE(set, 0);
  EXPECT_TRUE(emulator.emulated());
  const int other = emulator.open("/dev/poll", O_RDWR);
  ASSERT_GE(other, 0);
  EXPECT_NE(other, set);
  EXPECT_EQ(emulator.open_sets(), 2u);
  Pipe pipe;
  pipe.put();
  ASSERT_EQ(add({{pipe.read_end, POLLIN, 0}}), static_cast<ssize_t>(sizeof(pollfd)));
  pollfd query{pipe.read_end, 0, 0};
  EXPECT_EQ(emulator.ioctl(other, kernel::dp_ispolled, &query), 0);  // the other set is empty
  EXPECT_EQ(emulators.close(other), 0);
  errno = 0;
  EXPECT_EQ(emulator.open("/dev/null", O_RDWR), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(emulator.open("/dev/poll", O_RDONLY), -1);
  EXPECT_EQ(errno, EACCES);
}

TEST_F(Devpoll, OS_202_masks_are_ORed_within_a_write_and_across_writes) {
  // [req:OS-202]
  Pipe pipe;
  ASSERT_EQ(add({{pipe.read_end, POLLIN, 0}, {pipe.read_end, POLLPRI, 0}}),
            static_cast<ssize_t>(2 * sizeof(pollfd)));
  EXPECT_EQ(cached(pipe.read_end), POLLIN | POLLPRI);
  add({{pipe.write_end, POLLOUT, 77}});  // revents is not used
  add({{pipe.write_end, POLLWRBAND, 0}});
  EXPECT_EQ(cached(pipe.write_end), POLLOUT | POLLWRBAND);
}

TEST_F(Devpoll, OS_203_POLLREMOVE_removes_and_narrowing_takes_remove_then_mask) {
  // [req:OS-203]
  Pipe pipe;
  add({{pipe.write_end, POLLOUT | POLLIN, 0}});
  add({{pipe.write_end, kernel::pollremove, 0}, {pipe.write_end, POLLIN, 0}});
  EXPECT_EQ(cached(pipe.write_end), POLLIN);
  EXPECT_EQ(poll_now(), 0);  // a pipe's write end is never readable
  add({{pipe.write_end, kernel::pollremove, 0}});
  EXPECT_EQ(cached(pipe.write_end), -1);
  EXPECT_EQ(add({{pipe.read_end, kernel::pollremove, 0}}), static_cast<ssize_t>(sizeof(pollfd)));
}

TEST_F(Devpoll, OS_204_negative_fds_are_skipped_and_closed_numbers_accepted) {
  // [req:OS-204] [req:OS-210]
  Pipe pipe;
  const int closed = pipe.read_end;
  ::close(pipe.read_end);
  pipe.read_end = -1;
  ASSERT_EQ(add({{-1, POLLIN, 0}, {closed, POLLIN, 0}}), static_cast<ssize_t>(2 * sizeof(pollfd)));
  EXPECT_EQ(cached(-1), -1);
  EXPECT_EQ(cached(closed), POLLIN);
  ASSERT_EQ(poll_now(), 1);
  EXPECT_EQ(results[0].fd, closed);
  EXPECT_EQ(results[0].revents, POLLNVAL);
}

TEST_F(Devpoll, OS_205_write_errors) {
  // [req:OS-205]
  pollfd entry{0, POLLIN, 0};
  errno = 0;
  EXPECT_EQ(emulator.write(set, &entry, sizeof entry - 1), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.write(set + 100, &entry, sizeof entry), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(emulator.write(set, nullptr, sizeof entry), -1);
  EXPECT_EQ(errno, EFAULT);
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  std::vector<pollfd> too_many(limit.rlim_cur + 1, pollfd{-1, POLLIN, 0});
  EXPECT_EQ(emulator.write(set, too_many.data(), too_many.size() * sizeof(pollfd)), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(Devpoll, OS_206_DP_POLL_reports_ready_entries_level_triggered_round_robin) {
  // [req:OS-206]
  Pipe a, b, c;
  a.put();
  b.put();
  c.put();
  add({{a.read_end, POLLIN, 0}, {b.read_end, POLLIN, 0}, {c.read_end, POLLIN, 0}});
  results.assign(8, pollfd{-7, -7, -7});
  EXPECT_EQ(poll_now(0), 0);  // dp_nfds == 0 only sleeps (here: not at all)
  EXPECT_EQ(results[0].fd, -7);
  ASSERT_EQ(poll_now(2), 2);
  EXPECT_EQ(results[0].fd, a.read_end);
  EXPECT_EQ(results[0].events, POLLIN);
  EXPECT_EQ(results[0].revents, POLLIN);
  EXPECT_EQ(results[1].fd, b.read_end);
  // The next scan resumes after b: c first, then a again (still ready: level-triggered).
  ASSERT_EQ(poll_now(2), 2);
  EXPECT_EQ(results[0].fd, c.read_end);
  EXPECT_EQ(results[1].fd, a.read_end);
  // A timeout: 0, buffer untouched; the simulated clock hears of the idle wait (OS-004).
  Pipe idle;
  add({{a.read_end, kernel::pollremove, 0}, {b.read_end, kernel::pollremove, 0},
       {c.read_end, kernel::pollremove, 0}, {idle.read_end, POLLIN, 0}});
  results.assign(8, pollfd{-7, -7, -7});
  kernel::dvpoll request{results.data(), 8, 1};
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &request), 0);
  EXPECT_EQ(results[0].fd, -7);
  EXPECT_EQ(clock.now(), add_milliseconds(tain_epoch, 1));
  // A hangup is reported although only POLLIN was asked for... by the write end's close.
  ::close(idle.write_end);
  idle.write_end = -1;
  ASSERT_EQ(poll_now(), 1);
  EXPECT_NE(results[0].revents & POLLHUP, 0);
}

TEST_F(Devpoll, OS_207_ioctl_errors_and_the_EINTR_knob) {
  // [req:OS-207]
  Pipe pipe;
  add({{pipe.read_end, POLLIN, 0}});
  kernel::dvpoll request{results.data(), 8, 0};
  errno = 0;
  EXPECT_EQ(emulator.ioctl(set + 100, kernel::dp_poll, &request), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_ispolled, &request), -1);
  EXPECT_EQ(errno, EINVAL);
  kernel::dvpoll negative{results.data(), -1, 0};
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &negative), -1);
  EXPECT_EQ(errno, EINVAL);
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  kernel::dvpoll too_many{results.data(), static_cast<int>(limit.rlim_cur), 0};
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &too_many), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, static_cast<kernel::dvpoll*>(nullptr)), -1);
  EXPECT_EQ(errno, EFAULT);
  kernel::dvpoll no_buffer{nullptr, 8, 0};
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &no_buffer), -1);
  EXPECT_EQ(errno, EFAULT);
  // The EINTR knob (OS-002) fires at the wait: only when nothing is ready.
  emulators.readiness().interrupt_wait();
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &request), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &request), 0);  // once only
  emulators.readiness().interrupt_wait();
  pipe.put();
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &request), 1);  // ready: no wait, no EINTR
}

TEST_F(Devpoll, OS_208_DP_ISPOLLED) {
  // [req:OS-208]
  Pipe pipe;
  add({{pipe.read_end, POLLIN, 0}});
  pollfd query{pipe.read_end, POLLOUT, 0};
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_ispolled, &query), 1);
  EXPECT_EQ(query.events, 0);
  EXPECT_EQ(query.revents, POLLIN);
  pollfd absent{pipe.write_end, 0, 0};
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_ispolled, &absent), 0);
  errno = 0;
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_ispolled, static_cast<pollfd*>(nullptr)), -1);
  EXPECT_EQ(errno, EFAULT);
  EXPECT_EQ(emulator.ioctl(set, kernel::dp_poll, &query), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.ioctl(set + 100, kernel::dp_ispolled, &query), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(Devpoll, OS_209_closing_the_set_discards_it_and_other_closes_change_nothing) {
  // [req:OS-209]
  Pipe pipe;
  add({{pipe.read_end, POLLIN, 0}});
  EXPECT_EQ(emulators.close(pipe.read_end), 0);  // through the set: closed, still in the set
  const int closed = pipe.read_end;
  pipe.read_end = -1;
  EXPECT_EQ(cached(closed), POLLIN);
  EXPECT_EQ(emulators.close(set), 0);
  EXPECT_EQ(emulator.open_sets(), 0u);
  pollfd entry{0, POLLIN, 0};
  errno = 0;
  EXPECT_EQ(emulator.write(set, &entry, sizeof entry), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(Devpoll, OS_210_a_reused_number_is_polled_silently) {
  // [req:OS-210]
  Pipe old_pipe;
  add({{old_pipe.read_end, POLLIN, 0}});
  const int number = old_pipe.read_end;
  ::close(old_pipe.read_end);
  old_pipe.read_end = -1;
  ASSERT_EQ(poll_now(), 1);
  EXPECT_EQ(results[0].revents, POLLNVAL);
  Pipe reused;  // the lowest free number: the one just closed
  ASSERT_EQ(reused.read_end, number);
  EXPECT_EQ(poll_now(), 0);  // the new, empty pipe: not ready, no POLLNVAL
  reused.put();
  ASSERT_EQ(poll_now(), 1);
  EXPECT_EQ(results[0].fd, number);
  EXPECT_EQ(results[0].revents, POLLIN);
}

}  // namespace
}  // namespace refloop::os
