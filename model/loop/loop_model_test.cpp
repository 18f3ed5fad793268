// SPDX-License-Identifier: ISC
// Unit tests of the loop model as an acceptor (spec/model.md MODEL-005..008): hand-written
// traces, among them the orders measured on Debian's libivykis 0.42.4 (spec/loop.md), each accepted or rejected for
// the right reason: a callback out of order, one that should have been suppressed, one missing.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "loop/loop_model.hpp"
#include "loop/ops_text.hpp"

namespace refloop::model::loop {
namespace {

// "c0a.in", "t1", "k2", each optionally followed by "/s<script>" (default s0).
Event event(std::string text) {
  int script = 0;
  if (const auto slash = text.find('/'); slash != std::string::npos) {
    script = text[slash + 2] - '0';
    text = text.substr(0, slash);
  }
  const auto dot = text.find('.');
  const auto parsed = parse_ops("unreg " + text.substr(0, dot));
  EXPECT_TRUE(parsed.has_value()) << text;
  Band band = Band::in;
  if (dot != std::string::npos) band = text.substr(dot + 1) == "err" ? Band::err : text.substr(dot + 1) == "out" ? Band::out : Band::in;
  return Event{parsed->front().target, band, script};
}

struct Trace {
  LoopModel model{tain_epoch};

