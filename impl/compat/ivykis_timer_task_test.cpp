// SPDX-License-Identifier: ISC
// Tests of struct iv_timer, struct iv_task and the iv_now time cache in the ivykis C API
// (spec/loop.md, IVAPI-012..018), each run on every compiled backend in a child process. Real
// time, checked on the late side only: nothing may fire before its expiry.
#include <climits>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "ivykis_test_support.hpp"

using namespace refloop::ivykis::testing;

namespace {

REFLOOP_IVYKIS_SUITE(IvTimer);
REFLOOP_IVYKIS_SUITE(IvTask);
REFLOOP_IVYKIS_SUITE(IvNow);

std::vector<std::string> trace;  // the order handlers ran in (each child has its own copy)

void record(void* name) { trace.emplace_back(static_cast<const char*>(name)); }

bool not_before(const timespec& a, const timespec& b) {  // a >= b
  return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

// [req:IVAPI-012] IV_TIMER_INIT leaves expires, cookie and handler alone.
TEST_P(IvTimer, IVAPI_012_timer_init) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    iv_timer t;
    t.expires = {5, 6};
    t.cookie = &t;
    t.handler = record;
    IV_TIMER_INIT(&t);
    EXPECT_EQ(t.expires.tv_sec, 5);
    EXPECT_EQ(t.expires.tv_nsec, 6);
    EXPECT_EQ(t.cookie, &t);
    EXPECT_EQ(t.handler, record);
    EXPECT_EQ(iv_timer_registered(&t), 0);
    iv_deinit();
  });
}

struct TimedTimer {
  iv_timer timer{};
  timespec seen{};        // iv_now inside the handler
  int registered_inside = -1;
};

// [req:IVAPI-013] Timers fire in expiry order, not before expires, unregistered before their
// handler, with the handler and cookie as they are at expiry; an unregistered timer never fires.
TEST_P(IvTimer, IVAPI_013_timers_fire_in_order_not_early) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    trace.clear();
    const char* names[] = {"30ms", "10ms", "20ms", "cancelled"};
    const long delays[] = {30, 10, 20, 15};
    TimedTimer t[4];
    iv_validate_now();
    const timespec start = iv_now;
    for (int i = 0; i < 4; ++i) {
      IV_TIMER_INIT(&t[i].timer);
      t[i].timer.expires = after_ms(start, delays[i]);
      t[i].timer.cookie = nullptr;
      t[i].timer.handler = nullptr;
      iv_timer_register(&t[i].timer);
      EXPECT_EQ(iv_timer_registered(&t[i].timer), 1);
      t[i].timer.cookie = &t[i];  // set after registering: read at expiry
      t[i].timer.handler = [](void* c) {
        auto* tt = static_cast<TimedTimer*>(c);
        tt->seen = iv_now;
        tt->registered_inside = iv_timer_registered(&tt->timer);
        trace.emplace_back(std::to_string(ms_between({0, 0}, tt->timer.expires)));
      };
    }
    iv_timer_unregister(&t[3].timer);
    iv_main();
    ASSERT_EQ(trace.size(), 3u);
    EXPECT_LT(std::stol(trace[0]), std::stol(trace[1]));
    EXPECT_LT(std::stol(trace[1]), std::stol(trace[2]));
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(not_before(t[i].seen, t[i].timer.expires)) << names[i] << " fired early";
      EXPECT_EQ(t[i].registered_inside, 0);
    }
    iv_deinit();
  });
}

// [req:IVAPI-013] A timer at {0, 0} or in the past fires; a handler may register its own timer
// again.
TEST_P(IvTimer, IVAPI_013_past_timers_fire_and_may_reregister) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    static int fired;
    fired = 0;
    iv_timer t;
    IV_TIMER_INIT(&t);
    t.expires = {0, 0};
    t.cookie = &t;
    t.handler = [](void* c) {
      if (++fired < 3) iv_timer_register(static_cast<iv_timer*>(c));
    };
    iv_timer_register(&t);
    iv_main();
    EXPECT_EQ(fired, 3);
    iv_deinit();
  });
}

// [req:IVAPI-013] Timers registered and unregistered over and over: the ones left registered
// fire in expiry order, a registration after an unregistration reuses the storage given back
// (pad[0] is refloop's private pointer: the same Timer, so no allocation per registration), and
// iv_deinit leaves every one unregistered.
TEST_P(IvTimer, IVAPI_013_churned_timers_fire_in_order_and_reuse_storage) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    trace.clear();
    static const char* names[] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
    iv_timer timers[8];
    for (int round = 0; round < 50; ++round) {
      for (int i = 0; i < 8; ++i) {
        IV_TIMER_INIT(&timers[i]);
        timers[i].expires = {0, 1000 * (8 - i)};  // long past; t7 is the earliest
        timers[i].cookie = const_cast<char*>(names[i]);
        timers[i].handler = record;
        iv_timer_register(&timers[i]);
      }
      for (int i = 0; i < 8; ++i) iv_timer_unregister(&timers[i]);
    }
    for (int i = 0; i < 8; i += 2) iv_timer_register(&timers[i]);
    void* lent = timers[0].pad[0];
    iv_timer_unregister(&timers[0]);
    iv_timer_register(&timers[1]);
    EXPECT_EQ(timers[1].pad[0], lent);
    iv_main();
    EXPECT_EQ(trace, (std::vector<std::string>{"t6", "t4", "t2", "t1"}));
    iv_timer_register(&timers[3]);
    iv_timer_register(&timers[5]);
    iv_deinit();
    for (const iv_timer& timer : timers) EXPECT_EQ(iv_timer_registered(&timer), 0);
  });
}

