// SPDX-License-Identifier: ISC
// Unit tests for spec/fault.md: the fault table itself, and what the loop does on every backend
// when the call it waits with or tells the kernel of interest with fails. The call names come
// from the backend's traits (wait_call, interest_call), never from its name.
#include <fcntl.h>

#include <cerrno>
#include <string>
#include <utility>

#include "backend/backend.hpp"
#include "loop_test_support.hpp"
#include "os/emulators.hpp"
#include "refloop/kernel/fault.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;
using test::TimerProbe;

TEST(FaultTable, FAULT_001_the_nth_call_fails_and_every_other_passes_through) {
  // [req:FAULT-001]
  kernel::FaultCalls faults(kernel::native_syscalls());
  const kernel::SysCalls sys = faults.table();
  ASSERT_EQ(sys.poll, static_cast<kernel::PollCalls*>(&faults));
  faults.plan({"poll", 2, EINTR});
  EXPECT_EQ(sys.poll->poll(nullptr, 0, 0), 0);
  errno = 0;
  EXPECT_EQ(sys.poll->poll(nullptr, 0, 0), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_TRUE(faults.fired());
  EXPECT_EQ(sys.poll->poll(nullptr, 0, 0), 0);  // once only
  EXPECT_EQ(faults.count("poll"), 3u);
  EXPECT_EQ(faults.count("ppoll"), 0u);
  // close(2) releases the fd whatever it reports; so does the planned failure.
  FdPair pipe = FdPair::pipe();
  faults.plan({"close", 1, EIO});
  EXPECT_EQ(sys.fd->close(pipe.read_end), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_LT(sys.fd->fcntl(pipe.read_end, F_GETFD, 0), 0);
  pipe.read_end = -1;
  // A table without an interface stays without it.
  EXPECT_EQ(kernel::FaultCalls(kernel::SysCalls{}).table().poll, nullptr);
}

TEST(FaultTable, FAULT_001_port_get_and_port_send_fail_when_planned_and_pass_through_otherwise) {
  // [req:FAULT-001] [req:OS-312] [req:OS-313] The event-port calls no backend makes are in the
  // table too, so a caller of the emulated interface can plan their failures.
  os::Emulators emulators(kernel::native_syscalls());
  kernel::FaultCalls faults(emulators.table());
  const kernel::SysCalls sys = faults.table();
  const int port = sys.port->port_create();
  ASSERT_GE(port, 0);
  faults.plan({"port_send", 1, EAGAIN});
  errno = 0;
  EXPECT_EQ(sys.port->port_send(port, 5, nullptr), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(sys.port->port_send(port, 6, nullptr), 0);
  faults.plan({"port_get", 1, EINTR});
  kernel::port_event event{};
  const timespec zero{0, 0};
  EXPECT_EQ(sys.port->port_get(port, &event, &zero), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(sys.port->port_get(port, &event, &zero), 0);
  EXPECT_EQ(event.portev_events, 6);  // only the send that passed through queued an event
  EXPECT_EQ(faults.count("port_get"), 2u);
  EXPECT_EQ(sys.fd->close(port), 0);
}

class Faults : public test::OnEveryBackend {
 protected:
  // An emulated backend's tables are the emulators' (spec/os.md, OS-003): the faults wrap those.
  os::Emulators emulators{kernel::native_syscalls()};
  kernel::FaultCalls faults{traits().emulated ? emulators.table() : kernel::native_syscalls()};
  kernel::SysCalls sys = faults.table();
  Loop faulty{LoopOptions{.clock = &clock, .backend = GetParam(), .sys = &sys}};
  // The call register_fd_try makes: the interest call, or the check the pollfd backends wait with.
  static std::string registration_call() {
    const BackendTraits& t = traits();
    return std::string(t.interest_call.empty() ? t.wait_call : t.interest_call);
  }
  // FD-012: a backend on which a close shows only when the kernel is first told of the fd removes
  // an unregistered fd's watch at the flush before the next wait, not in unregister_fd.
  static bool removal_is_deferred() { return traits().closed_fd == BackendTraits::ClosedFd::when_added; }
  // A loop with nothing registered returns empty without a wait, and so without the flush that
  // comes before it: a timer makes it poll.
  void flush_with_a_timer() {
    TimerProbe timer([] {});
    timer.timer.expires = at(100);
    faulty.register_timer(timer.timer);
    faulty.run_once(RunMode::nowait);
    faulty.unregister_timer(timer.timer);
  }
};
REFLOOP_ON_EVERY_BACKEND(Faults);

TEST_P(Faults, FAULT_002_an_interrupted_wait_ends_the_round_with_nothing_reported) {
  // [req:FAULT-002] [req:BACKEND-004] The ready fd waits for the next round; the clock does not
  // move (the wait did not find the timer's deadline), so no timer fires early.
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  faulty.register_fd(end.fd);
  TimerProbe timer(note("timer"));
  timer.timer.expires = at(100);
  faulty.register_timer(timer.timer);
  faults.plan({std::string(traits().wait_call), 1, EINTR});
  EXPECT_EQ(faulty.run_once(), Step::polled);
  EXPECT_TRUE(faults.fired());
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(clock.now(), tain_epoch);
  EXPECT_EQ(faulty.run_once(), Step::polled);
  EXPECT_EQ(log, std::vector<std::string>{"in"});
  faulty.unregister_fd(end.fd);
  faulty.unregister_timer(timer.timer);
}

TEST_P(Faults, FAULT_003_a_refused_register_fd_try_leaves_nothing_behind) {
  // [req:FAULT-003] [req:BACKEND-008]
  FdPair pipe = FdPair::pipe();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  faults.plan({registration_call(), 1, ENOMEM});
  EXPECT_EQ(faulty.register_fd_try(end.fd), ENOMEM);
  EXPECT_TRUE(faults.fired());
  EXPECT_FALSE(Loop::registered(end.fd));
  EXPECT_EQ(faulty.registered_count(), 0u);
  // Nothing watched either: with data on the refused fd, the idle wait for a timer lasts.
  pipe.put();
  TimerProbe timer(note("timer"));
  timer.timer.expires = at(100);
  faulty.register_timer(timer.timer);
  EXPECT_EQ(faulty.run_once(), Step::polled);
  EXPECT_EQ(clock.now(), at(100));
  faulty.run_once(RunMode::nowait);
  EXPECT_EQ(log, std::vector<std::string>{"timer"});
  log.clear();
  EXPECT_EQ(faulty.register_fd_try(end.fd), 0);  // the failure was transient
  EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, std::vector<std::string>{"in"});
  faulty.unregister_fd(end.fd);
}

TEST_P(Faults, FAULT_008_a_failing_fcntl_refuses_register_fd_try_and_leaves_nothing_behind) {
  // [req:FAULT-008] [req:FAULT-003] [req:FD-009] Each of the four flag calls in turn (a fresh pipe
  // has neither flag, so all four are made): the errno comes back, the kernel check made before
  // them is undone, and nothing is watched; a later attempt succeeds and sets both flags.
  for (unsigned nth = 1; nth <= 4; ++nth) {
    SCOPED_TRACE("fcntl call " + std::to_string(nth));
    FdPair pipe = FdPair::pipe();
    FdProbe end(pipe.read_end);
    end.want_in(note("in"));
    faults.plan({"fcntl", nth, EBADF});
    EXPECT_EQ(faulty.register_fd_try(end.fd), EBADF);
    EXPECT_TRUE(faults.fired());
    EXPECT_FALSE(Loop::registered(end.fd));
    EXPECT_EQ(faulty.registered_count(), 0u);
    pipe.put();
    TimerProbe timer(note("timer"));
    timer.timer.expires = clock.now() + tain::normalised(1, 0);
    faulty.register_timer(timer.timer);
    EXPECT_EQ(faulty.run_once(), Step::polled);  // an idle wait: the refused fd is not watched
    EXPECT_EQ(clock.now(), timer.timer.expires);
    faulty.run_once(RunMode::nowait);
    EXPECT_EQ(std::exchange(log, {}), std::vector<std::string>{"timer"});
    EXPECT_EQ(faulty.register_fd_try(end.fd), 0);
    EXPECT_NE(fcntl(pipe.read_end, F_GETFL) & O_NONBLOCK, 0);
    EXPECT_NE(fcntl(pipe.read_end, F_GETFD) & FD_CLOEXEC, 0);
    EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
    EXPECT_EQ(std::exchange(log, {}), std::vector<std::string>{"in"});
    faulty.unregister_fd(end.fd);
  }
}

TEST_P(Faults, FAULT_008_register_fd_does_not_report_a_failing_fcntl) {
  // [req:FAULT-008] [req:FD-002] The fd is registered as it is (the flags stop at the failing
  // call) and watched: nothing fatal, its readiness reported.
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  faults.plan({"fcntl", 1, EBADF});
  faulty.register_fd(end.fd);
  EXPECT_TRUE(faults.fired());
  EXPECT_TRUE(Loop::registered(end.fd));
  EXPECT_EQ(fcntl(pipe.read_end, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(faulty.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, std::vector<std::string>{"in"});
  faulty.unregister_fd(end.fd);
}

TEST_P(Faults, FAULT_004_any_other_failure_is_fatal_naming_the_call_and_the_errno) {
  // [req:FAULT-004] [req:FATAL-004] The interest call at the flush, or the wait itself.
  const std::string message = test::fatal_message_of([&] {
    FdPair pipe = FdPair::pipe();
    FdProbe end(pipe.read_end);
    end.want_in([] {});
    faulty.register_fd(end.fd);
    faults.plan({registration_call(), 1, ENOMEM});
    faulty.run_once(RunMode::nowait);
  });
  EXPECT_EQ(message.rfind(GetParam() + " backend: ", 0), 0u) << message;
  EXPECT_NE(message.find(registration_call()), std::string::npos) << message;
  EXPECT_NE(message.find("error 12[Cannot allocate memory]"), std::string::npos) << message;
}

TEST_P(Faults, FAULT_006_a_failed_removal_after_the_trial_registration_leaves_no_watch) {
  // [req:FAULT-006] [req:BACKEND-008] An fd without handlers, readable and writable at once (so
  // whichever bands the trial asks for, kqueue's read knote included, fire): were the kernel left
  // watching it, the idle wait for the timer would end at once with the clock unmoved. The
  // removal is the backend's trial_removal_call: the second interest call when it is the interest
  // call itself (epoll_ctl, kevent), else the first of its own (port_dissociate). A backend whose
  // check registers nothing, or registers and removes in one call, has none to fail.
  const std::string removal(traits().trial_removal_call);
  if (removal.empty()) GTEST_SKIP() << GetParam() << ": the trial registration has no removal call of its own";
  FdPair sockets = FdPair::sockets();
  sockets.put();
  FdProbe quiet(sockets.read_end);
  TimerProbe timer(note("timer"));
  timer.timer.expires = at(100);
  faulty.register_timer(timer.timer);
  faults.plan({removal, removal == registration_call() ? 2u : 1u, ENOMEM});
  EXPECT_EQ(faulty.register_fd_try(quiet.fd), 0);
  EXPECT_TRUE(faults.fired());
  faults.plan({});  // nothing else fails
  EXPECT_EQ(faulty.run_once(), Step::polled);
  EXPECT_EQ(clock.now(), at(100));
  faulty.run_once(RunMode::nowait);  // the timer's turn: step 1 of the next iteration
  EXPECT_EQ(log, std::vector<std::string>{"timer"});
  faulty.unregister_fd(quiet.fd);
}

TEST_P(Faults, OS_355_a_trial_left_by_a_failed_removal_reports_no_stale_event) {
  // [req:OS-355] [req:FAULT-006] [req:FD-007] The trial of a readable pipe end fires (an event port
  // queues its event at once); its removal fails; the handlers then set ask for exactly the
  // trial's bands, in and out; the pipe is drained. Nothing is ready at the poll, so the idle wait
  // runs to the timer and no handler is called (a pipe's read end is never writable).
  const std::string removal(traits().trial_removal_call);
  if (removal.empty()) GTEST_SKIP() << GetParam() << ": the trial registration has no removal call of its own";
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.in = note("in");
  end.out = note("out");
  TimerProbe timer(note("timer"));
  timer.timer.expires = at(100);
  faulty.register_timer(timer.timer);
  faults.plan({removal, removal == registration_call() ? 2u : 1u, ENOMEM});
  EXPECT_EQ(faulty.register_fd_try(end.fd), 0);
  EXPECT_TRUE(faults.fired());
  faults.plan({});  // nothing else fails
  faulty.set_handler_in(end.fd, FdProbe::on_in);
  faulty.set_handler_out(end.fd, FdProbe::on_out);
  pipe.drain();
  EXPECT_EQ(faulty.run_once(), Step::polled);
  EXPECT_EQ(clock.now(), at(100));
  EXPECT_TRUE(log.empty());
  faulty.unregister_fd(end.fd);
}

TEST_P(Faults, FAULT_006_a_trial_removal_that_fails_again_at_unregister_is_fatal) {
  // [req:FAULT-006] [req:FD-010] The watch left by the failed removal is removed by unregister_fd
  // at once, when it comes before the next wait; a second failure there is the closed-fd path.
  // A backend that defers the removal to the flush (FD-012: a close shows when the kernel is
  // first told of the fd) meets the second failure there; EBADF is then a close it gives up on
  // (FD-014), so the failure planned is ENOMEM.
  const std::string removal(traits().trial_removal_call);
  if (removal.empty()) GTEST_SKIP() << GetParam() << ": the trial registration has no removal call of its own";
  const bool deferred = removal_is_deferred();
  const std::string message = test::fatal_message_of([&] {
    FdPair pipe = FdPair::pipe();
    FdProbe quiet(pipe.write_end);
    faults.plan({removal, removal == registration_call() ? 2u : 1u, ENOMEM});
    faulty.register_fd_try(quiet.fd);
    faults.plan({removal, 1, deferred ? ENOMEM : EBADF});
    faulty.unregister_fd(quiet.fd);
    if (deferred) flush_with_a_timer();  // the flush removes the stale watch
  });
  EXPECT_EQ(message.rfind(GetParam() + " backend: ", 0), 0u) << message;
  if (deferred)
    EXPECT_NE(message.find("error 12[Cannot allocate memory]"), std::string::npos) << message;
  else
    EXPECT_NE(message.find("was closed while registered"), std::string::npos) << message;
}

TEST_P(Faults, FAULT_004_a_failed_wait_is_fatal_naming_the_backend_and_the_errno) {
  // [req:FAULT-004] [req:FATAL-004] Not EINTR (FAULT-002) nor an errno that says the call is
  // missing (BACKEND-012): ENOMEM, which every wait call may report.
  const std::string message = test::fatal_message_of([&] {
    FdPair pipe = FdPair::pipe();
    FdProbe end(pipe.read_end);
    end.want_in([] {});
    faulty.register_fd(end.fd);
    faults.plan({std::string(traits().wait_call), 1, ENOMEM});
    faulty.run_once(RunMode::nowait);
  });
  EXPECT_EQ(message.rfind(GetParam() + " backend: ", 0), 0u) << message;
  EXPECT_NE(message.find("error 12[Cannot allocate memory]"), std::string::npos) << message;
}

TEST_P(Faults, FD_010_a_failed_removal_at_unregister_is_fatal_naming_the_call) {
  // [req:FD-010] [req:FD-004] [req:FAULT-004] [req:FD-012] unregister_fd removes the watch at once
  // (or, where the removal is deferred, the flush before the next wait does); the call
  // that removes it is the trial removal's, or the interest call itself (/dev/poll's POLLREMOVE
  // write). A backend that keeps interest in user space makes no call to fail.
  const BackendTraits& t = traits();
  const std::string removal(t.trial_removal_call.empty() ? t.interest_call : t.trial_removal_call);
  if (removal.empty()) GTEST_SKIP() << GetParam() << " keeps its interest set in user space";
  const std::string message = test::fatal_message_of([&] {
    FdPair pipe = FdPair::pipe();
    FdProbe end(pipe.read_end);
    end.want_in([] {});
    faulty.register_fd(end.fd);
    faulty.run_once(RunMode::nowait);  // the kernel watches it now
    faults.plan({removal, 1, ENOMEM});
    faulty.unregister_fd(end.fd);
    if (removal_is_deferred()) flush_with_a_timer();  // FD-012: removed at the flush
  });
  EXPECT_EQ(message.rfind(GetParam() + " backend: ", 0), 0u) << message;
  EXPECT_NE(message.find(removal), std::string::npos) << message;
  EXPECT_NE(message.find("error 12[Cannot allocate memory]"), std::string::npos) << message;
}

TEST_P(Faults, FAULT_004_a_failure_to_set_the_kernel_timer_is_fatal) {
  // [req:FAULT-004] [req:BACKEND-013] Only backends whose deadlines a kernel timer carries set
  // one; a real clock, so that the timer is set.
  if (traits().timer_call.empty()) GTEST_SKIP() << GetParam() << " sets no kernel timer";
  const std::string message = test::fatal_message_of([&] {
    Stopwatch real;
    Loop timed({.clock = &real, .backend = GetParam(), .sys = &sys});
    TimerProbe timer;
    timer.timer.expires = add_milliseconds(timed.now(), 60'000);
    timed.register_timer(timer.timer);
    faults.plan({std::string(traits().timer_call), 1, EINVAL});
    timed.run_once();
  });
  EXPECT_EQ(message, GetParam() + " backend: " + std::string(traits().timer_call) +
                         " failed: error 22[Invalid argument]");
}

TEST_P(Faults, FAULT_005_a_kernel_object_that_cannot_be_made_leaves_the_backend_unavailable) {
  // [req:FAULT-005] [req:FATAL-005] Only backends that create one (epoll_create1, kqueue; the
  // timerfd, and its epoll_ctl into the epoll set) can fail here.
  for (const char* call : {"epoll_create1", "timerfd_create", "epoll_ctl", "kqueue"}) {
    SCOPED_TRACE(call);
    kernel::FaultCalls creation(traits().emulated ? emulators.table() : kernel::native_syscalls());
    const kernel::SysCalls table = creation.table();
    creation.plan({call, 1, EMFILE});
    const auto backend = detail::make_backend(GetParam(), table);
    EXPECT_EQ(backend == nullptr, creation.fired());
  }
}

}  // namespace
}  // namespace refloop