  void ops(const char* text) {
    const auto parsed = parse_ops(text);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    for (const auto& op : *parsed) model.apply(op);
  }
  // One iteration with the callbacks observed in this order; `clock_ns` is the simulated clock
  // after it, in ns since the start (-1: unchanged).
  Verdict run(std::initializer_list<const char*> events, Outcome outcome = Outcome::polled, long long clock_ns = -1) {
    const tain after = clock_ns < 0 ? model.clock() : tain_epoch + tain::normalised(0, static_cast<std::uint64_t>(clock_ns));
    model.begin_run(false);
    for (const char* e : events)
      if (auto v = model.on_callback(event(e))) return v;
    return model.end_run(outcome, after);
  }
};

void expect_rejected(const Verdict& v, const char* id) {
  ASSERT_TRUE(v.has_value()) << "accepted, expected a rejection citing " << id;
  EXPECT_NE(v->find(id), std::string::npos) << *v;
}

// The task epoch, as libivykis 0.42.4 runs it (TASK- requirements in spec/loop.md): tasks 0..4, 3 unregistered, a timer due; task 1 registers task 5
// (stamped earlier), stamps and registers 6, registers itself: t0 0 1 2 4 5, then 6 1.
const char* const epoch_example =
    "script s1: reg k5, stamp k6, reg k6, reg k1\n"
    "stamp k5\nreg t0 -1\nreg k0\nreg k1\nreg k2\nreg k3\nreg k4\nunreg k3\nset k1 s1\n";

// [req:TASK-004] [req:TASK-005] [req:MODEL-006]
TEST(LoopModel, TASK_004_ivykis_epoch_example_is_accepted) {
  Trace t;
  t.ops(epoch_example);
  EXPECT_EQ(t.run({"t0", "k0", "k1/s1", "k2", "k4", "k5"}), std::nullopt);
  t.ops("set k1 s0");
  EXPECT_EQ(t.run({"k6", "k1"}, Outcome::empty), std::nullopt);
}

// [req:TASK-002] [req:TASK-004] [req:MODEL-006]
TEST(LoopModel, TASK_004_other_orders_are_rejected) {
  for (auto events : {std::initializer_list<const char*>{"t0", "k0", "k2"},
                      std::initializer_list<const char*>{"t0", "k0", "k1/s1", "k2", "k4", "k5", "k6"},
                      std::initializer_list<const char*>{"t0", "k0", "k1/s1", "k2", "k3"}}) {
    Trace t;
    t.ops(epoch_example);
    expect_rejected(t.run(events), "TASK-002");
  }
  Trace timer_late;
  timer_late.ops(epoch_example);
  // The timer was registered from outside, so step 1 may not be skipped: k0 first is rejected
  // at once (TIMER-002), not only when t0 comes after it.
  expect_rejected(timer_late.run({"k0", "t0"}), "TIMER-002");
  Trace missing;
  missing.ops(epoch_example);
  expect_rejected(missing.run({"t0", "k0", "k1/s1", "k2", "k4"}), "TASK-002");
}

// [req:TIMER-006] [req:MODEL-005] equal expiries in any order (Debian 0.42.4 fires 1..5 as 1 5 4 3 2).
TEST(LoopModel, TIMER_006_equal_expiries_in_any_order) {
  for (auto order : {std::initializer_list<const char*>{"t0", "t4", "t3", "t2", "t1"},
                     std::initializer_list<const char*>{"t0", "t1", "t2", "t3", "t4"}}) {
    Trace t;
    t.ops("reg t0 +0\nreg t1 +0\nreg t2 +0\nreg t3 +0\nreg t4 +0\n");
    EXPECT_EQ(t.run(order, Outcome::empty), std::nullopt);
  }
  Trace t;
  t.ops("reg t0 -2\nreg t1 -1\n");
  expect_rejected(t.run({"t1", "t0"}), "TIMER-006");
}

// [req:TIMER-002] [req:TIMER-004] [req:TIME-004]
TEST(LoopModel, TIMER_002_never_early_and_004_not_in_the_same_step) {
  Trace early;
  early.ops("reg t0 +5\nadvance 4\n");
  expect_rejected(early.run({"t0"}), "TIMER-002");
  Trace same_step;
  same_step.ops("script s1: reg t3 -5\nset t0 s1\nreg t0 +0\n");
  expect_rejected(same_step.run({"t0/s1", "t3"}), "TIMER-004");
  Trace next_step;
  next_step.ops("script s1: reg t3 -5\nset t0 s1\nreg t0 +0\n");
  EXPECT_EQ(next_step.run({"t0/s1"}), std::nullopt);
  EXPECT_EQ(next_step.run({"t3"}, Outcome::empty), std::nullopt);
}

// [req:TIMER-003] a collected timer unregistered by an earlier handler of the batch is cancelled.
TEST(LoopModel, TIMER_003_cancelled_in_the_batch) {
  Trace t;
  t.ops("script s1: unreg t1\nscript s2: unreg t0\nset t0 s1\nset t1 s2\nreg t0 +0\nreg t1 +0\n");
  EXPECT_EQ(t.run({"t1/s2"}, Outcome::empty), std::nullopt);
  Trace both;
  both.ops("script s1: unreg t1\nset t0 s1\nreg t0 +0\nreg t1 +0\n");
  expect_rejected(both.run({"t0/s1", "t1"}), "TIMER-003");
}

const char* const two_readable_pipes =
    "pipe\npipe\nwrite c0b 1\nwrite c1b 1\nset c0a.in s0\nset c1a.in s0\nreg c0a\nreg c1a\n";

// [req:FD-008] "unregistering another pending fd cancels its callback" (as libivykis 0.42.4 does)
TEST(LoopModel, FD_008_unregistering_another_pending_fd_cancels_it) {
  for (auto first : {"c0a.in/s1", "c1a.in/s2"}) {
    Trace t;
    t.ops(two_readable_pipes);
    t.ops("script s1: unreg c1a\nscript s2: unreg c0a\nset c0a.in s1\nset c1a.in s2\n");
    EXPECT_EQ(t.run({first}), std::nullopt) << first;
  }
  Trace t;
  t.ops(two_readable_pipes);
  t.ops("script s1: unreg c1a\nset c0a.in s1\n");
  expect_rejected(t.run({"c0a.in/s1", "c1a.in"}), "FD-008");
}

// [req:FD-006] [req:MODEL-006] [req:FD-011] level-triggered: a ready fd with a handler must be called, every iteration.
TEST(LoopModel, FD_006_a_missing_callback_is_rejected) {
  Trace t;
  t.ops(two_readable_pipes);
  EXPECT_EQ(t.run({"c1a.in", "c0a.in"}), std::nullopt);
  EXPECT_EQ(t.run({"c0a.in", "c1a.in"}), std::nullopt);
  expect_rejected(t.run({"c0a.in"}), "FD-006");
}

// [req:FD-007] handlers are read at call time: one set to none before its turn is suppressed.
TEST(LoopModel, FD_007_a_suppressed_callback_is_rejected) {
  const char* const setup = "script s1: set c1a.in -\nset c0a.in s1\n";
  Trace suppressed;
  suppressed.ops(two_readable_pipes);
  suppressed.ops(setup);
  EXPECT_EQ(suppressed.run({"c0a.in/s1"}), std::nullopt);
  Trace called;
  called.ops(two_readable_pipes);
  called.ops(setup);
  expect_rejected(called.run({"c0a.in/s1", "c1a.in"}), "FD-007");
  Trace other_first;
  other_first.ops(two_readable_pipes);
  other_first.ops(setup);
  EXPECT_EQ(other_first.run({"c1a.in", "c0a.in/s1"}), std::nullopt);
}

const char* const hung_up_socket = "socketpair\nset c0a.err s0\nset c0a.in s0\nset c0a.out s0\nreg c0a\nclose c0b\n";

// [req:FD-007] [req:BACKEND-003] a hangup reports err, in and out, called in that order.
TEST(LoopModel, FD_007_hangup_runs_err_in_out) {
  Trace t;
  t.ops(hung_up_socket);
  EXPECT_EQ(t.run({"c0a.err", "c0a.in", "c0a.out"}), std::nullopt);
  expect_rejected(t.run({"c0a.in", "c0a.err"}), "FD-0");
  Trace skipped;
  skipped.ops(hung_up_socket);
  expect_rejected(skipped.run({"c0a.err", "c0a.out"}), "FD-006");
}

// [req:FD-008] a handler that unregisters its own fd skips the fd's remaining handlers.
TEST(LoopModel, FD_008_self_unregistration_skips_the_rest) {
  Trace t;
  t.ops(hung_up_socket);
  t.ops("script s1: unreg c0a\nset c0a.err s1\n");
  EXPECT_EQ(t.run({"c0a.err/s1"}, Outcome::polled), std::nullopt);
  Trace more;
  more.ops(hung_up_socket);
  more.ops("script s1: unreg c0a\nset c0a.err s1\n");
  expect_rejected(more.run({"c0a.err/s1", "c0a.in"}), "FD-008");
}

// [req:LOOP-004] quit from a timer: the task it registers still runs, then step 3 stops.
TEST(LoopModel, LOOP_004_quit_lets_the_tasks_run_then_stops) {
  const char* const setup = "script s1: quit, reg k0\nset t0 s1\nreg t0 +0\nreg t1 +100\n";
  Trace t;
  t.ops(setup);
  EXPECT_EQ(t.run({"t0/s1", "k0"}, Outcome::quit), std::nullopt);
  Trace ignored;
  ignored.ops(setup);
  expect_rejected(ignored.run({"t0/s1", "k0"}, Outcome::polled, 100), "LOOP-001");
  Trace no_task;
  no_task.ops(setup);
  expect_rejected(no_task.run({"t0/s1"}, Outcome::quit), "TASK-002");
}

// [req:LOOP-002] [req:LOOP-006] nothing registered: step 3 stops; an fd with no handler counts.
TEST(LoopModel, LOOP_002_empty_loop_stops) {
  Trace t;
  EXPECT_EQ(t.run({}, Outcome::empty), std::nullopt);
  expect_rejected(t.run({}, Outcome::deadlock), "LOOP-001");
  t.ops("pipe\nreg c0a\n");
  EXPECT_EQ(t.model.registered_count(), 1u);
  expect_rejected(t.run({}, Outcome::empty), "LOOP-001");
}

// [req:TIME-005] [req:LOOP-005] an idle wait moves the clock to the deadline; with no deadline
// and nothing ready it is a SimulatedDeadlock.
TEST(LoopModel, TIME_005_idle_wait_and_deadlock) {
  Trace t;
  t.ops("reg t0 +5\n");
  expect_rejected(t.run({}, Outcome::polled, 4), "TIME-005");
  Trace u;
  u.ops("reg t0 +5\n");
  EXPECT_EQ(u.run({}, Outcome::polled, 5), std::nullopt);
  EXPECT_EQ(u.run({"t0"}, Outcome::empty, 5), std::nullopt);
  Trace fd;
  fd.ops("pipe\nset c0a.in s0\nreg c0a\n");
  expect_rejected(fd.run({}, Outcome::polled), "TIME-005");
  EXPECT_EQ(fd.run({}, Outcome::deadlock), std::nullopt);
}

// [req:TIME-001] [req:TIME-002] [req:TIME-003] registering reads the cached now; advancing the
// clock leaves it stale until a poll invalidates it.
TEST(LoopModel, TIME_001_stale_cache_until_the_poll) {
  Trace t;
  t.ops("reg t0 +10\nadvance 20\n");
  expect_rejected(t.run({"t0"}), "TIMER-002");
  Trace u;
  u.ops("reg t0 +10\nadvance 20\n");
  EXPECT_EQ(u.run({}, Outcome::polled, 30), std::nullopt);  // waited deadline - stamp = 10 ns
  EXPECT_EQ(u.run({"t0"}, Outcome::empty, 30), std::nullopt);
}

// [req:TIMER-007] [req:MODEL-005] an fd handler registers a due timer and a task: the timer may run before the
// task (refloop, ivykis epoll/poll) or one iteration later (ivykis epoll-timerfd), never after the
// task in the same iteration.
TEST(LoopModel, TIMER_007_timer_and_task_after_an_fd_handler) {
  const char* const setup = "pipe\nwrite c0b 1\nscript s1: read c0a 1, reg t0 -1, reg k0\nset c0a.in s1\nreg c0a\n";
  Trace timer_first;
  timer_first.ops(setup);
  EXPECT_EQ(timer_first.run({"c0a.in/s1"}), std::nullopt);
  EXPECT_EQ(timer_first.run({"t0", "k0"}, Outcome::deadlock), std::nullopt);
  Trace task_first;
  task_first.ops(setup);
  EXPECT_EQ(task_first.run({"c0a.in/s1"}), std::nullopt);
  EXPECT_EQ(task_first.run({"k0"}), std::nullopt);
  EXPECT_EQ(task_first.run({"t0"}, Outcome::deadlock), std::nullopt);
  Trace mixed;
  mixed.ops(setup);
  EXPECT_EQ(mixed.run({"c0a.in/s1"}), std::nullopt);
  expect_rejected(mixed.run({"k0", "t0"}), "LOOP-001");
}

// [req:MODEL-008] [req:TIMER-007] an implementation whose traits say its order does not vary (every
// refloop backend) gets no leniency: the timer runs in the next step 1, before the task.
TEST(LoopModel, MODEL_008_no_skipped_step_one_where_the_order_does_not_vary) {
  const char* const setup = "pipe\nwrite c0b 1\nscript s1: read c0a 1, reg t0 -1, reg k0\nset c0a.in s1\nreg c0a\n";
  Trace task_first;
  task_first.model = LoopModel{tain_epoch, {.timer_task_order_may_vary = false}};
  task_first.ops(setup);
  EXPECT_EQ(task_first.run({"c0a.in/s1"}), std::nullopt);
  expect_rejected(task_first.run({"k0"}), "TIMER-002");
  Trace timer_first;
  timer_first.model = LoopModel{tain_epoch, {.timer_task_order_may_vary = false}};
  timer_first.ops(setup);
  EXPECT_EQ(timer_first.run({"c0a.in/s1"}), std::nullopt);
  EXPECT_EQ(timer_first.run({"t0", "k0"}, Outcome::deadlock), std::nullopt);
}

// [req:TIMER-007] [req:MODEL-006] the leniency is only for a timer an fd handler made due: a due
// timer registered from outside, or by a task, must run in the next step 1.
TEST(LoopModel, TIMER_007_no_leniency_for_timers_registered_elsewhere) {
  Trace outside;
  outside.ops("reg t0 -1\n");
  expect_rejected(outside.run({}), "TIMER-002");
  Trace by_task;
  by_task.ops("script s1: reg t0 -1\nset k0 s1\nreg k0\nreg t1 +100\n");
  EXPECT_EQ(by_task.run({"k0/s1"}), std::nullopt);
  expect_rejected(by_task.run({}), "TIMER-002");
}

// [req:BACKEND-009] [req:MODEL-005] only handler_err and unread data: a backend may wake (poll family) or sleep
// (epoll); both are accepted.
TEST(LoopModel, BACKEND_009_err_only_fd_with_data) {
  const char* const setup = "pipe\nwrite c0b 3\nset c0a.err s0\nreg c0a\nreg t0 +100\n";
  Trace sleeps;
  sleeps.ops(setup);
  EXPECT_EQ(sleeps.run({}, Outcome::polled, 100), std::nullopt);
  Trace wakes;
  wakes.ops(setup);
  EXPECT_EQ(wakes.run({}, Outcome::polled), std::nullopt);
  expect_rejected(wakes.run({"c0a.err"}), "FD-007");
}

// [req:MODEL-002] `self` in a script is the caller: a timer re-registering itself runs again in
// the next iteration, an fd draining itself stops being ready; an action that does not apply to
// the caller's kind (read self in a timer) does nothing.
TEST(LoopModel, MODEL_002_self_is_the_caller) {
  Trace t;
  t.ops("script s1: reg self, read self 5\nset t0 s1\nreg t0 +0\n");
  EXPECT_EQ(t.run({"t0/s1"}), std::nullopt);  // t0 again at now + 0: due next iteration
  EXPECT_TRUE(t.model.registered(Ref{Kind::timer, 0}));
  expect_rejected(t.run({}), "TIMER-002");
  Trace fd;
  fd.ops("pipe\nwrite c0b 3\nscript s1: read self 3\nset c0a.in s1\nreg c0a\nreg t0 +10\n");
  EXPECT_EQ(fd.run({"c0a.in/s1"}), std::nullopt);
  EXPECT_EQ(fd.model.world().unread(0), 0u);
  EXPECT_EQ(fd.run({}, Outcome::polled, 10), std::nullopt);  // nothing ready: idle until t0
}

// [req:MODEL-003] readiness follows from unread bytes and closed ends; the cap keeps ends writable.
TEST(World, MODEL_003_readiness_from_the_world) {
  World w;
  w.create(false);  // c0: a pipe
  w.create(true);   // c1: a socket pair
  EXPECT_FALSE(w.conditions(0).readable);
  EXPECT_TRUE(w.conditions(1).writable);
  EXPECT_FALSE(w.conditions(0).writable);
  EXPECT_EQ(w.write(0, 5), 0u);  // a pipe's read end does not write
  EXPECT_EQ(w.write(1, 40), buffer_cap);
  EXPECT_TRUE(w.conditions(0).readable);
  EXPECT_EQ(w.read(0, 7), 7u);
  EXPECT_EQ(w.unread(0), buffer_cap - 7);
  w.close(1);
  EXPECT_TRUE(w.conditions(0).hangup);
  EXPECT_EQ(w.write(1, 1), 0u);
  EXPECT_EQ(w.write(2, 3), 3u);  // socket end a writes to end b
  EXPECT_TRUE(w.conditions(3).readable);
  EXPECT_FALSE(w.conditions(2).readable);
  w.close(3);
  EXPECT_TRUE(w.conditions(2).hangup);
  EXPECT_TRUE(w.conditions(2).readable);  // a socket reads end-of-file
  EXPECT_FALSE(w.open(3));
  w.create(false);
  w.create(false);
  w.create(false);
  EXPECT_EQ(w.channel_count(), max_channels);
}

}  // namespace
}  // namespace refloop::model::loop
