// SPDX-License-Identifier: ISC
// refloop's C++ loop (refloop::Loop) on the backend named by --config, in the harness's terms.
// Re-arm is what a refloop program does to re-add an fd: unregister_fd, then register_fd.
// --config epoll~no-pwait2 is the epoll backend on a kernel table that refuses epoll_pwait2
// (kernel::FaultCalls::deny, ENOSYS): its millisecond fallback (spec/loop.md, BACKEND-012), named
// so that no one takes it for what this kernel does natively.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "bench.h"
#include "refloop/kernel/fault.hpp"
#include "refloop/loop/loop.hpp"

namespace {

std::unique_ptr<refloop::Loop> loop;
std::vector<refloop::Fd> fds;
std::vector<refloop::Timer> timers;
refloop::tain timer_base;
int64_t last_lateness_ns;

std::size_t index_of(void* cookie) { return reinterpret_cast<std::uintptr_t>(cookie); }
void* cookie_of(std::size_t index) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(index)); }

constexpr std::string_view without_pwait2 = "~no-pwait2";
refloop::kernel::FaultCalls refusing_pwait2{refloop::kernel::native_syscalls()};
refloop::kernel::SysCalls refusing_pwait2_table;

int open_loop(const char* config) {
  std::string_view backend = config;
  const refloop::kernel::SysCalls* sys = nullptr;
  if (backend.ends_with(without_pwait2)) {
    backend.remove_suffix(without_pwait2.size());
    refusing_pwait2.deny("epoll_pwait2", ENOSYS);
    refusing_pwait2_table = refusing_pwait2.table();
    sys = &refusing_pwait2_table;
  }
  auto compiled = refloop::compiled_backends();
  if (!backend.empty() && std::find(compiled.begin(), compiled.end(), backend) == compiled.end())
    return -1;
  loop = std::make_unique<refloop::Loop>(refloop::LoopOptions{.backend = backend, .sys = sys});
  return 0;
}

void close_loop() {
  for (auto& fd : fds)
    if (refloop::Loop::registered(fd)) loop->unregister_fd(fd);
  loop.reset();
}

void on_readable(void* cookie) { bench_channel_readable(index_of(cookie)); }

void io_prepare(std::size_t channels) { fds = std::vector<refloop::Fd>(channels); }

void io_watch(std::size_t channel, int descriptor) {
  refloop::Fd& fd = fds[channel];
  fd.fd = descriptor;
  fd.cookie = cookie_of(channel);
  fd.handler_in = on_readable;
  loop->register_fd(fd);
}

void io_rearm(std::size_t channel, int) {
  loop->unregister_fd(fds[channel]);
  loop->register_fd(fds[channel]);
}

void io_run() { loop->run(); }
void io_stop() { loop->quit(); }

void on_timer(void* cookie) { bench_timer_fired(index_of(cookie)); }

void timers_prepare(std::size_t count) {
  timers = std::vector<refloop::Timer>(count);
  for (std::size_t i = 0; i < count; i++) {
    timers[i].cookie = cookie_of(i);
    timers[i].handler = on_timer;
  }
}

void timers_refresh_now() {
  loop->invalidate_now();
  timer_base = loop->now();
}

void timer_start(std::size_t timer, uint64_t offset_ns) {
  timers[timer].expires = timer_base + refloop::tain::normalised(0, offset_ns);
  loop->register_timer(timers[timer]);
}

void timer_cancel(std::size_t timer) { loop->unregister_timer(timers[timer]); }
// The expiries passed while the harness slept outside the loop; the loop's cached time (as
// ivykis's) still says when the timers started, so refresh it first, as a program that had been
// running its loop all along would have it, instead of waiting a stale timeout.
void timers_run() {
  loop->invalidate_now();
  loop->run();
}

// Signed difference a - b in ns (tain arithmetic is modular, so order first).
int64_t difference_ns(const refloop::tain& a, const refloop::tain& b) {
  bool negative = a < b;
  refloop::tain magnitude = negative ? b - a : a - b;
  auto ns = static_cast<int64_t>(magnitude.sec() * 1'000'000'000u + magnitude.nano());
  return negative ? -ns : ns;
}

void on_lateness_timer(void* cookie) {
  auto* timer = static_cast<refloop::Timer*>(cookie);
  last_lateness_ns = difference_ns(loop->clock().now(), timer->expires);
}

int64_t lateness_sample(uint64_t deadline_ns) {
  refloop::Timer timer;
  loop->invalidate_now();
  timer.expires = loop->now() + refloop::tain::normalised(0, deadline_ns);
  timer.cookie = &timer;
  timer.handler = on_lateness_timer;
  loop->register_timer(timer);
  loop->run();
  return last_lateness_ns;
}

}  // namespace

int main(int argc, char** argv) {
  bench_library library{};
  library.name = "refloop-cxx";
  library.open = open_loop;
  library.close = close_loop;
  library.io_prepare = io_prepare;
  library.io_watch = io_watch;
  library.io_rearm = io_rearm;
  library.io_run = io_run;
  library.io_stop = io_stop;
  library.timers_prepare = timers_prepare;
  library.timers_refresh_now = timers_refresh_now;
  library.timer_start = timer_start;
  library.timer_cancel = timer_cancel;
  library.timers_run = timers_run;
  library.lateness_sample = lateness_sample;
  return bench_main(&library, argc, argv);
}