// [req:IVAPI-013] Timer misuse is fatal, with ivykis's wording.
TEST_P(IvTimer, IVAPI_013_timer_misuse_is_fatal) {
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_timer t;
    IV_TIMER_INIT(&t);
    t.expires = iv_now;
    iv_timer_register(&t);
    iv_timer_register(&t);
  }, "iv_timer_register: called with timer still on the heap");
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_timer t;
    IV_TIMER_INIT(&t);
    iv_timer_unregister(&t);
  }, "iv_timer_unregister: called with timer not on the heap");
  ChildResult r = run_in_child(GetParam(), [&] {
    init_on(GetParam());
    iv_timer t;
    IV_TIMER_INIT(&t);
    t.expires = {1, 1'000'000'000};
    iv_timer_register(&t);
  });
  EXPECT_TRUE(r.died_fatally());
  const std::string expected = "iv_timer_register: called with invalid expiry {1, 1000000000}";
  EXPECT_EQ(r.fatal_message.rfind(expected, 0), 0u) << r.fatal_message;
}

// [req:IVAPI-026] A timer left registered by a thread that ended without iv_deinit: its private
// state died with the thread, so unregistering it elsewhere is the documented fatal error, never
// a read of freed memory (before the fix: heap-use-after-free in Loop::registered).
TEST_P(IvTimer, IVAPI_026_a_dead_threads_timer_is_fatal_not_freed_memory) {
  static iv_timer orphan;
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    std::thread([] {
      iv_init();
      IV_TIMER_INIT(&orphan);
      iv_validate_now();
      orphan.expires = iv_now;
      iv_timer_register(&orphan);
    }).join();
    EXPECT_EQ(iv_timer_registered(&orphan), 1);
    iv_timer_unregister(&orphan);
  }, "iv_timer_unregister: called with an object registered with another loop");
}

// [req:IVAPI-027] tv_sec beyond the tain range saturates, as ivykis treats it: LONG_MAX never
// fires (and does not keep iv_main from waiting for the quit timer), LONG_MIN fires at once.
TEST_P(IvTimer, IVAPI_027_extreme_seconds_saturate) {
  static int far_fired = 0;
  static int past_fired = 0;
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    iv_timer far, past, quit;
    IV_TIMER_INIT(&far);
    far.expires = {LONG_MAX, 999'999'999};
    far.handler = [](void*) { ++far_fired; };
    IV_TIMER_INIT(&past);
    past.expires = {LONG_MIN, 0};
    past.handler = [](void*) { ++past_fired; };
    IV_TIMER_INIT(&quit);
    iv_validate_now();
    quit.expires = after_ms(iv_now, 5);
    quit.handler = [](void*) { iv_quit(); };
    iv_timer_register(&far);
    iv_timer_register(&past);
    iv_timer_register(&quit);
    iv_main();
    EXPECT_EQ(far_fired, 0);
    EXPECT_EQ(past_fired, 1);
    EXPECT_EQ(iv_timer_registered(&far), 1);
    iv_timer_unregister(&far);
    iv_deinit();
  });
}

// [req:IVAPI-014] IV_TASK_INIT leaves cookie and handler alone; a task INIT'ed and registered in
// a task handler waits for the next pass, one INIT'ed earlier runs in the same pass (ivykis's
// worked example, with 6 registered before 5; Debian 0.42.4 prints the same: timer, 0, 1, 2, 4,
// 5, then 6 and 1).
TEST_P(IvTask, IVAPI_014_task_init_and_epochs) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    trace.clear();
    static iv_task tasks[7];
    static const char* names[] = {"0", "1", "2", "3", "4", "5", "6"};
    tasks[6].cookie = &tasks[6];
    tasks[6].handler = record;
    IV_TASK_INIT(&tasks[6]);
    EXPECT_EQ(tasks[6].cookie, &tasks[6]);
    EXPECT_EQ(tasks[6].handler, record);
    EXPECT_EQ(iv_task_registered(&tasks[6]), 0);
    for (int i = 0; i < 6; ++i) {
      IV_TASK_INIT(&tasks[i]);
      tasks[i].cookie = const_cast<char*>(names[i]);
      tasks[i].handler = record;
      if (i < 5) iv_task_register(&tasks[i]);
    }
    iv_task_unregister(&tasks[3]);
    tasks[1].handler = [](void* name) {
      record(name);
      if (trace.size() > 3) return;  // only the first time
      IV_TASK_INIT(&tasks[6]);  // registered before 5, yet runs after it: the epoch rule
      tasks[6].cookie = const_cast<char*>(names[6]);
      iv_task_register(&tasks[6]);
      iv_task_register(&tasks[5]);
      iv_task_register(&tasks[1]);
    };
    iv_timer timer;
    IV_TIMER_INIT(&timer);
    timer.expires = {0, 0};
    timer.cookie = const_cast<char*>("timer");
    timer.handler = record;
    iv_timer_register(&timer);
    iv_main();
    EXPECT_EQ(trace, (std::vector<std::string>{"timer", "0", "1", "2", "4", "5", "6", "1"}));
    iv_deinit();
  });
}

