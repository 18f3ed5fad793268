// SPDX-License-Identifier: ISC
// Nested runs (spec/loop.md LOOP-011, LOOP-012) and objects of another or a destroyed loop
// (LOOP-013), on every backend. The first tests are the adversarial programs that found the
// defects: a run nested in a timer handler walked the enclosing batch again (a timer ran twice
// or after its memory was released), and one nested in a task handler spliced its pass over the
// enclosing pass's unfinished list (a task never ran and the loop never stopped).
#include <memory>
#include <new>

#include "loop_test_support.hpp"

namespace refloop::test {
namespace {

class Nested : public OnEveryBackend {};

TEST_P(Nested, LOOP_011_run_in_a_timer_handler_keeps_the_enclosing_batch) {
  // [req:LOOP-011] item 1, [req:TIMER-003]: the nested step 1 runs only its own batch; the
  // enclosing batch goes on afterwards, and a timer of it cancelled by a nested callback stays
  // cancelled. Before the fix the nested step 1 walked the enclosing batch again: `first` ran
  // twice (or after its memory was released) and `later`, 20 ms ahead, fired at once.
  TimerProbe cancelled(note("cancelled"));
  TimerProbe second(note("second"));
  TimerProbe later(note("later"));
  TimerProbe quitter([&] {
    log.push_back("quitter");
    loop.unregister_timer(cancelled.timer);
    loop.quit();
  });
  TimerProbe first([&] {
    log.push_back("first");
    quitter.timer.expires = loop.now();
    loop.register_timer(quitter.timer);
    loop.run();
    log.push_back("nested run returned");
  });
  first.timer.expires = at(0);
  cancelled.timer.expires = at(0) + tain::normalised(0, 1);
  second.timer.expires = at(0) + tain::normalised(0, 2);
  later.timer.expires = at(20);
  clock.set(at(1));
  for (Timer* timer : {&first.timer, &cancelled.timer, &second.timer, &later.timer}) loop.register_timer(*timer);
  EXPECT_EQ(loop.run_once(), Step::quit);  // the nested quit stops the enclosing run too
  EXPECT_EQ(log, (std::vector<std::string>{"first", "quitter", "nested run returned", "second"}));
  EXPECT_TRUE(Loop::registered(later.timer));
  EXPECT_EQ(loop.registered_count(), 1u);
  EXPECT_EQ(clock.now(), at(1));
}

TEST_P(Nested, LOOP_011_enclosing_batch_runs_after_the_nested_run) {
  // [req:LOOP-011] item 1: with distinct expiries the order is fixed: a (nests), then the nested
  // batch {n}, then b, the rest of the enclosing batch; the nested quit stops both runs.
  TimerProbe n([&] { log.push_back("n"); loop.quit(); });
  TimerProbe b(note("b"));
  TimerProbe a([&] {
    log.push_back("a");
    n.timer.expires = loop.now();
    loop.register_timer(n.timer);
    log.push_back(loop.run_once() == Step::quit ? "nested quit" : "nested other");
  });
  a.timer.expires = at(0);
  b.timer.expires = at(0) + tain::normalised(0, 1);
  clock.set(at(1));
  loop.register_timer(a.timer);
  loop.register_timer(b.timer);
  EXPECT_EQ(loop.run_once(), Step::quit);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "n", "nested quit", "b"}));
  EXPECT_EQ(loop.registered_count(), 0u);
  EXPECT_EQ(loop.run_once(), Step::empty) << "the outermost stop consumed the quit flag";
}

TEST_P(Nested, LOOP_011_run_in_a_task_handler_keeps_the_enclosing_pass) {
  // [req:LOOP-011] item 2 (the ivykis program): a initialises (stamps, TASK-005) and registers x
  // and a due quit timer, then runs the loop; the nested pass runs x; b, left in the enclosing
  // pass, runs after it; both runs stop. Before the fix b never ran and run() never returned.
  TaskProbe x(note("x"));
  TaskProbe b(note("b"));
  TimerProbe quitter([&] { log.push_back("quitter"); loop.quit(); });
  TaskProbe a([&] {
    log.push_back("a");
    loop.stamp_task(x.task);
    loop.register_task(x.task);
    quitter.timer.expires = loop.now();
    loop.register_timer(quitter.timer);
    loop.run();
    log.push_back("nested run returned");
    EXPECT_TRUE(Loop::registered(b.task)) << "b is still due in the enclosing pass";
  });
  loop.register_task(a.task);
  loop.register_task(b.task);
  loop.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a", "quitter", "x", "nested run returned", "b"}));
  EXPECT_EQ(loop.registered_count(), 0u);
}

TEST_P(Nested, LOOP_011_after_a_nested_pass_newcomers_wait_for_the_next_pass) {
  // [req:LOOP-011] item 2, [req:TASK-004]: as in ivykis, once a nested pass has ended no pass takes
  // newcomers; y (never run, so not stamped) waits for the next pass and runs after b.
  TaskProbe y(note("y"));
  TaskProbe b(note("b"));
  TaskProbe a([&] {
    log.push_back("a");
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);  // keeps b and y registered: polls
    loop.register_task(y.task);
  });
  FdPair idle = FdPair::pipe();
  FdProbe keep_alive(idle.read_end);
  loop.register_fd(keep_alive.fd);
  loop.register_task(a.task);
  loop.register_task(b.task);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Loop::registered(y.task));
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "y"}));
  loop.unregister_fd(keep_alive.fd);
}

