// SPDX-License-Identifier: ISC
// Unit tests for the kernel seam (refloop/kernel/syscalls.hpp) as the loop sees it: a loop given
// another table through LoopOptions::sys makes every system call through it, a table without an
// interface makes the backends needing it unavailable, and the one wait plan
// (refloop/kernel/wait_plan.hpp) keeps each unit's rounding and cap.
#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "loop_test_support.hpp"
#include "refloop/kernel/syscalls.hpp"
#include "refloop/kernel/wait_plan.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;

// Passes every call on to the native tables and records its name.
class RecordingCalls final : public kernel::PollCalls,
                             public kernel::FdCalls,
                             public kernel::EpollCalls,
                             public kernel::TimerfdCalls {
 public:
  kernel::SysCalls table() {
    kernel::SysCalls sys;
    sys.poll = this;
    sys.fd = this;
    sys.epoll = this;
    sys.timerfd = this;
    return sys;
  }
  std::vector<std::string> calls;

  int poll(pollfd* fds, nfds_t count, int timeout_ms) override {
    calls.emplace_back("poll");
    return native_.poll->poll(fds, count, timeout_ms);
  }
  int ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) override {
    calls.emplace_back("ppoll");
    return native_.poll->ppoll(fds, count, timeout, mask);
  }
  int select(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional,
             timeval* timeout) override {
    calls.emplace_back("select");
    return native_.poll->select(nfds, readable, writable, exceptional, timeout);
  }
  int fcntl(int fd, int command, int argument) override {
    calls.emplace_back("fcntl");
    return native_.fd->fcntl(fd, command, argument);
  }
  int getrlimit(int resource, rlimit* limit) override {
    calls.emplace_back("getrlimit");
    return native_.fd->getrlimit(resource, limit);
  }
  int close(int fd) override {
    calls.emplace_back("close");
    return native_.fd->close(fd);
  }
  int epoll_create1(int flags) override {
    calls.emplace_back("epoll_create1");
    return native_.epoll->epoll_create1(flags);
  }
  int epoll_ctl(int epfd, int op, int fd, epoll_event* event) override {
    calls.emplace_back("epoll_ctl");
    return native_.epoll->epoll_ctl(epfd, op, fd, event);
  }
  int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms) override {
    calls.emplace_back("epoll_wait");
    return native_.epoll->epoll_wait(epfd, events, max_events, timeout_ms);
  }
  int epoll_pwait2(int epfd, epoll_event* events, int max_events, const timespec* timeout,
                   const sigset_t* mask) override {
    calls.emplace_back("epoll_pwait2");
    return native_.epoll->epoll_pwait2(epfd, events, max_events, timeout, mask);
  }
  int timerfd_create(int clock_id, int flags) override {
    calls.emplace_back("timerfd_create");
    return native_.timerfd->timerfd_create(clock_id, flags);
  }
  int timerfd_settime(int fd, int flags, const itimerspec* new_value, itimerspec* old_value) override {
    calls.emplace_back("timerfd_settime");
    return native_.timerfd->timerfd_settime(fd, flags, new_value, old_value);
  }

 private:
  const kernel::SysCalls& native_ = kernel::native_syscalls();
};

class KernelSeam : public test::OnEveryBackend {};
REFLOOP_ON_EVERY_BACKEND(KernelSeam);

TEST_P(KernelSeam, BACKEND_001_a_loop_makes_its_system_calls_through_the_table_it_is_given) {
  // [req:BACKEND-001] The same iteration as on the native table, every call seen by the table.
  RecordingCalls recording;
  const kernel::SysCalls sys = recording.table();
  {
    Loop seamed({.clock = &clock, .backend = GetParam(), .sys = &sys});
    FdPair pipe = FdPair::pipe();
    pipe.put();
    FdProbe end(pipe.read_end);
    end.want_in(note("in"));
    seamed.register_fd(end.fd);
    EXPECT_EQ(seamed.run_once(RunMode::nowait), Step::polled);
    seamed.unregister_fd(end.fd);
  }
  EXPECT_EQ(log, std::vector<std::string>{"in"});
  ASSERT_FALSE(recording.calls.empty());
  const std::vector<std::string> waits{"epoll_pwait2", "epoll_wait", "poll", "ppoll", "select"};
  bool waited = false;
  for (const std::string& call : recording.calls)
    waited |= std::find(waits.begin(), waits.end(), call) != waits.end();
  EXPECT_TRUE(waited);
}

TEST_P(KernelSeam, BACKEND_005_a_table_without_the_interface_leaves_the_backend_unavailable) {
  // [req:BACKEND-005] make_backend returns nullptr; nothing is called.
  const kernel::SysCalls empty;
  EXPECT_EQ(detail::make_backend(GetParam(), empty), nullptr);
}

TEST(WaitPlan, BACKEND_004_one_plan_each_unit_rounded_up_and_capped) {
  // [req:BACKEND-004] [req:IOPAUSE-015] [req:IOPAUSE-040] [req:IOPAUSE-041] [req:IOPAUSE-043]
  Stopwatch real;  // passes every wanted wait through
  const tain stamp = tain_epoch;
  const tain in_1ns = stamp + tain::normalised(0, 1);
  const kernel::WaitPlan soon = kernel::plan_wait(&in_1ns, stamp, real);
  EXPECT_EQ(kernel::timeout_milliseconds(soon, INT_MAX), 1);
  timespec ts{};
  timeval tv{};
  ASSERT_NE(kernel::timeout_timespec(soon, ts), nullptr);
  EXPECT_EQ(ts.tv_nsec, 1);
  ASSERT_NE(kernel::timeout_timeval(soon, tv), nullptr);
  EXPECT_EQ(tv.tv_usec, 1);
  // No deadline: the one "no timeout" of each unit.
  const kernel::WaitPlan forever = kernel::plan_wait(nullptr, stamp, real);
  EXPECT_EQ(kernel::timeout_milliseconds(forever, INT_MAX), -1);
  EXPECT_EQ(kernel::timeout_timespec(forever, ts), nullptr);
  EXPECT_EQ(kernel::timeout_timeval(forever, tv), nullptr);
  // A finite deadline, however far, is capped and never becomes "no timeout".
  const tain far = tain_zero + tain::seconds(std::uint64_t{1} << 62);
  const kernel::WaitPlan distant = kernel::plan_wait(&far, tain_zero, real);
  EXPECT_EQ(kernel::timeout_milliseconds(distant, 86'400'000), 86'400'000);
  EXPECT_EQ(kernel::timeout_milliseconds(distant, INT_MAX), INT_MAX);
  // A passed deadline is a check.
  const kernel::WaitPlan passed = kernel::plan_wait(&stamp, in_1ns, real);
  EXPECT_EQ(kernel::timeout_milliseconds(passed, INT_MAX), 0);
  EXPECT_EQ(passed.idle, tain_zero);
}

TEST(WaitPlan, BACKEND_004_the_clock_hears_only_about_an_idle_wait) {
  // [req:BACKEND-004] [req:CLOCK-006]
  SimulatedClock simulated(tain_epoch);
  const tain deadline = tain_epoch + tain::seconds(5);
  const kernel::WaitPlan plan = kernel::plan_wait(&deadline, tain_epoch, simulated);
  EXPECT_EQ(kernel::timeout_milliseconds(plan, INT_MAX), 0);  // a simulated clock never blocks
  kernel::finish_wait(plan, 1, simulated);
  EXPECT_EQ(simulated.now(), tain_epoch);
  kernel::finish_wait(plan, 0, simulated);
  EXPECT_EQ(simulated.now(), deadline);
}

}  // namespace
}  // namespace refloop