// [req:IVAPI-015] Tasks run once, unregistered before their handler, before the loop next
// sleeps: a task registered by an fd handler runs before a timer 1 s away (the task then cancels
// the timer, so the test does not wait for it; had the loop slept first, the timer would have run).
TEST_P(IvTask, IVAPI_015_tasks_run_before_sleeping) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    trace.clear();
    static iv_task task;
    static iv_fd fd;
    static iv_timer later;
    Pipe p;
    ASSERT_EQ(write(p.writer(), "x", 1), 1);
    IV_TASK_INIT(&task);
    task.cookie = &task;
    task.handler = [](void* c) {
      trace.emplace_back(iv_task_registered(static_cast<iv_task*>(c)) ? "task registered" : "task");
      if (iv_timer_registered(&later)) iv_timer_unregister(&later);
    };
    IV_FD_INIT(&fd);
    fd.fd = p.reader();
    fd.handler_in = [](void*) {
      trace.emplace_back("fd");
      iv_fd_unregister(&fd);
      iv_task_register(&task);
    };
    iv_fd_register(&fd);
    IV_TIMER_INIT(&later);
    later.expires = after_ms(iv_now, 1000);
    later.cookie = const_cast<char*>("timer");
    later.handler = record;
    iv_timer_register(&later);
    iv_main();
    EXPECT_EQ(trace, (std::vector<std::string>{"fd", "task"}));
    iv_deinit();
  });
}

// [req:IVAPI-015] Task misuse is fatal, with ivykis's wording.
TEST_P(IvTask, IVAPI_015_task_misuse_is_fatal) {
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_task t;
    IV_TASK_INIT(&t);
    t.handler = record;
    iv_task_register(&t);
    iv_task_register(&t);
  }, "iv_task_register: called with task still on a list");
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_task t;
    IV_TASK_INIT(&t);
    iv_task_unregister(&t);
  }, "iv_task_unregister: called with task not on a list");
}

// [req:IVAPI-016] iv_now is an expression of type struct timespec on CLOCK_MONOTONIC.
TEST_P(IvNow, IVAPI_016_now_is_monotonic_timespec) {
  expect_passes(GetParam(), [&] {
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(iv_now)>, timespec>);
    init_on(GetParam());
    timespec before{}, after{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    iv_invalidate_now();
    const timespec now = iv_now;
    clock_gettime(CLOCK_MONOTONIC, &after);
    EXPECT_TRUE(not_before(now, before));
    EXPECT_TRUE(not_before(after, now));
    iv_deinit();
  });
}

// [req:IVAPI-017] The cache: iv_validate_now() is a statement, and within a callback iv_now
// does not move on its own; each poll invalidates it, so the next callback sees a later time.
TEST_P(IvNow, IVAPI_017_now_is_cached_per_callback) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    static timespec first, second, third;
    iv_timer t1, t2;
    IV_TIMER_INIT(&t1);
    IV_TIMER_INIT(&t2);
    iv_validate_now();
    t1.expires = iv_now;
    t2.expires = after_ms(iv_now, 20);
    t1.handler = [](void*) {
      iv_validate_now();
      first = iv_now;
      usleep(20'000);
      second = iv_now;
    };
    t2.handler = [](void*) { third = iv_now; };
    iv_timer_register(&t1);
    iv_timer_register(&t2);
    iv_main();
    EXPECT_EQ(first.tv_sec, second.tv_sec);
    EXPECT_EQ(first.tv_nsec, second.tv_nsec);
    EXPECT_GE(ms_between(first, third), 20);
    iv_deinit();
  });
}

// [req:IVAPI-018] iv_invalidate_now makes the next iv_now read the clock.
TEST_P(IvNow, IVAPI_018_invalidate_now) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    const timespec before = iv_now;
    usleep(20'000);
    const timespec stale = iv_now;
    iv_invalidate_now();
    const timespec fresh = iv_now;
    EXPECT_EQ(ms_between(before, stale), 0);
    EXPECT_GE(ms_between(before, fresh), 20);
    iv_deinit();
  });
}

}  // namespace
