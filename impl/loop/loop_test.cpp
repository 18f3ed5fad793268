// SPDX-License-Identifier: ISC
// Unit tests for the iteration and the cached time (spec/loop.md, LOOP and TIME), each run on
// every compiled backend with a simulated clock.
#include <filesystem>
#include <fstream>

#include "loop_test_support.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;
using test::TaskProbe;
using test::TimerProbe;

class Iteration : public test::OnEveryBackend {};
REFLOOP_ON_EVERY_BACKEND(Iteration);

TEST_P(Iteration, LOOP_001_one_iteration_runs_timers_then_tasks_then_polls_then_dispatches) {
  // [req:LOOP-001]
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end);
  reader.want_in(note("fd"));
  TaskProbe task(note("task"));
  TimerProbe timer(note("timer"));
  TaskProbe task_from_timer(note("task from timer"));
  timer.callback.body = [&] {
    log.push_back("timer");
    loop.register_task(task_from_timer.task);
  };
  timer.timer.expires = tain_epoch;
  loop.register_fd(reader.fd);
  loop.register_task(task.task);
  loop.register_timer(timer.timer);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"timer", "task", "task from timer", "fd"}));
  loop.unregister_fd(reader.fd);
  EXPECT_EQ(loop.run_once(), Step::empty);
}

TEST_P(Iteration, LOOP_002_run_returns_when_nothing_is_registered) {
  // [req:LOOP-002]
  loop.run();  // returns at once: nothing registered
  TimerProbe first(note("first"));
  TimerProbe second(note("second"));
  first.timer.expires = at(10);
  second.timer.expires = at(20);
  loop.register_timer(first.timer);
  loop.register_timer(second.timer);
  loop.run();
  EXPECT_EQ(log, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(clock.now(), at(20));
}

TEST_P(Iteration, LOOP_003_quit_before_run_has_no_effect_but_stops_run_once) {
  // [req:LOOP-003]
  TimerProbe timer(note("timer"));
  timer.timer.expires = at(5);
  loop.register_timer(timer.timer);
  loop.quit();
  loop.run();  // the flag is cleared on entry, so run() goes on until the timer is done
  EXPECT_EQ(log, std::vector<std::string>{"timer"});

  TaskProbe task(note("task"));
  loop.register_task(task.task);
  loop.quit();
  EXPECT_EQ(loop.run_once(), Step::quit);  // the task ran (step 2), then the check stopped
  EXPECT_EQ(log.back(), "task");
  FdPair pipe = FdPair::pipe();
  FdProbe idle(pipe.read_end);
  loop.register_fd(idle.fd);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);  // the flag was consumed
  loop.unregister_fd(idle.fd);
}

TEST_P(Iteration, LOOP_004_quit_finishes_the_round_then_runs_timers_and_tasks_once_more) {
  // [req:LOOP-004]
  FdPair a = FdPair::pipe();
  FdPair b = FdPair::pipe();
  a.put();
  b.put();
  FdProbe first(a.read_end);
  FdProbe second(b.read_end);
  TaskProbe task(note("task"));
  TimerProbe timer(note("timer"));
  timer.timer.expires = tain_epoch;
  auto quitting = [&](const char* name) {
    return [&, name] {
      log.push_back(name);
      if (log.size() == 1) {
        loop.quit();
        loop.register_task(task.task);
        loop.register_timer(timer.timer);
      }
    };
  };
  first.want_in(quitting("fd"));
  second.want_in(quitting("fd"));
  loop.register_fd(first.fd);
  loop.register_fd(second.fd);
  loop.run();
  // Both fds were dispatched (order unspecified), then the timer and the task, then the stop.
  EXPECT_EQ(log, (std::vector<std::string>{"fd", "fd", "timer", "task"}));
  loop.unregister_fd(first.fd);
  loop.unregister_fd(second.fd);
}

