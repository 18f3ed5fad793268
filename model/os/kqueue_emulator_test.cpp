// SPDX-License-Identifier: ISC
// The kqueue emulator's own tests (spec/os.md, OS-100..OS-199), on real pipes and sockets and a
// simulated clock. The OS-interface suite (conformance/os) runs the same interface's cases
// against it, and against the native kqueue where there is one.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "os/emulators.hpp"

namespace refloop::os {
namespace {

using namespace refloop::kernel;

struct kevent change(int fd, short filter, unsigned short flags, void* udata = nullptr) {
  struct kevent entry {};
  entry.ident = static_cast<std::uintptr_t>(fd);
  entry.filter = filter;
  entry.flags = flags;
  entry.udata = udata;
  return entry;
}

class KqueueEmulation : public ::testing::Test {
 protected:
  SimulatedClock clock{tain_epoch};
  Emulators emulators{native_syscalls(), &clock};
  SysCalls sys = emulators.table();
  KqueueCalls& kq_calls = *sys.kqueue;
  int kq = kq_calls.kqueue();
  int pipe_fds[2] = {-1, -1};
  struct kevent out[8] {};
  const timespec zero{0, 0};

  void SetUp() override {
    ASSERT_GE(kq, 0);
    ASSERT_EQ(::pipe(pipe_fds), 0);
  }
  void TearDown() override {
    for (int fd : pipe_fds)
      if (fd >= 0) ::close(fd);
    sys.fd->close(kq);
  }
  int wait(const timespec* timeout, int room = 8) { return kq_calls.kevent(kq, nullptr, 0, out, room, timeout); }
  // A change alone: with no room for events, a failure is -1/errno (OS-104).
  int submit(const struct kevent& entry, int room = 0) {
    return kq_calls.kevent(kq, &entry, 1, out, room, &zero);
  }
};

TEST_F(KqueueEmulation, OS_003_the_table_says_it_is_emulated) {
  // [req:OS-003]
  EXPECT_TRUE(kq_calls.emulated());
  EXPECT_EQ(sys.poll, native_syscalls().poll);
}

TEST_F(KqueueEmulation, OS_005_a_kqueue_is_a_real_descriptor_released_by_close) {
  // [req:OS-005] [req:OS-101]
  EXPECT_GE(sys.fd->fcntl(kq, F_GETFD, 0), 0);
  const int second = kq_calls.kqueue();
  EXPECT_NE(second, kq);
  EXPECT_EQ(sys.fd->close(second), 0);
  EXPECT_EQ(kq_calls.kevent(second, nullptr, 0, out, 8, &zero), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(KqueueEmulation, OS_102_a_level_triggered_read_filter_reports_until_drained) {
  // [req:OS-102] [req:OS-109]
  int marker = 0;
  ASSERT_EQ(submit(change(pipe_fds[0], EVFILT_READ, EV_ADD, &marker)), 0);
  ASSERT_EQ(::write(pipe_fds[1], "abc", 3), 3);
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(wait(&zero), 1);
    EXPECT_EQ(out[0].ident, static_cast<std::uintptr_t>(pipe_fds[0]));
    EXPECT_EQ(out[0].filter, EVFILT_READ);
    EXPECT_EQ(out[0].data, 3);
    EXPECT_EQ(out[0].udata, &marker);
    EXPECT_EQ(out[0].flags & EV_EOF, 0);
  }
  char buffer[8];
  ASSERT_EQ(::read(pipe_fds[0], buffer, sizeof buffer), 3);
  EXPECT_EQ(wait(&zero), 0);
}

TEST_F(KqueueEmulation, OS_104_errors_become_entries_and_suppress_the_wait) {
  // [req:OS-104] [req:OS-105] A bad change between two good ones: all applied in order, one
  // EV_ERROR entry, and no events although the pipe is readable.
  ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
  const struct kevent changes[3] = {change(pipe_fds[0], EVFILT_READ, EV_ADD),
                                    change(pipe_fds[0], EVFILT_WRITE, EV_DELETE),
                                    change(pipe_fds[1], EVFILT_WRITE, EV_ADD)};
  ASSERT_EQ(kq_calls.kevent(kq, changes, 3, out, 8, nullptr), 1);  // would block forever otherwise
  EXPECT_EQ(out[0].flags, EV_ERROR);
  EXPECT_EQ(out[0].data, ENOENT);
  EXPECT_EQ(out[0].filter, EVFILT_WRITE);
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 2u);
  // No room: -1/errno, and the changes after the failing one are not applied.
  const struct kevent more[2] = {change(pipe_fds[0], EVFILT_WRITE, EV_DELETE),
                                 change(pipe_fds[1], EVFILT_WRITE, EV_DELETE)};
  EXPECT_EQ(kq_calls.kevent(kq, more, 2, nullptr, 0, &zero), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 2u);
}

TEST_F(KqueueEmulation, OS_106_a_timeout_passes_on_the_clock) {
  // [req:OS-106] [req:OS-004]
  ASSERT_EQ(submit(change(pipe_fds[0], EVFILT_READ, EV_ADD)), 0);
  const timespec half_second{0, 500'000'000};
  EXPECT_EQ(wait(&half_second), 0);
  EXPECT_EQ(clock.now(), tain_epoch + tain::normalised(0, 500'000'000));
  EXPECT_EQ(kq_calls.kevent(kq, nullptr, 0, out, 8, &half_second), 0);
  const timespec bad{0, 1'000'000'000};
  EXPECT_EQ(wait(&bad), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(KqueueEmulation, OS_002_the_EINTR_knob_interrupts_after_the_changes_are_applied) {
  // [req:OS-002] [req:OS-112]
  emulators.readiness().interrupt_wait();
  const struct kevent add = change(pipe_fds[0], EVFILT_READ, EV_ADD);
  EXPECT_EQ(kq_calls.kevent(kq, &add, 1, out, 8, &zero), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 1u);
  EXPECT_EQ(wait(&zero), 0);  // once only
}

TEST_F(KqueueEmulation, OS_110_a_hangup_sets_EV_EOF) {
  // [req:OS-110]
  ASSERT_EQ(submit(change(pipe_fds[0], EVFILT_READ, EV_ADD)), 0);
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_ADD)), 0);
  ASSERT_EQ(wait(&zero), 1);
  EXPECT_EQ(out[0].filter, EVFILT_WRITE);
  EXPECT_GT(out[0].data, 0);
  ::close(pipe_fds[1]);
  emulators.closed_outside(pipe_fds[1]);
  pipe_fds[1] = -1;
  ASSERT_EQ(wait(&zero), 1);
  EXPECT_EQ(out[0].filter, EVFILT_READ);
  EXPECT_NE(out[0].flags & EV_EOF, 0);
  EXPECT_EQ(out[0].data, 0);
}

TEST_F(KqueueEmulation, OS_108_oneshot_dispatch_and_disable) {
  // [req:OS-108] [req:OS-107]
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_ADD | EV_ONESHOT)), 0);
  EXPECT_EQ(wait(&zero), 1);
  EXPECT_EQ(out[0].flags, EV_ONESHOT);
  EXPECT_EQ(wait(&zero), 0);
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 0u);
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_ADD | EV_DISPATCH)), 0);
  EXPECT_EQ(wait(&zero), 1);
  EXPECT_EQ(wait(&zero), 0);
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_ENABLE)), 0);
  EXPECT_EQ(wait(&zero), 1);
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_DISABLE)), 0);
  EXPECT_EQ(wait(&zero), 0);
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_ADD)), 0);  // EV_ADD enables
  EXPECT_EQ(wait(&zero), 1);
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 1u);
}

