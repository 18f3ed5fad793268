// SPDX-License-Identifier: ISC
// Unit tests for how the backends wait (spec/loop.md, BACKEND-012 and BACKEND-013), keyed on
// their traits: `fallback_wait_call` (a wait call the kernel may lack, and the one used then) and
// `timer_call` (a kernel timer carries the deadlines). A backend without the trait skips the test.
// Failures come from the fault table (spec/fault.md); real-clock checks are on the late side only.
#include <cerrno>
#include <string>

#include "loop_test_support.hpp"
#include "refloop/kernel/fault.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;
using test::TimerProbe;

class WaitSteps : public test::OnEveryBackend {
 protected:
  kernel::FaultCalls faults{kernel::native_syscalls()};
  kernel::SysCalls sys = faults.table();
  static std::string wait_call() { return std::string(traits().wait_call); }
  static std::string fallback_call() { return std::string(traits().fallback_wait_call); }
  static std::string timer_call() { return std::string(traits().timer_call); }
};
REFLOOP_ON_EVERY_BACKEND(WaitSteps);

#define REQUIRE_TRAIT(holds, what) \
  if (!(holds)) GTEST_SKIP() << GetParam() << " has no " what

// Whether the kernel under the test refuses the wait call by itself: a kernel older than the call
// (epoll_pwait2 arrived in Linux 5.11) or an emulator without it (Debian 12's qemu-user, on the
// armhf and s390x container targets) makes the loop fall back at its first wait with no fault
// planned. The tests that plan the call's failures need a kernel that has it; the last test of
// this kind checks the fallback on a kernel that lacks it.
bool kernel_lacks(const std::string& backend, const std::string& fallback) {
  kernel::FaultCalls counting{kernel::native_syscalls()};
  const kernel::SysCalls table = counting.table();
  SimulatedClock clock{tain_epoch};
  Loop probe({.clock = &clock, .backend = backend, .sys = &table});
  FdPair pipe = FdPair::pipe();
  FdProbe end(pipe.read_end);  // something registered, so that the round waits
  end.want_in([] {});
  probe.register_fd(end.fd);
  // An earlier test's planned ENOSYS may still be in errno: a loop that wrongly read errno after a
  // successful wait call would fall back, and the probe would take the kernel for one that lacks
  // the call and skip the test that catches that very bug (mutant 30 survived so).
  errno = 0;
  probe.run_once(RunMode::nowait);
  probe.unregister_fd(end.fd);
  return counting.count(fallback) > 0;
}

#define REQUIRE_KERNEL_WAIT_CALL()                                                              \
  if (kernel_lacks(GetParam(), fallback_call()))                                                \
  GTEST_SKIP() << "this kernel refuses " << wait_call() << " by itself, so planned failures of " \
               << "it prove nothing here: BACKEND_012_a_kernel_without_the_wait_call_gets_the_"  \
               << "fallback checks this kernel instead"

TEST_P(WaitSteps, BACKEND_012_a_missing_wait_call_makes_the_loop_fall_back_for_good) {
  // [req:BACKEND-012] [req:FAULT-007] ENOSYS (old kernel), EPERM (seccomp), EINVAL (some 32-bit
  // kernels): the same round is served by the fallback, and every later one.
  REQUIRE_TRAIT(!traits().fallback_wait_call.empty(), "fallback wait call");
  for (const int error : {ENOSYS, EPERM, EINVAL}) {
    SCOPED_TRACE(error);
    Loop faulty({.clock = &clock, .backend = GetParam(), .sys = &sys});
    FdPair pipe = FdPair::pipe();
    pipe.put();
    FdProbe end(pipe.read_end);
    end.want_in(note("in"));
    faulty.register_fd(end.fd);
    faults.plan({wait_call(), 1, error});
    log.clear();
    EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
    EXPECT_TRUE(faults.fired());
    EXPECT_EQ(log, std::vector<std::string>{"in"});
    EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
    EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
    EXPECT_EQ(faults.count(wait_call()), 1u);  // decided once
    EXPECT_EQ(faults.count(fallback_call()), 3u);
    EXPECT_EQ(log.size(), 3u);
    faulty.unregister_fd(end.fd);
  }
}

TEST_P(WaitSteps, BACKEND_012_the_choice_is_per_loop) {
  // [req:BACKEND-012] A loop that fell back leaves the next loop free to use the wait call.
  REQUIRE_TRAIT(!traits().fallback_wait_call.empty(), "fallback wait call");
  REQUIRE_KERNEL_WAIT_CALL();
  FdPair pipe = FdPair::pipe();
  FdProbe end(pipe.read_end);  // something registered, so that each round waits
  end.want_in([] {});
  {
    Loop first({.clock = &clock, .backend = GetParam(), .sys = &sys});
    first.register_fd(end.fd);
    faults.plan({wait_call(), 1, ENOSYS});
    EXPECT_EQ(first.run_once(RunMode::nowait), Step::polled);
    first.unregister_fd(end.fd);
  }
  Loop second({.clock = &clock, .backend = GetParam(), .sys = &sys});
  second.register_fd(end.fd);
  EXPECT_EQ(second.run_once(RunMode::nowait), Step::polled);
  second.unregister_fd(end.fd);
  EXPECT_EQ(faults.count(wait_call()), 2u);
  EXPECT_EQ(faults.count(fallback_call()), 1u);
}