TEST_P(Iteration, LOOP_005_poll_deadline_is_zero_with_tasks_else_the_earliest_timer) {
  // [req:LOOP-005]
  TimerProbe late(note("late"));
  TimerProbe early(note("early"));
  late.timer.expires = at(300);
  early.timer.expires = at(100);
  loop.register_timer(late.timer);
  loop.register_timer(early.timer);
  TaskProbe task;
  task.callback.body = [&] {
    log.push_back(log.empty() ? "task" : "again");
    if (log.size() == 1) loop.register_task(task.task);  // ran in this pass: waits for the next
  };
  loop.register_task(task.task);
  EXPECT_EQ(loop.run_once(), Step::polled);  // a task is pending: the poll does not wait
  EXPECT_EQ(clock.now(), tain_epoch);
  EXPECT_EQ(loop.run_once(), Step::polled);  // runs it again; nothing pending: waits to 100 ms
  EXPECT_EQ(clock.now(), at(100));
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);  // fires "early", does not wait
  EXPECT_EQ(clock.now(), at(100));
  EXPECT_EQ(log, (std::vector<std::string>{"task", "again", "early"}));
  loop.unregister_timer(late.timer);
}

TEST_P(Iteration, LOOP_006_every_registered_object_counts_and_an_fd_without_handlers_keeps_run_alive) {
  // [req:LOOP-006]
  FdPair pipe = FdPair::pipe();
  FdProbe silent(pipe.read_end);
  TimerProbe stopper;
  TaskProbe task;
  loop.register_fd(silent.fd);
  EXPECT_EQ(loop.registered_count(), 1u);
  loop.register_task(task.task);
  EXPECT_EQ(loop.registered_count(), 2u);
  stopper.callback.body = [&] { loop.quit(); };
  stopper.timer.expires = at(1000);
  loop.register_timer(stopper.timer);
  EXPECT_EQ(loop.registered_count(), 3u);
  loop.run();  // only the timer's quit() ends it: the fd keeps the loop alive
  EXPECT_EQ(clock.now(), at(1000));
  EXPECT_EQ(loop.registered_count(), 1u);
  loop.unregister_fd(silent.fd);
  EXPECT_EQ(loop.registered_count(), 0u);
}

TEST_P(Iteration, LOOP_007_objects_stay_registered_across_run_returns) {
  // [req:LOOP-007]
  TimerProbe stop_first;
  TimerProbe later(note("later"));
  stop_first.callback.body = [&] { loop.quit(); };
  stop_first.timer.expires = at(1);
  later.timer.expires = at(2);
  loop.register_timer(stop_first.timer);
  loop.register_timer(later.timer);
  loop.run();
  EXPECT_TRUE(Loop::registered(later.timer));
  EXPECT_TRUE(log.empty());
  loop.run();
  EXPECT_EQ(log, std::vector<std::string>{"later"});
}

TEST_P(Iteration, LOOP_009_destroying_a_loop_forgets_objects_without_touching_them) {
  // [req:LOOP-009]
  SimulatedClock other_clock;
  TimerProbe timer;
  TaskProbe task;
  {
    Loop doomed({.clock = &other_clock, .backend = GetParam()});
    doomed.register_timer(timer.timer);
    doomed.register_task(task.task);
  }
  EXPECT_TRUE(Loop::registered(timer.timer));
  EXPECT_TRUE(Loop::registered(task.task));
}

TEST_P(Iteration, LOOP_010_null_handlers_do_nothing) {
  // [req:LOOP-010]
  Timer timer;
  Task task;
  timer.expires = tain_epoch;
  loop.register_timer(timer);
  loop.register_task(task);
  EXPECT_EQ(loop.run_once(), Step::empty);
  EXPECT_FALSE(Loop::registered(timer));
  EXPECT_FALSE(Loop::registered(task));
}

class Time : public test::OnEveryBackend {};
REFLOOP_ON_EVERY_BACKEND(Time);

TEST_P(Time, TIME_001_now_is_cached_and_read_from_the_injected_clock) {
  // [req:TIME-001]
  EXPECT_FALSE(loop.now_valid());
  EXPECT_EQ(loop.now(), tain_epoch);
  EXPECT_TRUE(loop.now_valid());
  clock.advance(tain::seconds(5));
  EXPECT_EQ(loop.now(), tain_epoch);  // still the cached value
  EXPECT_EQ(&loop.clock(), &clock);
  Loop own({.backend = GetParam()});  // default clock: a Stopwatch the loop owns
  EXPECT_NE(&own.clock(), &clock);
  const tain cached = own.now();
  EXPECT_LE(cached, own.clock().now());
}

