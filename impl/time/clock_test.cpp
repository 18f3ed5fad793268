// SPDX-License-Identifier: ISC
// Unit tests for the clocks (spec/time.md, CLOCK). Real-clock tests only compare readings with
// readings; they assert order, never durations, so they cannot flake.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

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

TEST(Clock, CLOCK_007_nothing_above_the_time_layer_reads_a_system_clock) {
  // [req:CLOCK-007] A source scan: the only clock reads allowed are in impl/time.
  const std::regex clock_read(R"(\b(clock_gettime|gettimeofday|time\s*\(\s*(NULL|nullptr|0)\s*\)|std::chrono::(system|steady|high_resolution)_clock))");
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
      EXPECT_FALSE(std::regex_search(text, clock_read)) << entry.path() << " reads a system clock itself";
    }
  }
  // Not vacuous: the areas above the time layer exist and were read.
  EXPECT_GT(scanned, 10) << "the scan found no sources above the time layer";
}

}  // namespace
}  // namespace refloop