TEST_P(WaitSteps, BACKEND_012_an_interrupted_wait_call_is_no_reason_to_fall_back) {
  // [req:BACKEND-012] [req:FAULT-002] [req:FAULT-004]
  REQUIRE_TRAIT(!traits().fallback_wait_call.empty(), "fallback wait call");
  REQUIRE_KERNEL_WAIT_CALL();
  Loop faulty({.clock = &clock, .backend = GetParam(), .sys = &sys});
  FdPair pipe = FdPair::pipe();
  FdProbe end(pipe.read_end);  // something registered, so that each round waits
  end.want_in([] {});
  faulty.register_fd(end.fd);
  faults.plan({wait_call(), 1, EINTR});
  EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(faults.count(wait_call()), 2u);
  EXPECT_EQ(faults.count(fallback_call()), 0u);
  const std::string message = test::fatal_message_of([&] {
    faults.plan({wait_call(), 1, EBADF});
    faulty.run_once(RunMode::nowait);
  });
  EXPECT_EQ(message, GetParam() + " backend: " + wait_call() + " failed: error 9[Bad file descriptor]");
  faulty.unregister_fd(end.fd);
}

TEST_P(WaitSteps, BACKEND_012_a_kernel_without_the_wait_call_gets_the_fallback) {
  // [req:BACKEND-012] Where the kernel itself refuses the wait call, the loop tries it once and
  // serves that round and every later one with the fallback, missing no event.
  REQUIRE_TRAIT(!traits().fallback_wait_call.empty(), "fallback wait call");
  if (!kernel_lacks(GetParam(), fallback_call()))
    GTEST_SKIP() << "this kernel has " << wait_call()
                 << ": the fault table stands in for one that lacks it (the tests above)";
  Loop native({.clock = &clock, .backend = GetParam(), .sys = &sys});
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  native.register_fd(end.fd);
  for (int round = 0; round < 3; ++round) EXPECT_EQ(native.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"in", "in", "in"}));
  EXPECT_EQ(faults.count(wait_call()), 1u);
  EXPECT_EQ(faults.count(fallback_call()), 3u);
  native.unregister_fd(end.fd);
}

// Passes every epoll call on with errno set to ENOSYS beforehand: a call that succeeds leaves
// errno as it was, so a backend reading errno after a success would see a missing call.
class StaleErrnoCalls final : public kernel::EpollCalls {
 public:
  explicit StaleErrnoCalls(const kernel::SysCalls& inner) : inner_(inner) {}
  kernel::SysCalls table() {
    kernel::SysCalls sys = inner_;
    sys.epoll = this;
    return sys;
  }
  int epoll_create1(int flags) override { return stale(), inner_.epoll->epoll_create1(flags); }
  int epoll_ctl(int epfd, int op, int fd, epoll_event* event) override {
    return stale(), inner_.epoll->epoll_ctl(epfd, op, fd, event);
  }
  int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms) override {
    return stale(), inner_.epoll->epoll_wait(epfd, events, max_events, timeout_ms);
  }
  int epoll_pwait2(int epfd, epoll_event* events, int max_events, const timespec* timeout,
                   const sigset_t* mask) override {
    return stale(), inner_.epoll->epoll_pwait2(epfd, events, max_events, timeout, mask);
  }

 private:
  static void stale() { errno = ENOSYS; }
  kernel::SysCalls inner_;
};

TEST_P(WaitSteps, BACKEND_012_errno_is_read_only_after_a_failed_call) {
  // [req:BACKEND-012] ivykis before 0.43.2 fell back after a successful epoll_pwait2 that left errno,
  // and its second wait then slept through the events the first had taken.
  REQUIRE_TRAIT(!traits().fallback_wait_call.empty(), "fallback wait call");
  REQUIRE_KERNEL_WAIT_CALL();
  StaleErrnoCalls stale(sys);
  const kernel::SysCalls table = stale.table();
  Loop loop_with_stale_errno({.clock = &clock, .backend = GetParam(), .sys = &table});
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  loop_with_stale_errno.register_fd(end.fd);
  EXPECT_EQ(loop_with_stale_errno.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(loop_with_stale_errno.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"in", "in"}));
  EXPECT_EQ(faults.count(wait_call()), 2u);
  EXPECT_EQ(faults.count(fallback_call()), 0u);
  loop_with_stale_errno.unregister_fd(end.fd);
}

