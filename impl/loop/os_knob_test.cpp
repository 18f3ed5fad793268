// SPDX-License-Identifier: ISC
// What every backend does under a running loop when one of the rare documented turns of
// spec/os.md happens: an interrupted wait (OS-002), a change the kernel refuses at the lazy
// flush (kqueue's EV_ERROR entry, OS-104 and OS-122, and its counterpart on every other
// backend), ETIME with events delivered and *nget kept (OS-311, OS-352), and a registered fd
// closed where no emulator sees it (OS-001's fidelity gap, FD-010). The emulated backends run on
// a table with the emulators, so their knobs fire; a native backend's EINTR comes from the fault
// table (spec/fault.md). What is expected is derived from the backend's traits, never its name.
#include <unistd.h>

#include <cerrno>
#include <string>

#include "loop_test_support.hpp"
#include "os/emulators.hpp"
#include "refloop/kernel/fault.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;
using test::TimerProbe;

class Knobs : public test::OnEveryBackend {
 protected:
  os::Emulators emulators{kernel::native_syscalls()};
  kernel::FaultCalls faults{traits().emulated ? emulators.table() : kernel::native_syscalls()};
  kernel::SysCalls sys = faults.table();
  Loop running{LoopOptions{.clock = &clock, .backend = GetParam(), .sys = &sys}};

  // A port backend's emulator offers the ETIME knobs (the traits: emulated, waits with port_getn).
  static bool has_port_knobs() { return traits().emulated && traits().wait_call == "port_getn"; }
};
REFLOOP_ON_EVERY_BACKEND(Knobs);

TEST_P(Knobs, OS_002_an_interrupted_wait_ends_the_round_with_nothing_and_the_clock_unmoved) {
  // [req:OS-002] [req:OS-112] [req:OS-207] [req:OS-252] [req:OS-311] [req:OS-352] [req:FAULT-002]
  // The emulators' knob fires only at a wait, which comes only when nothing is ready; a native
  // backend's wait call is failed once by the fault table instead.
  FdPair pipe = FdPair::pipe();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  running.register_fd(end.fd);
  TimerProbe timer(note("timer"));
  timer.timer.expires = at(100);
  running.register_timer(timer.timer);
  if (traits().emulated) emulators.readiness().interrupt_wait();
  else faults.plan({std::string(traits().wait_call), 1, EINTR});
  EXPECT_EQ(running.run_once(), Step::polled);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(clock.now(), tain_epoch);
  pipe.put();
  EXPECT_EQ(running.run_once(), Step::polled);
  EXPECT_EQ(log, std::vector<std::string>{"in"});
  running.unregister_fd(end.fd);  // the timer alone: the next rounds wait for it, then run it
  for (int round = 0; round < 2 && log.size() < 2; ++round) running.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"in", "timer"}));
}

TEST_P(Knobs, OS_122_a_change_refused_at_the_flush_is_fatal_and_names_what_refused_it) {
  // [req:OS-122] [req:OS-104] [req:OS-251] [req:OS-351] [req:FAULT-004] [req:FD-010] An fd
  // registered lazily and closed (through the loop's table) before the flush: kqueue's changelist
  // comes back with an EV_ERROR entry (EBADF); a backend that tells the kernel at the flush hears
  // the refusal from its interest call; one that finds closed fds at the wait sees POLLNVAL.
  // Either way the loop takes the fatal path naming the backend, never a silent wait. (An out
  // handler: kqueue's message names the refused EVFILT_WRITE change; FATAL_004 of fatal_test.cpp
  // shows the same for in.)
  const std::string message = test::fatal_message_of([&] {
    FdPair pipe = FdPair::pipe();
    FdProbe end(pipe.write_end);
    end.want_out([] {});
    running.register_fd(end.fd);
    sys.fd->close(pipe.write_end);
    pipe.write_end = -1;
    running.run_once(RunMode::nowait);
  });
  EXPECT_EQ(message.rfind(GetParam() + " backend: ", 0), 0u) << message;
  if (traits().closed_fd == BackendTraits::ClosedFd::at_wait)
    EXPECT_NE(message.find("POLLNVAL"), std::string::npos) << message;
  else
    EXPECT_NE(message.find(std::string(traits().interest_call)), std::string::npos) << message;
}

