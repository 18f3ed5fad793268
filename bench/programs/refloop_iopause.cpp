// SPDX-License-Identifier: ISC
// A skalibs-style loop on refloop's C++ iopause API (refloop/iopause/iopause.hpp): the same
// arrays and calls as skalibs_iopause.c, through refloop::iopause_function(which) and a
// Stopwatch. --config names the implementation (ppoll, poll, select; "" is ppoll, the default).
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "bench.h"
#include "refloop/iopause/iopause.hpp"

namespace {

std::vector<refloop::iopause_fd> entries;
refloop::IopauseImpl which = refloop::iopause_default_impl;
refloop::Stopwatch clock_source;
refloop::tain stamp;

int open_loop(const char* config) {
  if (config[0] != '\0') {
    auto named = refloop::iopause_impl_from_name(config);
    if (!named) return -1;
    which = *named;
  }
  stamp = clock_source.now();
  return 0;
}

void close_loop() {}
void io_prepare(std::size_t channels) { entries.assign(channels, refloop::iopause_fd{}); }

void io_rearm(std::size_t channel, int fd) {
  entries[channel].fd = fd;
  entries[channel].events = refloop::iopause_read;
}

void io_run() {
  refloop::iopause_func wait = refloop::iopause_function(which);
  while (!bench_io_finished()) {
    int result = wait(entries, nullptr, stamp, clock_source);
    stamp = clock_source.now();
    if (result <= 0) continue;
    for (std::size_t i = 0; i < entries.size(); i++)
      if (entries[i].revents & refloop::iopause_read) bench_channel_readable(i);
  }
}

int64_t difference_ns(const refloop::tain& a, const refloop::tain& b) {
  bool negative = a < b;
  refloop::tain magnitude = negative ? b - a : a - b;
  auto ns = static_cast<int64_t>(magnitude.sec() * 1'000'000'000u + magnitude.nano());
  return negative ? -ns : ns;
}

// iopause_stamp returns 0 only once the stamp has reached the deadline (IOPAUSE-030..).
int64_t lateness_sample(uint64_t deadline_ns) {
  stamp = clock_source.now();
  refloop::tain deadline = stamp + refloop::tain::normalised(0, deadline_ns);
  std::span<refloop::iopause_fd> nothing;
  while (stamp < deadline) refloop::iopause_stamp(nothing, &deadline, stamp, clock_source, which);
  return difference_ns(stamp, deadline);
}

}  // namespace

int main(int argc, char** argv) {
  bench_library library{};
  library.name = "refloop-iopause";
  library.open = open_loop;
  library.close = close_loop;
  library.io_prepare = io_prepare;
  library.io_watch = io_rearm;
  library.io_rearm = io_rearm;
  library.io_run = io_run;
  library.lateness_sample = lateness_sample;
  return bench_main(&library, argc, argv);
}