// A timer `after_ms` from now on `clock`, whose handler checks it is not early (TIME-004).
struct RealTimer {
  TimerProbe probe;
  bool fired = false;
  tain late_by{};
  RealTimer(Clock& clock, Loop& loop, std::uint64_t after_us) {
    probe.timer.expires = loop.now() + tain::normalised(after_us / 1'000'000, (after_us % 1'000'000) * 1000);
    probe.callback.body = [this, &clock] {
      const tain now = clock.now();
      EXPECT_GE(now, probe.timer.expires) << "fired early";
      if (now >= probe.timer.expires) late_by = now - probe.timer.expires;
      fired = true;
    };
    loop.register_timer(probe.timer);
  }
};

TEST_P(WaitSteps, BACKEND_013_timers_on_a_real_clock_never_fire_early) {
  // [req:BACKEND-013] [req:BACKEND-012] [req:TIME-004] Late side only: no bound on lateness.
  // Sub-millisecond deadlines show a unit that rounds down, which would fire them early.
  Stopwatch real;
  Loop timed({.clock = &real, .backend = GetParam(), .sys = &sys});
  RealTimer soon(real, timed, 300), later(real, timed, 1'700), last(real, timed, 5'000);
  timed.run();
  EXPECT_TRUE(soon.fired && later.fired && last.fired);
  if (!traits().timer_call.empty()) {
    EXPECT_GE(faults.count(timer_call()), 1u);
  }
}

TEST_P(WaitSteps, BACKEND_012_after_the_fallback_timers_never_fire_early) {
  // [req:BACKEND-012] [req:FAULT-007] [req:TIME-004] The fallback's milliseconds round up.
  REQUIRE_TRAIT(!traits().fallback_wait_call.empty(), "fallback wait call");
  faults.deny(wait_call(), ENOSYS);
  Stopwatch real;
  Loop timed({.clock = &real, .backend = GetParam(), .sys = &sys});
  RealTimer soon(real, timed, 300), later(real, timed, 1'700);
  timed.run();
  EXPECT_TRUE(soon.fired && later.fired);
  EXPECT_EQ(faults.count(wait_call()), 1u);
  EXPECT_GE(faults.count(fallback_call()), 1u);
}

TEST_P(WaitSteps, BACKEND_013_the_kernel_timer_is_set_only_when_its_instant_changes) {
  // [req:BACKEND-013] Real clock, distant timers, and an fd that is always ready, so no wait
  // blocks: what is counted is how often the kernel timer is set.
  REQUIRE_TRAIT(!traits().timer_call.empty(), "kernel timer");
  Stopwatch real;
  Loop timed({.clock = &real, .backend = GetParam(), .sys = &sys});
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  timed.register_fd(end.fd);
  RealTimer distant(real, timed, 50'000'000);
  const auto settime_calls_after_a_round = [&] {
    EXPECT_EQ(timed.run_once(), Step::polled);
    return faults.count(timer_call());
  };
  EXPECT_EQ(settime_calls_after_a_round(), 1u);  // set for the distant timer
  EXPECT_EQ(settime_calls_after_a_round(), 1u);  // the same deadline: no call
  RealTimer nearer(real, timed, 40'000'000);
  EXPECT_EQ(settime_calls_after_a_round(), 2u);  // an earlier deadline
  EXPECT_EQ(timed.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(faults.count(timer_call()), 2u);  // a check needs no timer
  timed.unregister_timer(nearer.probe.timer);
  EXPECT_EQ(settime_calls_after_a_round(), 3u);  // a later deadline
  timed.unregister_timer(distant.probe.timer);
  EXPECT_EQ(settime_calls_after_a_round(), 4u);  // no deadline: disarmed
  EXPECT_EQ(settime_calls_after_a_round(), 4u);  // still none: nothing to do
  timed.unregister_fd(end.fd);
}

TEST_P(WaitSteps, BACKEND_013_an_expired_kernel_timer_is_set_again_or_disarmed) {
  // [req:BACKEND-013] The expiry is never read: the next timerfd_settime clears it. A wait with
  // no deadline after an expiry must disarm (else it would return at once, forever).
  REQUIRE_TRAIT(!traits().timer_call.empty(), "kernel timer");
  Stopwatch real;
  Loop timed({.clock = &real, .backend = GetParam(), .sys = &sys});
  RealTimer first(real, timed, 1'000);
  timed.run();  // the kernel timer wakes the wait (or the test hangs); then nothing is left
  ASSERT_TRUE(first.fired);
  const unsigned after_expiry = faults.count(timer_call());
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in([&] { pipe.drain(); });
  timed.register_fd(end.fd);
  EXPECT_EQ(timed.run_once(), Step::polled);  // the fd is ready; the expired timer is disarmed
  EXPECT_EQ(faults.count(timer_call()), after_expiry + 1);
  timed.unregister_fd(end.fd);
  RealTimer second(real, timed, 2'000);
  timed.run();  // set again, and it wakes the loop (or the test hangs)
  EXPECT_TRUE(second.fired);
  EXPECT_EQ(faults.count(timer_call()), after_expiry + 2);
}

}  // namespace
}  // namespace refloop