TEST_P(Knobs, OS_352_ETIME_with_events_dispatches_them_with_nget_updated_or_kept) {
  // [req:OS-352] [req:OS-311] [req:OS-309] Only an event-port emulator can time out as events
  // arrive; every other backend has no such answer to give.
  if (!has_port_knobs()) GTEST_SKIP() << GetParam() << " waits with " << traits().wait_call << ": no ETIME";
  FdPair first = FdPair::pipe();
  FdPair second = FdPair::pipe();
  first.put();
  second.put();
  FdProbe one(first.read_end);
  FdProbe two(second.read_end);
  one.want_in(note("one"));
  two.want_in(note("two"));
  running.register_fd(one.fd);
  running.register_fd(two.fd);
  emulators.port().time_out_next_getn();
  EXPECT_EQ(running.run_once(), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(clock.now(), tain_epoch);  // events came: no idle wait was reported
  // The same with *nget left at the backend's 1 although two events were delivered: counted.
  emulators.port().keep_nget_on_etime();
  emulators.port().time_out_next_getn();
  log.clear();
  EXPECT_EQ(running.run_once(), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"one", "two"}));
  // And a real timeout with nothing ready: the clock hears of the idle wait.
  first.drain();
  second.drain();
  TimerProbe timer(note("timer"));
  timer.timer.expires = at(5);
  running.register_timer(timer.timer);
  log.clear();
  EXPECT_EQ(running.run_once(), Step::polled);
  EXPECT_EQ(clock.now(), timer.timer.expires);
  running.unregister_fd(one.fd);
  running.unregister_fd(two.fd);
  running.run_once();
  EXPECT_EQ(log, std::vector<std::string>{"timer"});
}

TEST_P(Knobs, OS_001_a_registered_fd_closed_outside_is_found_as_the_traits_say) {
  // [req:OS-001] [req:OS-111] [req:OS-210] [req:OS-310] [req:FD-010] Closed straight to the
  // kernel, then (second pass) also told to the emulators with closed_outside. A backend that
  // finds closed fds at the wait (POLLNVAL) stops there; on one whose kernel drops the watch with
  // the close, the wait stays quiet until the timer, and unregistering the fd is what fails.
  for (const bool told : {false, true}) {
    SCOPED_TRACE(told ? "closed_outside told" : "not told");
    const std::string message = test::fatal_message_of([&] {
      FdPair pipe = FdPair::pipe();
      FdProbe end(pipe.read_end);
      end.want_in([] { fatal("no handler may run for a closed fd"); });
      running.register_fd(end.fd);
      TimerProbe timer;
      timer.timer.expires = at(100);
      running.register_timer(timer.timer);
      running.run_once(RunMode::nowait);  // the kernel watches it now
      ::close(pipe.read_end);
      if (told) emulators.closed_outside(pipe.read_end);
      pipe.read_end = -1;
      running.run_once();
      if (clock.now() != at(100)) fatal("the wait did not last until the timer");
      running.unregister_fd(end.fd);
      running.run_once(RunMode::nowait);  // the flush, where a backend defers the removal to it
    });
    // [req:FD-012] A backend that defers removals to the flush (a close shows only when the
    // kernel is first told of the fd) cannot tell this misuse from a close after unregister_fd:
    // the quiet wait is all FD-010 asks of it, and the removal's EBADF is given up (FD-014).
    if (traits().closed_fd == BackendTraits::ClosedFd::when_added) {
      EXPECT_EQ(message, "(no fatal)");
      continue;
    }
    EXPECT_EQ(message.rfind(GetParam() + " backend: ", 0), 0u) << message;
    const bool at_wait = traits().closed_fd == BackendTraits::ClosedFd::at_wait;
    EXPECT_NE(message.find(at_wait ? "POLLNVAL" : "was closed while registered"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace refloop
