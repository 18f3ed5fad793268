// SPDX-License-Identifier: ISC
// Unit tests for the clocks (spec/time.md, CLOCK). Real-clock tests only compare readings with
// readings; they assert order, never durations, so they cannot flake.
#include <gtest/gtest.h>

#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "refloop/time/clock.hpp"
#include "refloop/time/leap.hpp"

namespace refloop {
namespace {

tain from_realtime(const timespec& ts) {
  return tain::normalised(tai_from_utc(ts.tv_sec).x, static_cast<std::uint64_t>(ts.tv_nsec));
}

TEST(Clock, CLOCK_001_clocks_are_injectable_through_one_interface) {
  // [req:CLOCK-001]
  SimulatedClock sim(tain_epoch);
  Clock& clock = sim;
  EXPECT_EQ(clock.now(), tain_epoch);
}

TEST(Clock, CLOCK_002_wall_clock_is_realtime_plus_leap_seconds) {
  // [req:CLOCK-002]
  timespec before{}, after{};
  clock_gettime(CLOCK_REALTIME, &before);
  const tain wall = WallClock().now();
  clock_gettime(CLOCK_REALTIME, &after);
  EXPECT_LE(from_realtime(before), wall);
  EXPECT_LE(wall, from_realtime(after));
  // Since 2017 TAI - UTC is 37 s, and the label adds 10 more under skalibs' convention... minus
  // the 10 already in TAI - UTC: label - 2^62 - posix == 37.
  EXPECT_EQ(wall.sec() - tai_magic - static_cast<std::uint64_t>(before.tv_sec) >= 37, true);
}

TEST(Clock, CLOCK_003_stopwatch_is_monotonic_and_measures_monotonic_time) {
  // [req:CLOCK-003]
  Stopwatch watch;
  timespec m1{}, m2{};
  const tain a = watch.now();
  clock_gettime(CLOCK_MONOTONIC, &m1);
  clock_gettime(CLOCK_MONOTONIC, &m2);
  const tain b = watch.now();
  EXPECT_LE(a, b);
  const tain elapsed_mono = *tain_from_timespec_relative(m2) - *tain_from_timespec_relative(m1);
  EXPECT_LE(elapsed_mono, b - a);
  // Anchored to the wall clock: a reading lies within a second of the wall clock.
  const tain wall = WallClock().now();
  const tain gap = wall < b ? b - wall : wall - b;
  EXPECT_LT(gap, tain::seconds(1));
}

TEST(Clock, CLOCK_004_simulated_clock_moves_only_when_told) {
  // [req:CLOCK-004]
  SimulatedClock sim(tain::seconds(100));
  EXPECT_EQ(sim.now(), tain::seconds(100));
  EXPECT_EQ(sim.now(), tain::seconds(100));
  sim.advance(*tain::checked(0, 5));
  EXPECT_EQ(sim.now(), *tain::checked(100, 5));
  sim.set(tain::seconds(7));
  EXPECT_EQ(sim.now(), tain::seconds(7));
  EXPECT_EQ(SimulatedClock().now(), tain_epoch);
}

TEST(Clock, CLOCK_005_only_the_simulated_clock_shortens_kernel_waits) {
  // [req:CLOCK-005]
  const tain wanted = *tain::checked(3, 5);
  WallClock wall;
  Stopwatch watch;
  SimulatedClock sim;
  EXPECT_EQ(wall.kernel_timeout(wanted), wanted);
  EXPECT_EQ(watch.kernel_timeout(wanted), wanted);
  EXPECT_EQ(sim.kernel_timeout(wanted), tain_zero);
}

TEST(Clock, CLOCK_008_a_kernel_nap_caps_waits_and_moves_nothing) {
  // [req:CLOCK-008]
  SimulatedClock sim(tain::seconds(10));
  const tain nap = tain::normalised(0, 1);
  sim.set_kernel_nap(nap);
  EXPECT_EQ(sim.kernel_timeout(*tain::checked(3, 5)), nap);
  EXPECT_EQ(sim.kernel_timeout(tain_infinite_relative), nap);
  EXPECT_EQ(sim.kernel_timeout(tain_zero), tain_zero);  // a check stays a check
  EXPECT_EQ(sim.now(), tain::seconds(10));
  sim.waited_idle(tain::seconds(2));
  EXPECT_EQ(sim.now(), tain::seconds(12));  // the idle wait still jumps by what was wanted
  sim.set_kernel_nap(tain_zero);
  EXPECT_EQ(sim.kernel_timeout(*tain::checked(3, 5)), tain_zero);
}

TEST(Clock, CLOCK_006_idle_wait_jumps_the_simulated_clock_to_the_deadline) {
  // [req:CLOCK-006]
  SimulatedClock sim(tain::seconds(10));
  sim.waited_idle(*tain::checked(2, 1));
  EXPECT_EQ(sim.now(), *tain::checked(12, 1));
  EXPECT_THROW(sim.waited_idle(tain_infinite_relative), SimulatedDeadlock);
  EXPECT_EQ(sim.now(), *tain::checked(12, 1));
  Stopwatch watch;
  const tain before = watch.now();
  watch.waited_idle(tain::seconds(1000));  // ignored: a real clock is not moved by waiting
  EXPECT_LT(watch.now() - before, tain::seconds(1000));
}

// Whether source text reads a system clock: clock_gettime, gettimeofday, time(NULL), time(nullptr),
// time(0) or a std::chrono clock, each as a whole word. (Hand-written rather than a std::regex, whose
// libstdc++ 12 code draws -Wmaybe-uninitialized false positives.)
bool reads_system_clock(std::string_view text) {
  const auto word_starts_at = [&](std::size_t at) {
    return at == 0 || !(std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_');
  };
  const auto skip_spaces = [&](std::size_t at) {
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
    return at;
  };
  for (std::string_view name : {"clock_gettime", "gettimeofday", "std::chrono::system_clock",
                                "std::chrono::steady_clock", "std::chrono::high_resolution_clock"})
    for (auto at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1))
      if (word_starts_at(at)) return true;
  for (auto at = text.find("time"); at != std::string_view::npos; at = text.find("time", at + 1)) {
    if (!word_starts_at(at)) continue;
    std::size_t next = skip_spaces(at + 4);
    if (next >= text.size() || text[next] != '(') continue;
    next = skip_spaces(next + 1);
    for (std::string_view null : {"NULL", "nullptr", "0"}) {
      if (text.substr(next, null.size()) != null) continue;
      const std::size_t close = skip_spaces(next + null.size());
      if (close < text.size() && text[close] == ')') return true;
    }
  }
  return false;
}

TEST(Clock, CLOCK_007_the_scan_recognises_every_clock_read) {
  // [req:CLOCK-007] The scan below is only as good as this recogniser.
  for (const char* read : {"clock_gettime(CLOCK_MONOTONIC, &ts)", "x = gettimeofday(&tv, 0);", "time(NULL)",
                           "t = time( nullptr );", "(time(0))", "std::chrono::steady_clock::now()",
                           "std::chrono::system_clock", "std::chrono::high_resolution_clock"})
    EXPECT_TRUE(reads_system_clock(read)) << read;
  for (const char* other : {"my_clock_gettime(x)", "runtime(NULL)", "time(&t)", "timeout(0)", "time_t t;",
                            "tai_time(NULL)", "std::chrono::nanoseconds", "time(1)", "time"})
    EXPECT_FALSE(reads_system_clock(other)) << other;
}

TEST(Clock, CLOCK_007_nothing_above_the_time_layer_reads_a_system_clock) {
  // [req:CLOCK-007] A source scan: the only clock reads allowed are in impl/time.
  int scanned = 0;
  for (const char* area : {"impl/iopause", "impl/backend", "impl/loop", "impl/compat"}) {
    const std::filesystem::path dir = std::filesystem::path(REFLOOP_SOURCE_DIR) / area;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename().string().find("_test") != std::string::npos) continue;
      std::ifstream in(entry.path());
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      ++scanned;
      // The skalibs compatibility layer reproduces skalibs' clock functions, which read the
      // system clock by definition; it must do so through impl/time, so it is scanned too.
      EXPECT_FALSE(reads_system_clock(text)) << entry.path() << " reads a system clock itself";
    }
  }
  // Not vacuous: the areas above the time layer exist and were read.
  EXPECT_GT(scanned, 10) << "the scan found no sources above the time layer";
}

}  // namespace
}  // namespace refloop
