// SPDX-License-Identifier: ISC
// Unit tests for timers (spec/loop.md, TIMER) on every compiled backend, and white-box tests of
// the heap itself.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loop_test_support.hpp"
#include "timer_heap.hpp"

namespace refloop {
namespace {

using test::TaskProbe;
using test::TimerProbe;

class Timers : public test::OnEveryBackend {};
REFLOOP_ON_EVERY_BACKEND(Timers);

TEST_P(Timers, TIMER_001_cookie_and_handler_may_change_while_registered) {
  // [req:TIMER-001]
  TimerProbe timer(note("old"));
  test::Callback replacement{note("new")};
  timer.timer.expires = at(10);
  loop.register_timer(timer.timer);
  timer.timer.cookie = &replacement;
  loop.run();
  EXPECT_EQ(log, std::vector<std::string>{"new"});
}

TEST_P(Timers, TIMER_002_a_timer_fires_when_now_reaches_expires_and_past_timers_fire_next) {
  // [req:TIMER-002]
  TimerProbe zero(note("zero"));
  TimerProbe past(note("past"));
  TimerProbe exact(note("exact"));
  zero.timer.expires = tain_zero;
  clock.set(at(1000));
  past.timer.expires = at(999);
  exact.timer.expires = at(1000);
  loop.register_timer(zero.timer);
  loop.register_timer(past.timer);
  loop.register_timer(exact.timer);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::empty);
  EXPECT_EQ(log, (std::vector<std::string>{"zero", "past", "exact"}));
}

TEST_P(Timers, TIMER_003_unregistering_a_collected_but_unrun_timer_cancels_it) {
  // [req:TIMER-003] ivykis test/timer_fairness_bug.c: two timers due together, each
  // unregistering the other; exactly one runs and the count stays right.
  TimerProbe a, b;
  a.callback.body = [&] { log.push_back("a"); if (Loop::registered(b.timer)) loop.unregister_timer(b.timer); };
  b.callback.body = [&] { log.push_back("b"); if (Loop::registered(a.timer)) loop.unregister_timer(a.timer); };
  a.timer.expires = b.timer.expires = at(5);
  loop.register_timer(a.timer);
  loop.register_timer(b.timer);
  EXPECT_EQ(loop.registered_count(), 2u);
  loop.run();
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(loop.registered_count(), 0u);
  EXPECT_FALSE(Loop::registered(a.timer));
  EXPECT_FALSE(Loop::registered(b.timer));
}

TEST_P(Timers, TIMER_004_a_past_timer_registered_by_a_timer_handler_waits_for_the_next_pass) {
  // [req:TIMER-004] ivykis test/timer_fairness.c: a past timer re-registering itself must not
  // starve a task.
  TimerProbe timer;
  TaskProbe task(note("task"));
  int fired = 0;
  timer.callback.body = [&] {
    log.push_back("timer");
    EXPECT_FALSE(Loop::registered(timer.timer));  // unregistered before its handler
    if (++fired == 1) {
      loop.register_timer(timer.timer);
      loop.register_task(task.task);
    }
  };
  timer.timer.expires = tain_zero;
  loop.register_timer(timer.timer);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"timer", "task"}));
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::empty);
  EXPECT_EQ(log, (std::vector<std::string>{"timer", "task", "timer"}));
}

TEST_P(Timers, TIMER_006_distinct_expiries_fire_in_order_ties_in_any_order) {
  // [req:TIMER-006] [req:TIMER-005] Many timers, registered in a shuffled order.
  constexpr int count = 2000;
  std::vector<std::unique_ptr<TimerProbe>> timers;
  std::vector<int> fired;
  for (int i = 0; i < count; ++i) {
    timers.push_back(std::make_unique<TimerProbe>([&fired, i] { fired.push_back(i); }));
    timers.back()->timer.expires = at(static_cast<std::uint64_t>(i / 2));  // pairs tie
  }
  std::vector<int> order(count);
  for (int i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  for (int i : order) loop.register_timer(timers[static_cast<std::size_t>(i)]->timer);
  loop.run();
  ASSERT_EQ(fired.size(), static_cast<std::size_t>(count));
  for (std::size_t i = 1; i < fired.size(); ++i) EXPECT_LE(fired[i - 1] / 2, fired[i] / 2);
}

TEST_P(Timers, TIMER_006_ties_fire_together_in_one_pass) {
  // [req:TIMER-006]
  TimerProbe a(note("t")), b(note("t")), c(note("t"));
  for (auto* t : {&a, &b, &c}) {
    t->timer.expires = at(7);
    loop.register_timer(t->timer);
  }
  loop.run_once();  // waits until 7 ms
  EXPECT_TRUE(log.empty());
  loop.run_once(RunMode::nowait);
  EXPECT_EQ(log.size(), 3u);
}

TEST_P(Timers, TIMER_007_fd_handler_timer_and_task_both_run_before_the_next_poll_returns) {
  // [req:TIMER-007] [req:MODEL-008] [req:BACKEND-013] The relative order is unspecified; both run in the next
  // iteration. A backend whose traits say the order does not vary (every refloop backend:
  // step 1 follows every poll) runs the timer first.
  test::FdPair pipe = test::FdPair::pipe();
  pipe.put();
  test::FdProbe reader(pipe.read_end);
  TimerProbe timer(note("timer"));
  TaskProbe task(note("task"));
  reader.want_in([&] {
    log.push_back("fd");
    loop.unregister_fd(reader.fd);
    timer.timer.expires = tain_zero;
    loop.register_timer(timer.timer);
    loop.register_task(task.task);
  });
  loop.register_fd(reader.fd);
  loop.run();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "fd");
  if (!traits().timer_task_order_may_vary) { EXPECT_EQ(log[1], "timer"); }
  std::sort(log.begin() + 1, log.end());
  EXPECT_EQ(log[1], "task");
  EXPECT_EQ(log[2], "timer");
}

