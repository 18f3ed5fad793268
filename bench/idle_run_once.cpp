// SPDX-License-Identifier: ISC
// Micro-benchmark (not a test; never run by ctest): the cost of one idle Loop::run_once on each
// compiled backend, i.e. one iteration whose poll finds nothing ready. One pipe read end with a
// read handler is registered and never written, and each iteration is run_once(RunMode::nowait),
// so every iteration makes exactly one zero-timeout kernel wait. Prints nanoseconds per iteration
// per backend, the median of several batches, both of the thread's CPU time (user + system, the
// figure to compare on a shared machine) and of wall time. Build it with a release configuration.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "refloop/loop/loop.hpp"

namespace {

void never_called(void* /*cookie*/) { std::abort(); }

struct Cost {
  double cpu_ns;
  double wall_ns;
};

double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

Cost cost_per_idle_iteration(std::string_view backend, int iterations) {
  refloop::Stopwatch clock;
  refloop::Loop loop(refloop::LoopOptions{&clock, backend});
  int ends[2];
  if (::pipe(ends) != 0) std::abort();
  refloop::Fd fd;
  fd.fd = ends[0];
  fd.handler_in = never_called;
  loop.register_fd(fd);
  for (int i = 0; i < 1000; ++i) loop.run_once(refloop::RunMode::nowait);  // warm up
  const double cpu_start = thread_cpu_ns();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) loop.run_once(refloop::RunMode::nowait);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const double cpu = thread_cpu_ns() - cpu_start;
  loop.unregister_fd(fd);
  ::close(ends[0]);
  ::close(ends[1]);
  return Cost{cpu / iterations, std::chrono::duration<double, std::nano>(elapsed).count() / iterations};
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200'000;
  for (std::string_view backend : refloop::compiled_backends()) {
    std::vector<double> cpu;
    std::vector<double> wall;
    for (int batch = 0; batch < 7; ++batch) {
      const Cost cost = cost_per_idle_iteration(backend, iterations);
      cpu.push_back(cost.cpu_ns);
      wall.push_back(cost.wall_ns);
    }
    std::sort(cpu.begin(), cpu.end());
    std::sort(wall.begin(), wall.end());
    std::printf("%-8.*s %8.1f ns CPU, %8.1f ns wall per idle run_once (medians of %zu batches of %d)\n",
                static_cast<int>(backend.size()), backend.data(), cpu[cpu.size() / 2],
                wall[wall.size() / 2], cpu.size(), iterations);
  }
  return 0;
}
