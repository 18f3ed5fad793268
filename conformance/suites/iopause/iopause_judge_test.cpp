// SPDX-License-Identifier: ISC
// The iopause judge's rule for elapsed time (iopause_judge.hpp): exact on the simulated clock, and
// on the real clock never early and at most the late-side tolerance late, that tolerance being
// REFLOOP_REAL_TIME_TOLERANCE_MS when set. ctest runs this binary three times: with the variable
// unset (250 ms), with 2000, and with a value that is not a number of milliseconds (the runner
// must end naming the variable); each run checks the tolerance its environment asks for.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "iopause_judge.hpp"

namespace refloop::conformance::iopause_suite {
namespace {

constexpr std::int64_t ms = 1'000'000;

// What this run's environment asks for (the default when unset).
std::int64_t tolerance_asked() {
  const char* text = std::getenv("REFLOOP_REAL_TIME_TOLERANCE_MS");
  return text == nullptr ? 250 * ms : std::stoll(text) * ms;
}

TEST(IopauseJudge, IOPAUSE_014_the_simulated_clock_must_move_exactly) {
  EXPECT_FALSE(check_elapsed(5 * ms, 5 * ms, false));
  EXPECT_TRUE(check_elapsed(5 * ms, 5 * ms + 1, false));
  EXPECT_TRUE(check_elapsed(5 * ms, 5 * ms - 1, false));
}

TEST(IopauseJudge, IOPAUSE_014_a_real_wait_never_ends_early) {
  EXPECT_TRUE(check_elapsed(5 * ms, 5 * ms - 1, true));
  EXPECT_FALSE(check_elapsed(5 * ms, 5 * ms, true));
}

TEST(IopauseJudge, the_late_side_tolerance_is_the_one_the_environment_asks_for) {
  const std::int64_t tolerance = tolerance_asked();
  EXPECT_EQ(real_time_tolerance_ns(), tolerance);
  EXPECT_FALSE(check_elapsed(5 * ms, 5 * ms + tolerance, true));
  const auto verdict = check_elapsed(5 * ms, 5 * ms + tolerance + 1, true);
  ASSERT_TRUE(verdict);
  EXPECT_NE(verdict->find("late side tolerance " + std::to_string(tolerance) + " ns"), std::string::npos) << *verdict;
}

}  // namespace
}  // namespace refloop::conformance::iopause_suite
