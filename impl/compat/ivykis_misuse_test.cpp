// SPDX-License-Identifier: ISC
// The misuse suite of the ivykis C API, part 1 (spec/loop.md; issue 10): iv_main nested inside a
// timer, task or fd handler (LOOP-011, where Debian's libivykis is the reference and the same
// programs pass there, see conformance/cases/ivapi/LOOP-011-*), iv_init and iv_deinit inside
// callbacks, and objects used from a thread other than the one that registered them (IVAPI-026,
// LOOP-013). Part 2, ivykis_misuse_args_test.cpp, covers arguments: NULL, fd numbers, timespecs.
// Each test runs on every compiled backend in a child process; real time is checked on the late
// side only (nothing may fire before its expiry).
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "ivykis_test_support.hpp"

using namespace refloop::ivykis::testing;

namespace {

REFLOOP_IVYKIS_SUITE(IvNested);
REFLOOP_IVYKIS_SUITE(IvCallbackMisuse);
REFLOOP_IVYKIS_SUITE(IvCrossThread);

std::string events;  // the callbacks in the order they ran, space separated (one per child)

void say(const char* what) {
  if (!events.empty()) events += ' ';
  events += what;
}

void say_cookie(void* what) { say(static_cast<const char*>(what)); }

void say_and_quit(void* what) {
  say(static_cast<const char*>(what));
  iv_quit();
}

// Registers `timer` to expire `ms` milliseconds from now (negative: already due), calling
// `handler` with `cookie`.
void register_in_ms(iv_timer& timer, long ms, void (*handler)(void*), const void* cookie) {
  IV_TIMER_INIT(&timer);
  iv_validate_now();
  timer.expires = ms >= 0 ? after_ms(iv_now, ms) : after_ms({iv_now.tv_sec - 1, iv_now.tv_nsec}, 1000 + ms);
  timer.handler = handler;
  timer.cookie = const_cast<void*>(cookie);
  iv_timer_register(&timer);
}

// The due timer a nesting handler registers before it calls iv_main: it ends the nested run.
iv_timer nested_quit;

void nest_iv_main(const char* who) {
  say(who);
  register_in_ms(nested_quit, -1, say_and_quit, "quit");
  iv_main();
  say("nested-returned");
}

// [req:LOOP-011] [req:IVAPI-005] iv_main inside a timer handler: the nested run fires only the
// timer still on the heap (its own batch), the outer batch's other due timer runs once after the
// nested iv_main returns, a timer 20 ms ahead does not fire early, and both iv_main return (the
// quit is seen by the outer run too). The 20 ms timer then fires, not before its expiry.
TEST_P(IvNested, LOOP_011_iv_main_in_a_timer_handler) {
  expect_passes(GetParam(), [] {
    init_on(GetParam());
    iv_timer first, second, later;
    register_in_ms(first, -2, [](void*) { nest_iv_main("first"); }, nullptr);
    register_in_ms(second, -1, say_cookie, "second");
    static timespec fired_at{};
    register_in_ms(later, 20, [](void*) {
      iv_invalidate_now();
      fired_at = iv_now;
      say("later");
    }, nullptr);
    iv_main();
    say("outer-returned");
    EXPECT_EQ(events, "first quit nested-returned second outer-returned");
    EXPECT_EQ(iv_timer_registered(&later), 1);
    iv_main();
    EXPECT_EQ(events, "first quit nested-returned second outer-returned later");
    EXPECT_GE(ms_between(later.expires, fired_at), 0) << "the 20 ms timer fired early";
    iv_deinit();
  });
}

// [req:LOOP-011] [req:IVAPI-014] iv_main inside a task handler: the handler initialises and
// registers a fresh task and a due quit timer, then nests iv_main. The nested pass runs the
// fresh task; the outer pass's unfinished task runs after the nested iv_main returns; every
// task runs once and both iv_main return (before the fix the outer pass's task was lost and the
// outer iv_main never returned).
TEST_P(IvNested, LOOP_011_iv_main_in_a_task_handler) {
  expect_passes(GetParam(), [] {
    init_on(GetParam());
    static iv_task nesting, waiting, fresh;
    IV_TASK_INIT(&nesting);
    nesting.handler = [](void*) {
      say("nesting");
      IV_TASK_INIT(&fresh);
      fresh.handler = say_cookie;
      fresh.cookie = const_cast<char*>("fresh");
      iv_task_register(&fresh);
      register_in_ms(nested_quit, -1, say_and_quit, "quit");
      iv_main();
      say("nested-returned");
    };
    iv_task_register(&nesting);
    IV_TASK_INIT(&waiting);
    waiting.handler = say_cookie;
    waiting.cookie = const_cast<char*>("waiting");
    iv_task_register(&waiting);
    iv_main();
    say("outer-returned");
    EXPECT_EQ(events, "nesting quit fresh nested-returned waiting outer-returned");
    EXPECT_EQ(iv_task_registered(&waiting), 0);
    EXPECT_EQ(iv_task_registered(&fresh), 0);
    iv_deinit();
  });
}

// [req:LOOP-011] iv_main inside an fd handler (the handler reads its byte first, so the nested
// poll does not find the fd ready again); both iv_main return.
TEST_P(IvNested, LOOP_011_iv_main_in_an_fd_handler) {
  expect_passes(GetParam(), [] {
    init_on(GetParam());
    static Pipe pipe;
    static iv_fd reader;
    ASSERT_EQ(write(pipe.writer(), "x", 1), 1);
    IV_FD_INIT(&reader);
    reader.fd = pipe.reader();
    reader.handler_in = [](void*) {
      char byte;
      ASSERT_EQ(read(pipe.reader(), &byte, 1), 1);
      nest_iv_main("readable");
      iv_fd_unregister(&reader);
    };
    iv_fd_register(&reader);
    iv_main();
    say("outer-returned");
    EXPECT_EQ(events, "readable quit nested-returned outer-returned");
    iv_deinit();
  });
}

// [req:LOOP-011] item 4: iv_quit in a nested iv_main ends the outer one too, although an fd (never
// ready) and a far timer keep it from ever being empty; a later iv_main runs again.
TEST_P(IvNested, LOOP_011_quit_in_a_nested_run_ends_the_outer_one) {
  expect_passes(GetParam(), [] {
    init_on(GetParam());
    Pipe pipe;
    iv_fd idle;
    IV_FD_INIT(&idle);
    idle.fd = pipe.reader();
    idle.handler_in = say_cookie;
    idle.cookie = const_cast<char*>("idle-fd");
    iv_fd_register(&idle);
    iv_timer nesting, far_away, again;
    register_in_ms(far_away, 60'000, say_cookie, "far");
    register_in_ms(nesting, -1, [](void*) { nest_iv_main("nesting"); }, nullptr);
    iv_main();
    say("outer-returned");
    EXPECT_EQ(events, "nesting quit nested-returned outer-returned");
    EXPECT_EQ(iv_fd_registered(&idle), 1);
    EXPECT_EQ(iv_timer_registered(&far_away), 1);
    register_in_ms(again, 1, say_and_quit, "again");
    iv_main();
    EXPECT_EQ(events, "nesting quit nested-returned outer-returned again");
    iv_fd_unregister(&idle);
    iv_timer_unregister(&far_away);
    iv_deinit();
  });
}

// Where a misuse callback runs: a due timer, a task, or an fd with a byte to read.
enum class Where { timer, task, fd };

// Registers one object whose handler is `callback`, then runs iv_main (which must not return).
void run_callback_in(Where where, void (*callback)(void*)) {
  static iv_timer timer;
  static iv_task task;
  static iv_fd fd;
  static Pipe pipe;
  if (where == Where::timer) register_in_ms(timer, -1, callback, nullptr);
  if (where == Where::task) {
    IV_TASK_INIT(&task);
    task.handler = callback;
    iv_task_register(&task);
  }
  if (where == Where::fd) {
    ASSERT_EQ(write(pipe.writer(), "x", 1), 1);
    IV_FD_INIT(&fd);
    fd.fd = pipe.reader();
    fd.handler_in = callback;
    iv_fd_register(&fd);
  }
  iv_main();
  ADD_FAILURE() << "iv_main returned after the misuse";
}

// [req:IVAPI-019] [req:LOOP-012] iv_deinit from a timer, task or fd callback is fatal: the
// iteration in progress would go on in freed memory. (libivykis frees the loop and returns.)
TEST_P(IvCallbackMisuse, IVAPI_019_deinit_in_a_callback_is_fatal) {
  for (Where where : {Where::timer, Where::task, Where::fd}) {
    expect_fatal(GetParam(), [where] {
      init_on(GetParam());
      run_callback_in(where, [](void*) { iv_deinit(); });
    }, "iv_deinit: called from inside iv_main");
  }
}

// [req:IVAPI-003] iv_init from a timer, task or fd callback is a second iv_init in the thread.
// (libivykis leaks the loop and returns.)
TEST_P(IvCallbackMisuse, IVAPI_003_init_in_a_callback_is_fatal) {
  for (Where where : {Where::timer, Where::task, Where::fd}) {
    expect_fatal(GetParam(), [where] {
      init_on(GetParam());
      run_callback_in(where, [](void*) { iv_init(); });
    }, "iv_init: called twice in this thread without iv_deinit");
  }
}

// Objects a second thread registered with its own loop; the thread ends without iv_deinit
// (`keep_alive` false) or stays alive, blocked, until the process ends.
struct ForeignObjects {
  iv_timer timer{};
  iv_task task{};
  iv_fd fd{};
  Pipe pipe;
};

void register_in_another_thread(ForeignObjects& objects, bool keep_alive) {
  static std::mutex mutex;  // static: a thread kept alive outlives this call
  static std::condition_variable ready;
  static bool registered = false;
  std::thread owner([&objects, keep_alive] {
    iv_init();
    register_in_ms(objects.timer, 60'000, say_cookie, "timer");
    IV_TASK_INIT(&objects.task);
    objects.task.handler = say_cookie;
    iv_task_register(&objects.task);
    IV_FD_INIT(&objects.fd);
    objects.fd.fd = objects.pipe.reader();
    objects.fd.handler_in = say_cookie;
    iv_fd_register(&objects.fd);
    {
      std::lock_guard lock(mutex);
      registered = true;
    }
    ready.notify_one();
    while (keep_alive) pause();  // the fatal error in the other thread ends the process
  });
  std::unique_lock lock(mutex);
  ready.wait(lock, [] { return registered; });
  if (keep_alive) owner.detach();
  else owner.join();
}

enum class Change { unregister, register_again };

void change(ForeignObjects& objects, Where which, Change how) {
  const bool unregister = how == Change::unregister;
  if (which == Where::timer) unregister ? iv_timer_unregister(&objects.timer) : iv_timer_register(&objects.timer);
  if (which == Where::task) unregister ? iv_task_unregister(&objects.task) : iv_task_register(&objects.task);
  if (which == Where::fd) unregister ? iv_fd_unregister(&objects.fd) : iv_fd_register(&objects.fd);
}

const char* unregister_message(Where which) {
  if (which == Where::timer) return "iv_timer_unregister: called with an object registered with another loop";
  if (which == Where::task) return "iv_task_unregister: called with an object registered with another loop";
  return "iv_fd_unregister: called with an object registered with another loop";
}

const char* register_message(Where which) {
  if (which == Where::timer) return "iv_timer_register: called with timer still on the heap";
  if (which == Where::task) return "iv_task_register: called with task still on a list";
  return "iv_fd_register: called with fd which is still registered";
}

// [req:IVAPI-026] [req:LOOP-013] [req:LOOP-009] A timer, task and fd left registered by a thread
// that ended without iv_deinit still read as registered in another thread; unregistering one
// there is the documented fatal error (before the fix, the timer was a heap-use-after-free), and
// so is registering it again.
TEST_P(IvCrossThread, IVAPI_026_dead_threads_objects_are_fatal_to_change) {
  for (Where which : {Where::timer, Where::task, Where::fd}) {
    for (Change how : {Change::unregister, Change::register_again}) {
      SCOPED_TRACE(static_cast<int>(which) * 10 + static_cast<int>(how));
      expect_fatal(GetParam(), [which, how] {
        static ForeignObjects objects;
        register_in_another_thread(objects, false);
        init_on(GetParam());
        EXPECT_EQ(iv_timer_registered(&objects.timer), 1);
        EXPECT_EQ(iv_task_registered(&objects.task), 1);
        EXPECT_EQ(iv_fd_registered(&objects.fd), 1);
        change(objects, which, how);
      }, how == Change::unregister ? unregister_message(which) : register_message(which));
    }
  }
}

// [req:IVAPI-026] [req:LOOP-013] The same with the owning thread still alive: another thread's
// loop never changes them.
TEST_P(IvCrossThread, LOOP_013_live_threads_objects_are_fatal_to_change) {
  for (Where which : {Where::timer, Where::task, Where::fd}) {
    SCOPED_TRACE(static_cast<int>(which));
    expect_fatal(GetParam(), [which] {
      static ForeignObjects objects;
      register_in_another_thread(objects, true);
      init_on(GetParam());
      change(objects, which, Change::unregister);
    }, unregister_message(which));
  }
}

}  // namespace