void insert_and_remove_at_random(std::uint64_t base) {
  detail::TimerHeap heap;
  std::vector<std::unique_ptr<Timer>> timers;
  std::mt19937 random(7);
  for (int i = 0; i < 500; ++i) {
    timers.push_back(std::make_unique<Timer>());
    timers.back()->expires = tain::normalised(base + random() % 50, random() % 3);
    heap.insert(*timers.back());
    ASSERT_TRUE(heap.valid());
  }
  std::shuffle(timers.begin(), timers.end(), random);
  while (!timers.empty()) {
    tain smallest = heap.earliest().expires;
    for (auto& t : timers) EXPECT_LE(smallest, t->expires);
    heap.remove(*timers.back());
    timers.pop_back();
    ASSERT_TRUE(heap.valid());
    ASSERT_EQ(heap.size(), timers.size());
  }
  EXPECT_TRUE(heap.empty());
}

TEST(TimerHeap, TIMER_005_insert_and_remove_keep_the_heap_and_positions_valid) {
  // [req:TIMER-005] Random inserts and removals (including the root and the last slot), with
  // expiries below the heap key's exact window (saturated keys) and inside it (exact keys).
  for (const std::uint64_t base : {std::uint64_t{0}, tain_epoch.sec()}) {
    SCOPED_TRACE(base);
    insert_and_remove_at_random(base);
  }
}

// Tains at and around both edges of the heap key's exact window, and the ends of the tain range.
std::vector<tain> key_boundary_tains() {
  using Heap = detail::TimerHeap;
  const std::uint64_t start = Heap::key_window_start, end = start + Heap::key_window_seconds;
  const std::uint32_t last_nano = nano_per_second - 1;
  std::vector<tain> values{tain_zero, tain_epoch, tain_infinite, tain::normalised(~std::uint64_t{0}, last_nano)};
  for (std::uint64_t sec : {start - 1, start, start + 1, end - 1, end, end + 1, std::uint64_t{1} << 62})
    for (std::uint32_t nano : {0u, 1u, last_nano}) values.push_back(*tain::checked(sec, nano));
  return values;
}

TEST(TimerHeap, TIMER_006_the_key_orders_like_tain_at_the_window_boundaries) {
  // [req:TIMER-006] a < b implies key(a) <= key(b); equal keys are equal tains unless saturated.
  using Heap = detail::TimerHeap;
  const std::vector<tain> values = key_boundary_tains();
  for (const tain& a : values) {
    for (const tain& b : values) {
      const Heap::Key ka = Heap::key_of(a), kb = Heap::key_of(b);
      SCOPED_TRACE(std::to_string(a.sec()) + "." + std::to_string(a.nano()) + " vs " +
                   std::to_string(b.sec()) + "." + std::to_string(b.nano()));
      const bool saturated = ka == Heap::key_below_window || ka == Heap::key_above_window;
      if (a < b) {
        EXPECT_LE(ka, kb);
      }
      if (ka == kb && !saturated) {
        EXPECT_EQ(a, b);
      }
    }
  }
  EXPECT_EQ(Heap::key_of(*tain::checked(Heap::key_window_start, 0)), 1u);
  EXPECT_EQ(Heap::key_of(*tain::checked(Heap::key_window_start - 1, nano_per_second - 1)), Heap::key_below_window);
  const std::uint64_t end = Heap::key_window_start + Heap::key_window_seconds;
  EXPECT_LT(Heap::key_of(*tain::checked(end - 1, nano_per_second - 1)), Heap::key_above_window);
  EXPECT_EQ(Heap::key_of(tain::seconds(end)), Heap::key_above_window);
}

TEST(TimerHeap, TIMER_006_expiries_inside_and_outside_the_key_window_pop_in_order) {
  // [req:TIMER-006] [req:TIMER-005] Saturated keys (both ends) mixed with exact ones.
  std::vector<tain> values = key_boundary_tains();
  std::mt19937 random(11);
  for (int i = 0; i < 300; ++i) values.push_back(values[random() % values.size()]);
  std::shuffle(values.begin(), values.end(), random);
  std::vector<Timer> timers(values.size());
  detail::TimerHeap heap;
  for (std::size_t i = 0; i < values.size(); ++i) {
    timers[i].expires = values[i];
    heap.insert(timers[i]);
  }
  ASSERT_TRUE(heap.valid());
  std::sort(values.begin(), values.end());
  for (const tain& expected : values) {
    EXPECT_EQ(heap.pop_earliest().expires, expected);
    ASSERT_TRUE(heap.valid());
  }
  EXPECT_TRUE(heap.empty());
}

}  // namespace
}  // namespace refloop