TEST_F(KqueueEmulation, OS_108_clear_reports_a_change_once) {
  // [req:OS-108]
  ASSERT_EQ(submit(change(pipe_fds[0], EVFILT_READ, EV_ADD | EV_CLEAR)), 0);
  ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
  EXPECT_EQ(wait(&zero), 1);
  EXPECT_EQ(wait(&zero), 0);
  ASSERT_EQ(::write(pipe_fds[1], "y", 1), 1);
  EXPECT_EQ(wait(&zero), 1);
  EXPECT_EQ(out[0].data, 2);
}

TEST_F(KqueueEmulation, OS_103_receipts_and_bad_filters) {
  // [req:OS-103] [req:OS-104]
  const struct kevent changes[2] = {change(pipe_fds[0], EVFILT_READ, EV_ADD | EV_RECEIPT),
                                    change(pipe_fds[0], -7, EV_ADD)};
  ASSERT_EQ(kq_calls.kevent(kq, changes, 2, out, 8, &zero), 2);
  EXPECT_EQ(out[0].data, 0);
  EXPECT_EQ(out[1].data, EINVAL);
  const struct kevent too_big = change(-1, EVFILT_READ, EV_ADD);
  EXPECT_EQ(submit(too_big, 0), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(KqueueEmulation, OS_111_a_close_through_the_table_drops_the_knotes_one_outside_is_found_late) {
  // [req:OS-111] [req:OS-001]
  ASSERT_EQ(submit(change(pipe_fds[0], EVFILT_READ, EV_ADD)), 0);
  EXPECT_EQ(sys.fd->close(pipe_fds[0]), 0);
  pipe_fds[0] = -1;
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 0u);
  // Outside: the knote stays until the next look finds the number closed (POLLNVAL).
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_ADD)), 0);
  ::close(pipe_fds[1]);
  const int closed_number = pipe_fds[1];
  pipe_fds[1] = -1;
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 1u);
  EXPECT_EQ(wait(&zero), 0);
  EXPECT_EQ(emulators.kqueue().knote_count(kq), 0u);
  EXPECT_EQ(submit(change(closed_number, EVFILT_WRITE, EV_DELETE), 8), 1);
  EXPECT_EQ(out[0].data, EBADF);
}