TEST_P(Nested, LOOP_011_run_in_an_fd_handler_dispatches_the_rest_of_the_round_once) {
  // [req:LOOP-011] item 3: two ready fds; whichever runs first nests a run whose dispatch takes
  // the other one, which therefore runs exactly once, inside the nested run.
  FdPair p = FdPair::pipe();
  FdPair q = FdPair::pipe();
  p.put();
  q.put();
  int nested = 0;
  FdProbe fp(p.read_end);
  FdProbe fq(q.read_end);
  auto handler = [&](const FdPair& pair, const char* name) {
    return [&, name] {
      log.push_back(name);
      pair.drain();
      if (nested++ == 0) {
        EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
        log.push_back("nested returned");
      }
    };
  };
  fp.want_in(handler(p, "p"));
  fq.want_in(handler(q, "q"));
  loop.register_fd(fp.fd);
  loop.register_fd(fq.fd);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2], "nested returned");
  EXPECT_NE(log[0], log[1]) << "each fd ran once";
  loop.unregister_fd(fp.fd);
  loop.unregister_fd(fq.fd);
}

TEST_P(Nested, LOOP_011_nested_dispatch_keeps_the_running_fds_later_bands) {
  // [req:LOOP-011] item 3, [req:FD-007]: an fd's in handler nests a run; its out handler still
  // runs afterwards (a nested dispatch does not end the enclosing fd's turn) unless it unregisters.
  FdPair s = FdPair::sockets();
  s.put();
  FdProbe probe(s.read_end);
  probe.want_in([&] {
    log.push_back("in");
    s.drain();
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);  // finds it writable: out runs there
  });
  probe.want_out([&] { log.push_back("out"); });
  loop.register_fd(probe.fd);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"in", "out", "out"}));
  loop.unregister_fd(probe.fd);
}

TEST_P(Nested, LOOP_011_unregistering_the_enclosing_fd_in_a_nested_run_ends_its_turn) {
  // [req:LOOP-011] item 3, [req:FD-008]: a nested callback unregisters the fd whose in handler
  // nested the run; its out handler must not run in the enclosing turn.
  FdPair s = FdPair::sockets();
  s.put();
  FdProbe probe(s.read_end);
  TaskProbe unregister([&] { loop.unregister_fd(probe.fd); });
  probe.want_in([&] {
    log.push_back("in");
    loop.register_task(unregister.task);
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::empty);
  });
  probe.want_out(note("out"));
  loop.register_fd(probe.fd);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"in"}));
  EXPECT_FALSE(Loop::registered(probe.fd));
}

TEST_P(Nested, LOOP_011_quit_in_a_nested_run_stops_every_enclosing_run) {
  // [req:LOOP-011] item 4, [req:LOOP-003]: the nested run stops, the enclosing run stops at its
  // next check, and a later run() starts afresh.
  TimerProbe quitter([&] { loop.quit(); });
  TimerProbe later(note("later"));
  TimerProbe outer([&] {
    quitter.timer.expires = loop.now();
    loop.register_timer(quitter.timer);
    loop.run();
    log.push_back("nested returned");
  });
  outer.timer.expires = at(0);
  later.timer.expires = at(5);
  loop.register_timer(outer.timer);
  loop.register_timer(later.timer);
  loop.run();
  EXPECT_EQ(log, (std::vector<std::string>{"nested returned"}));
  loop.run();
  EXPECT_EQ(log, (std::vector<std::string>{"nested returned", "later"}));
}

TEST_P(Nested, LOOP_012_destroying_the_loop_from_its_own_callback_is_fatal) {
  // [req:LOOP-012] [req:FATAL-003]
  const std::string message = fatal_message_of([this] {
    auto own = std::make_unique<Loop>(LoopOptions{.clock = &clock, .backend = GetParam()});
    Loop* raw = own.get();
    TaskProbe destroy([&] { own.reset(); });
    raw->register_task(destroy.task);
    raw->run();
  });
  EXPECT_EQ(message, "Loop::~Loop: called from inside a callback of this loop");
}

TEST_P(Nested, LOOP_013_objects_of_a_destroyed_loop_are_fatal_in_a_new_loop) {
  // [req:LOOP-013] [req:LOOP-009]: a timer, task and fd left registered with a destroyed loop; a
  // new loop built in the very same storage (so it has the old one's address, which an allocator
  // may well hand out again) must refuse each of them with the documented message. With owners
  // recorded by address it took them for its own and corrupted its heap and count.
  FdPair p = FdPair::pipe();
  for (const char* kind : {"timer", "task", "fd"}) {
    const std::string message = fatal_message_of([&] {
      Timer timer;
      Task task;
      FdProbe fd(p.read_end);
      alignas(Loop) unsigned char storage[sizeof(Loop)];
      auto* first = new (storage) Loop(LoopOptions{.clock = &clock, .backend = GetParam()});
      first->register_timer(timer);
      first->register_task(task);
      first->register_fd(fd.fd);
      first->~Loop();
      auto* second = new (storage) Loop(LoopOptions{.clock = &clock, .backend = GetParam()});
      if (std::string(kind) == "timer") second->unregister_timer(timer);
      if (std::string(kind) == "task") second->unregister_task(task);
      if (std::string(kind) == "fd") second->unregister_fd(fd.fd);
      second->~Loop();
    });
    const std::string call = std::string("Loop::unregister_") + kind;
    EXPECT_EQ(message, call + ": called with an object registered with another loop") << kind;
  }
}

REFLOOP_ON_EVERY_BACKEND(Nested);

}  // namespace
}  // namespace refloop::test
