// SPDX-License-Identifier: ISC
// Unit tests for tasks (spec/loop.md, TASK) on every compiled backend.
#include "loop_test_support.hpp"

namespace refloop {
namespace {

using test::TaskProbe;
using test::TimerProbe;

class Tasks : public test::OnEveryBackend {};
REFLOOP_ON_EVERY_BACKEND(Tasks);

TEST_P(Tasks, TASK_001_cookie_and_handler_may_change_while_registered) {
  // [req:TASK-001]
  TaskProbe task(note("old"));
  test::Callback replacement{note("new")};
  loop.register_task(task.task);
  task.task.cookie = &replacement;
  loop.run();
  EXPECT_EQ(log, std::vector<std::string>{"new"});
}

TEST_P(Tasks, TASK_002_tasks_run_fifo_unregistered_before_their_handler) {
  // [req:TASK-002]
  TaskProbe a, b, c;
  a.callback.body = [&] { log.push_back("a"); EXPECT_FALSE(Loop::registered(a.task)); };
  b.callback.body = note("b");
  c.callback.body = note("c");
  loop.register_task(c.task);
  loop.register_task(a.task);
  loop.register_task(b.task);
  EXPECT_EQ(loop.registered_count(), 3u);
  EXPECT_EQ(loop.run_once(), Step::empty);
  EXPECT_EQ(log, (std::vector<std::string>{"c", "a", "b"}));
}

TEST_P(Tasks, TASK_003_unregistering_a_pending_task_cancels_it) {
  // [req:TASK-003]
  TaskProbe a(note("a")), b(note("b")), c(note("c"));
  loop.register_task(a.task);
  loop.register_task(b.task);
  loop.register_task(c.task);
  loop.unregister_task(b.task);
  EXPECT_FALSE(Loop::registered(b.task));
  a.callback.body = [&] { log.push_back("a"); loop.unregister_task(c.task); };
  loop.run();
  EXPECT_EQ(log, std::vector<std::string>{"a"});
}

TEST_P(Tasks, TASK_004_the_epoch_rule_matches_ivykis_worked_example) {
  // [req:TASK-004] [req:TASK-005] Tasks 0..4 registered, 3 unregistered, one timer expired. Task
  // 1 registers 5 (initialised earlier), stamps and registers 6, and re-registers itself.
  // ivykis 0.42.4 runs: timer, 0, 1, 2, 4, 5, then (next pass) 6, 1.
  std::vector<std::unique_ptr<TaskProbe>> tasks;
  for (int i = 0; i <= 6; ++i) tasks.push_back(std::make_unique<TaskProbe>(note(std::to_string(i))));
  TimerProbe timer(note("timer"));
  timer.timer.expires = tain_zero;
  loop.register_timer(timer.timer);
  for (int i = 0; i <= 4; ++i) loop.register_task(tasks[static_cast<std::size_t>(i)]->task);
  loop.unregister_task(tasks[3]->task);
  tasks[1]->callback.body = [&] {
    log.push_back("1");
    if (log.size() > 3) return;  // the second run (next pass) does nothing
    loop.register_task(tasks[5]->task);
    loop.stamp_task(tasks[6]->task);
    loop.register_task(tasks[6]->task);
    loop.register_task(tasks[1]->task);
  };
  EXPECT_EQ(loop.run_once(), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"timer", "0", "1", "2", "4", "5"}));
  EXPECT_EQ(loop.registered_count(), 2u);
  EXPECT_EQ(loop.run_once(), Step::empty);
  EXPECT_EQ(log, (std::vector<std::string>{"timer", "0", "1", "2", "4", "5", "6", "1"}));
}

TEST_P(Tasks, TASK_004_a_self_registering_task_runs_once_per_iteration) {
  // [req:TASK-004]
  TaskProbe task;
  int runs = 0;
  task.callback.body = [&] { ++runs; loop.register_task(task.task); };
  loop.register_task(task.task);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(loop.run_once(), Step::polled);
  EXPECT_EQ(runs, 3);
  loop.unregister_task(task.task);
}

TEST_P(Tasks, TASK_005_a_default_task_registered_from_a_task_joins_the_pass) {
  // [req:TASK-005]
  TaskProbe first, fresh(note("fresh")), stamped(note("stamped"));
  loop.stamp_task(stamped.task);  // stamped before the pass: it has not run in the next one
  first.callback.body = [&] {
    log.push_back("first");
    loop.register_task(fresh.task);
    loop.register_task(stamped.task);
  };
  loop.register_task(first.task);
  EXPECT_EQ(loop.run_once(), Step::empty);
  EXPECT_EQ(log, (std::vector<std::string>{"first", "fresh", "stamped"}));
}

}  // namespace
}  // namespace refloop
