// SPDX-License-Identifier: ISC
// The churn soak: refloop's C++ loop over many eventfds (10,000 or what the fd limit allows)
// and a thousand timers, with a million iterations of random register/unregister churn on both,
// a write to a random eventfd and a non-blocking iteration every 64 steps. Prints RSS after
// setup, before the churn (after a warm-up) and after it, in the harness's line format, plus the
// object sizes. Built with -DREFLOOP_SANITIZERS=address, LeakSanitizer checks the exit.
//   bench-churn-soak --backend epoll --fds 10000 --iterations 1000000
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "refloop/loop/loop.hpp"

// Heap allocations through operator new, counted so the soak can say whether the steady path
// allocates. Not in ASan builds, whose own operator new must stay in place.
#ifndef __SANITIZE_ADDRESS__
namespace {
std::atomic<std::uint64_t> allocations{0};
}
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
#define REFLOOP_SOAK_COUNTS_ALLOCATIONS 1
#endif

namespace {

std::uint64_t allocations_so_far() {
#ifdef REFLOOP_SOAK_COUNTS_ALLOCATIONS
  return allocations.load(std::memory_order_relaxed);
#else
  return 0;
#endif
}

struct Settings {
  std::string backend = "epoll";
  std::size_t fds = 10000;
  std::size_t timers = 1000;
  std::uint64_t iterations = 1000000;
};

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], value = argv[i + 1];
    if (name == "--backend") settings.backend = value;
    else if (name == "--fds") settings.fds = std::stoul(value);
    else if (name == "--timers") settings.timers = std::stoul(value);
    else if (name == "--iterations") settings.iterations = std::stoull(value);
    else {
      std::fprintf(stderr, "usage: %s [--backend B] [--fds N] [--timers M] [--iterations I]\n", argv[0]);
      std::exit(2);
    }
  }
  return settings;
}

long rss_kb() {
  long pages = 0, resident = 0;
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr || std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) std::abort();
  std::fclose(statm);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// xorshift64: the churn is random but the same in every run.
std::uint64_t next_random(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

void drain(void* cookie) {
  std::uint64_t value;
  if (read(static_cast<refloop::Fd*>(cookie)->fd, &value, sizeof value) < 0) {
    // EAGAIN: another write has not happened yet; nothing to take.
  }
}

void on_timer(void*) {}

class Soak {
 public:
  explicit Soak(const Settings& settings)
      : settings_(settings), loop_(refloop::LoopOptions{.backend = settings.backend}),
        fds_(settings.fds), timers_(settings.timers) {}

  void open_fds() {
    for (auto& fd : fds_) {
      fd.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (fd.fd < 0) { std::perror("eventfd"); std::exit(1); }
      fd.cookie = &fd;
      fd.handler_in = drain;
      loop_.register_fd(fd);
    }
    for (auto& timer : timers_) timer.handler = on_timer;
    loop_.run_once(refloop::RunMode::nowait);
  }

  void churn(std::uint64_t iterations) {
    for (std::uint64_t i = 0; i < iterations; i++) {
      std::uint64_t r = next_random(random_);
      toggle(fds_[r % fds_.size()]);
      toggle(timers_[(r >> 24) % timers_.size()], (r >> 40) % 2'000'000);
      if (i % 64 == 0) {
        std::uint64_t one = 1;
        if (write(fds_[(r >> 8) % fds_.size()].fd, &one, sizeof one) != sizeof one) std::abort();
        loop_.invalidate_now();
        loop_.run_once(refloop::RunMode::nowait);
      }
    }
  }

  void close_all() {
    for (auto& timer : timers_)
      if (refloop::Loop::registered(timer)) loop_.unregister_timer(timer);
    for (auto& fd : fds_) {
      if (refloop::Loop::registered(fd)) loop_.unregister_fd(fd);
      close(fd.fd);
    }
  }

 private:
  void toggle(refloop::Fd& fd) {
    if (refloop::Loop::registered(fd)) loop_.unregister_fd(fd);
    else loop_.register_fd(fd);
  }
  void toggle(refloop::Timer& timer, std::uint64_t delay_ns) {
    if (refloop::Loop::registered(timer)) {
      loop_.unregister_timer(timer);
      return;
    }
    timer.expires = loop_.now() + refloop::tain::normalised(0, delay_ns);
    loop_.register_timer(timer);
  }

  Settings settings_;
  refloop::Loop loop_;
  std::vector<refloop::Fd> fds_;
  std::vector<refloop::Timer> timers_;
  std::uint64_t random_ = 0x9e3779b97f4a7c15u;
};

void emit(const Settings& settings, const char* metric, double value) {
  std::printf("bench refloop-cxx %s soak eventfd %zu %s %.3f\n", settings.backend.c_str(),
              settings.fds, metric, value);
}

double seconds_now() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  Settings settings = parse(argc, argv);
  long rss_empty = rss_kb();
  Soak soak(settings);
  soak.open_fds();
  long rss_registered = rss_kb();
  soak.churn(10000);  // warm-up: the loop's vectors reach their working size
  long rss_before = rss_kb();
  std::uint64_t allocations_before = allocations_so_far();
  double started = seconds_now();
  soak.churn(settings.iterations);
  double elapsed = seconds_now() - started;
  std::uint64_t churn_allocations = allocations_so_far() - allocations_before;
  long rss_after = rss_kb();
  soak.close_all();
  emit(settings, "rss_empty_kb", static_cast<double>(rss_empty));
  emit(settings, "rss_registered_kb", static_cast<double>(rss_registered));
  emit(settings, "rss_before_kb", static_cast<double>(rss_before));
  emit(settings, "rss_after_kb", static_cast<double>(rss_after));
  emit(settings, "iterations", static_cast<double>(settings.iterations));
  emit(settings, "seconds", elapsed);
#ifdef REFLOOP_SOAK_COUNTS_ALLOCATIONS
  emit(settings, "allocations_per_1000", static_cast<double>(churn_allocations) * 1000.0 /
                                             static_cast<double>(settings.iterations));
#else
  (void)churn_allocations;
#endif
  emit(settings, "sizeof_fd", sizeof(refloop::Fd));
  emit(settings, "sizeof_timer", sizeof(refloop::Timer));
  // LeakSanitizer's report ends the process from an exit handler, before stdio would flush.
  std::fflush(stdout);
  return 0;
}
