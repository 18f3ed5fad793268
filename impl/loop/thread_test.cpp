// SPDX-License-Identifier: ISC
// Loops in several threads at once (spec/loop.md, LOOP-008): each thread owns its loop, fds,
// timers and tasks; nothing is shared, so ThreadSanitizer (preset tsan) must stay silent.
#include <atomic>
#include <thread>

#include "loop_test_support.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;
using test::TaskProbe;
using test::TimerProbe;

// One thread's workload on its own loop: a pipe ping-pong with itself, timers and tasks, on the
// real clock. Returns how many handlers ran.
int run_private_loop(const std::string& backend) {
  Loop loop({.backend = backend});
  if (loop.backend_name() != backend) return -1;
  FdPair pipe = FdPair::pipe();
  FdProbe reader(pipe.read_end);
  int handled = 0;
  int reads = 0;
  TaskProbe writer([&] { pipe.put(); });
  reader.want_in([&] {
    pipe.drain();
    ++handled;
    if (++reads < 50) loop.register_task(writer.task);
    else loop.unregister_fd(reader.fd);
  });
  loop.register_fd(reader.fd);
  loop.register_task(writer.task);
  TimerProbe timers[5];
  for (int i = 0; i < 5; ++i) {
    timers[i].callback.body = [&handled] { ++handled; };
    timers[i].timer.expires = add_milliseconds(loop.now(), static_cast<std::uint64_t>(i));
    loop.register_timer(timers[i].timer);
  }
  loop.run();
  return handled;
}

TEST(Threads, LOOP_008_several_threads_each_run_their_own_loop) {
  // [req:LOOP-008]
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int round = 0; round < 2; ++round) {
    for (const std::string& backend : test::backend_names()) {
      threads.emplace_back([&good, backend] {
        if (run_private_loop(backend) == 55) ++good;
      });
    }
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), static_cast<int>(threads.size()));
}

}  // namespace
}  // namespace refloop