TEST_P(Time, TIME_002_now_changes_in_a_callback_only_after_invalidate) {
  // [req:TIME-002]
  TaskProbe task;
  tain before, unchanged, refreshed;
  task.callback.body = [&] {
    before = loop.now();
    clock.advance(tain::seconds(1));
    unchanged = loop.now();
    loop.invalidate_now();
    EXPECT_FALSE(loop.now_valid());
    refreshed = loop.now();
  };
  loop.register_task(task.task);
  loop.run_once();
  EXPECT_EQ(before, unchanged);
  EXPECT_EQ(refreshed, before + tain::seconds(1));
}

TEST_P(Time, TIME_003_the_cache_is_invalid_after_every_poll) {
  // [req:TIME-003]
  FdPair pipe = FdPair::pipe();
  FdProbe reader(pipe.read_end);
  bool valid_in_handler = true;
  pipe.put();
  reader.want_in([&] { valid_in_handler = loop.now_valid(); pipe.drain(); });
  loop.register_fd(reader.fd);
  loop.now();
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_FALSE(valid_in_handler);
  EXPECT_FALSE(loop.now_valid());
  loop.unregister_fd(reader.fd);
}

TEST_P(Time, TIME_004_timers_never_fire_before_their_expiry) {
  // [req:TIME-004]
  TimerProbe timer;
  tain seen;
  timer.callback.body = [&] { seen = loop.now(); };
  timer.timer.expires = add_milliseconds(tain_epoch, 250) + tain::normalised(0, 1);
  loop.register_timer(timer.timer);
  clock.advance(tain::normalised(0, 250'000'000));  // 1 ns short
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_TRUE(Loop::registered(timer.timer));
  loop.run();
  EXPECT_EQ(seen, timer.timer.expires);
}

TEST_P(Time, TIME_004_real_clock_timers_fire_late_never_early) {
  // [req:TIME-004] Real clock; tolerance: late side only (any lateness passes).
  Loop real({.backend = GetParam()});
  TimerProbe timer;
  tain seen;
  timer.callback.body = [&] { real.invalidate_now(); seen = real.now(); };
  timer.timer.expires = add_milliseconds(real.now(), 20) + tain::normalised(0, 123'457);
  real.register_timer(timer.timer);
  real.run();
  EXPECT_GE(seen, timer.timer.expires);
}

TEST_P(Time, TIME_005_simulated_idle_waits_jump_to_the_deadline_or_throw) {
  // [req:TIME-005]
  TimerProbe timer;
  timer.timer.expires = at(1234);
  loop.register_timer(timer.timer);
  loop.run_once();
  EXPECT_EQ(clock.now(), at(1234));
  FdPair pipe = FdPair::pipe();
  FdProbe reader(pipe.read_end);
  reader.want_in([] {});
  loop.register_fd(reader.fd);
  loop.run_once(RunMode::nowait);  // fires the timer
  EXPECT_FALSE(Loop::registered(timer.timer));
  EXPECT_THROW(loop.run_once(), SimulatedDeadlock);
  loop.unregister_fd(reader.fd);
}

TEST(TimeSources, TIME_001_loop_and_backends_read_no_system_clock) {
  // [req:TIME-001] [req:CLOCK-007] A scan of impl/loop and impl/backend sources.
  const char* const clock_reads[] = {"clock_gettime", "gettimeofday", "std::chrono", "time(nullptr)",
                                     "time(NULL)", "read_monotonic", "read_realtime"};
  int scanned = 0;
  for (const char* area : {"impl/loop", "impl/backend"}) {
    for (const auto& entry : std::filesystem::directory_iterator(std::string(REFLOOP_SOURCE_DIR) + "/" + area)) {
      const auto name = entry.path().filename().string();
      if (name.find("_test") != std::string::npos) continue;
      std::ifstream in(entry.path());
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (const char* call : clock_reads)
        EXPECT_EQ(text.find(call), std::string::npos) << entry.path() << " mentions " << call;
      ++scanned;
    }
  }
  EXPECT_GT(scanned, 8);
}

}  // namespace
}  // namespace refloop
