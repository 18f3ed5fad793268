// SPDX-License-Identifier: ISC
// Tests of the iopause model itself: its rules reproduce the measured Linux facts it is built
// on (spec/iopause.md's table of what each call reports for each fd kind; select's column is the
// normalised answer), and its timing
// arithmetic follows spec/iopause.md. The property tests then hold the implementation to it.
#include <gtest/gtest.h>

#include <limits>

#include "iopause/iopause_model.hpp"

namespace m = refloop::model::iopause_model;
using refloop::model::make;

namespace {

m::World one(m::Channel c, unsigned end, short events) {
  return m::World{{c}, {m::Entry{false, 0, end, events}}};
}

short answer(const m::World& w, m::Impl impl) { return m::revents(w, w.entries[0], impl); }

}  // namespace

// [req:IOPAUSE-020] [req:IOPAUSE-021]
TEST(IopauseModel, IOPAUSE_020_measured_situations) {
  for (m::Impl impl : m::all_impls) {
    EXPECT_EQ(answer(one(m::Channel{}, 0, m::read_mask), impl), 0);
    EXPECT_EQ(answer(one(m::Channel{false, {3, 0}, {}}, 0, m::read_mask), impl), 0x11);
    EXPECT_EQ(answer(one(m::Channel{false, {3, 0}, {false, true}}, 0, m::read_mask), impl), 0x11);
    EXPECT_EQ(answer(one(m::Channel{false, {0, 0}, {false, true}}, 0, m::read_mask), impl), 0x11);
    EXPECT_EQ(answer(one(m::Channel{false, {0, 0}, {true, false}}, 1, m::write_mask), impl), 0x04);
    EXPECT_EQ(answer(one(m::Channel{true, {0, 0}, {false, true}}, 0, m::read_mask | m::write_mask), impl), 0x15);
  }
}

// [req:IOPAUSE-010] [req:IOPAUSE-022]
TEST(IopauseModel, IOPAUSE_022_closed_and_ignored) {
  const m::Channel closed_read{false, {0, 0}, {true, false}};
  for (m::Impl impl : m::all_impls) {
    EXPECT_EQ(answer(one(closed_read, 0, m::read_mask), impl), 0x31);
    EXPECT_EQ(answer(one(closed_read, 0, 0), impl), 0);
    EXPECT_EQ(answer(one(closed_read, 0, m::except_mask), impl), 0);
    m::World negative{{m::Channel{}}, {m::Entry{true, 0, 0, m::read_mask}}};
    EXPECT_EQ(answer(negative, impl), 0);
  }
}

// [req:IOPAUSE-023]
TEST(IopauseModel, IOPAUSE_023_hangup_outside_the_classes_asked) {
  const m::World w = one(m::Channel{false, {0, 0}, {false, true}}, 0, m::write_mask);
  EXPECT_EQ(answer(w, m::Impl::ppoll), POLLHUP);
  EXPECT_EQ(answer(w, m::Impl::poll), POLLHUP);
  EXPECT_EQ(answer(w, m::Impl::select), 0);
}

// [req:IOPAUSE-012] [req:IOPAUSE-014] [req:IOPAUSE-032]
TEST(IopauseModel, IOPAUSE_032_clock_moves_to_the_deadline) {
  const m::World nothing{{m::Channel{}}, {m::Entry{false, 0, 0, m::read_mask}}};
  const auto deadline = make(100, 5);
  const m::Answer a = m::call(nothing, m::Impl::poll, deadline, make(90, 0), make(90, 0));
  EXPECT_EQ(a.result, 0);
  EXPECT_EQ(a.clock_after, deadline);
  const m::Answer passed = m::call(nothing, m::Impl::poll, deadline, make(200, 0), make(200, 0));
  EXPECT_EQ(passed.clock_after, make(200, 0));
  // A clock behind the stamp: iopause_stamp waits again until the stamp reaches the deadline.
  const m::StampAnswer s = m::stamp_call(nothing, m::Impl::ppoll, deadline, make(95, 0), make(90, 0));
  EXPECT_EQ(s.stamp, deadline);
  EXPECT_EQ(s.last.result, 0);
}

// [req:IOPAUSE-016] [req:IOPAUSE-015]
TEST(IopauseModel, IOPAUSE_016_native_timeouts_round_up) {
  EXPECT_EQ(m::native_timeout(m::Impl::ppoll, make(0, 1)), (m::Native{0, 1}));
  EXPECT_EQ(m::native_timeout(m::Impl::poll, make(0, 1)), (m::Native{0, 1}));
  EXPECT_EQ(m::native_timeout(m::Impl::select, make(0, 1)), (m::Native{0, 1}));
  EXPECT_EQ(m::native_timeout(m::Impl::poll, make(0, 1'000'001)), (m::Native{0, 2}));
  EXPECT_EQ(m::native_timeout(m::Impl::select, make(0, 999'999'500)), (m::Native{1, 0}));
  EXPECT_EQ(m::native_timeout(m::Impl::poll, make(30 * 86400, 0)), (m::Native{0, INT_MAX}));
  const std::int64_t longest = std::numeric_limits<time_t>::max();  // 2^31 - 1 s on armhf (TAIN-015)
  EXPECT_EQ(m::native_timeout(m::Impl::ppoll, make(UINT64_MAX, 0)), (m::Native{longest, 999'999'999}));
}
