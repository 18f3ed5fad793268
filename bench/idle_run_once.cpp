// SPDX-License-Identifier: ISC
// Micro-benchmark (not a test; never run by ctest): the cost of one idle Loop::run_once on each
// compiled backend, i.e. one iteration whose poll finds nothing ready. One pipe read end with a
// read handler is registered and never written, and each iteration is run_once(RunMode::nowait),
// so every iteration makes exactly one zero-timeout kernel wait. Prints nanoseconds per iteration
// (the median of several batches) per backend. Build it with a release configuration.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "refloop/loop/loop.hpp"

namespace {

void never_called(void* /*cookie*/) { std::abort(); }

double nanoseconds_per_idle_iteration(std::string_view backend, int iterations) {
  refloop::Stopwatch clock;
  refloop::Loop loop(refloop::LoopOptions{&clock, backend});
  int ends[2];
  if (::pipe(ends) != 0) std::abort();
  refloop::Fd fd;
  fd.fd = ends[0];
  fd.handler_in = never_called;
  loop.register_fd(fd);
  for (int i = 0; i < 1000; ++i) loop.run_once(refloop::RunMode::nowait);  // warm up
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) loop.run_once(refloop::RunMode::nowait);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  loop.unregister_fd(fd);
  ::close(ends[0]);
  ::close(ends[1]);
  return std::chrono::duration<double, std::nano>(elapsed).count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200'000;
  for (std::string_view backend : refloop::compiled_backends()) {
    std::vector<double> batches;
    for (int batch = 0; batch < 7; ++batch)
      batches.push_back(nanoseconds_per_idle_iteration(backend, iterations));
    std::sort(batches.begin(), batches.end());
    std::printf("%-8.*s %8.1f ns per idle run_once (median of %zu batches of %d)\n",
                static_cast<int>(backend.size()), backend.data(), batches[batches.size() / 2],
                batches.size(), iterations);
  }
  return 0;
}