TEST_F(KqueueEmulation, OS_113_regular_files_read_until_eof_and_refuse_write) {
  // [req:OS-113]
  const auto path = std::filesystem::temp_directory_path() / ("refloop-kq-" + std::to_string(getpid()));
  const int file = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  ::unlink(path.c_str());
  ASSERT_EQ(submit(change(file, EVFILT_READ, EV_ADD)), 0);
  EXPECT_EQ(wait(&zero), 0);  // at the end
  ASSERT_EQ(::write(file, "abcd", 4), 4);
  EXPECT_EQ(wait(&zero), 0);  // the offset moved with the write
  ASSERT_EQ(::lseek(file, 1, SEEK_SET), 1);
  ASSERT_EQ(wait(&zero), 1);
  EXPECT_EQ(out[0].data, 3);
  EXPECT_EQ(submit(change(file, EVFILT_WRITE, EV_ADD), 8), 1);
  EXPECT_EQ(out[0].data, EINVAL);
  sys.fd->close(file);
}

TEST_F(KqueueEmulation, OS_109_retrieval_is_round_robin_when_the_eventlist_is_short) {
  // [req:OS-109]
  int more[2];
  ASSERT_EQ(::pipe(more), 0);
  ASSERT_EQ(submit(change(pipe_fds[1], EVFILT_WRITE, EV_ADD)), 0);
  ASSERT_EQ(submit(change(more[1], EVFILT_WRITE, EV_ADD)), 0);
  ASSERT_EQ(wait(&zero, 1), 1);
  const auto first = out[0].ident;
  ASSERT_EQ(wait(&zero, 1), 1);
  EXPECT_NE(out[0].ident, first);
  ASSERT_EQ(wait(&zero, 1), 1);
  EXPECT_EQ(out[0].ident, first);
  ::close(more[0]);
  ::close(more[1]);
}

}  // namespace
}  // namespace refloop::os
