// SPDX-License-Identifier: ISC
// Unit tests for spec/iopause.md, sections DATA, WAIT, IMPL and STAMP: choosing an
// implementation, the native timeouts (observed by the kernel-table spy of
// testing/spy_calls.hpp), clamping, the clock protocol, and iopause_stamp's loop.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "refloop/iopause/iopause.hpp"
#include "testing/spy_calls.hpp"
#include "testing/test_fds.hpp"

namespace refloop {
namespace {

using testing::FdPair;
using testing::NativeKind;
using testing::SpyCalls;

constexpr IopauseImpl impls[] = {IopauseImpl::ppoll, IopauseImpl::poll, IopauseImpl::select};

// A clock that passes waits through to the kernel (as the real clocks do) and records them.
class RecordingClock final : public Clock {
 public:
  tain now() override { return now_; }
  tain kernel_timeout(const tain& wanted) override {
    asked.push_back(wanted);
    return wanted;
  }
  void waited_idle(const tain& wanted) override { idle.push_back(wanted); }
  tain now_ = tain_epoch;
  std::vector<tain> asked;
  std::vector<tain> idle;
};

// A clock that moves `tick` at every reading and never lets the kernel block.
class TickingClock final : public Clock {
 public:
  explicit TickingClock(tain tick, bool idle_moves_half = false)
      : tick_(tick), idle_moves_half_(idle_moves_half) {}
  tain now() override { return t_ = t_ + tick_; }
  tain kernel_timeout(const tain& wanted) override {
    asked.push_back(wanted);
    return tain_zero;
  }
  void waited_idle(const tain& wanted) override {
    t_ = t_ + (idle_moves_half_ ? half(wanted) + tain::normalised(0, 1) : wanted);
  }
  std::vector<tain> asked;

 private:
  tain t_ = tain_epoch;
  tain tick_;
  bool idle_moves_half_;
};

tain ns(std::uint64_t n) { return tain::normalised(0, n); }

// Whether `text` contains one of `words` (static_cast and static_assert do not count: "static ").
bool mentions(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    if (text.find(word) != std::string::npos) return true;
  }
  return false;
}

// [req:IOPAUSE-003] [req:IOPAUSE-004]
TEST(Iopause, IOPAUSE_004_choosing_an_implementation) {
  EXPECT_EQ(iopause_function(IopauseImpl::ppoll), &iopause_ppoll);
  EXPECT_EQ(iopause_function(IopauseImpl::poll), &iopause_poll);
  EXPECT_EQ(iopause_function(IopauseImpl::select), &iopause_select);
  EXPECT_EQ(iopause_default_impl, IopauseImpl::ppoll);
  for (IopauseImpl which : impls) EXPECT_EQ(iopause_impl_from_name(iopause_impl_name(which)), which);
  EXPECT_FALSE(iopause_impl_from_name("epoll"));
  EXPECT_FALSE(iopause_impl_from_name(""));
  EXPECT_STREQ(iopause_impl_name(static_cast<IopauseImpl>(99)), "?");
  EXPECT_EQ(iopause_function(static_cast<IopauseImpl>(99)), &iopause_ppoll);
}

// [req:IOPAUSE-005] [req:CLOCK-007] No system clock and no mutable static state in impl/iopause.
TEST(Iopause, IOPAUSE_005_no_clock_reads_no_global_state) {
  const std::filesystem::path root = REFLOOP_SOURCE_DIR;
  std::vector<std::filesystem::path> files{root / "impl/include/refloop/iopause/iopause.hpp"};
  for (const auto& entry : std::filesystem::directory_iterator(root / "impl/iopause")) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.find("_test") == std::string::npos) files.push_back(entry.path());
  }
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(mentions(text.str(), {"clock_gettime", "gettimeofday", "std::chrono", "time(",
                                       "static ", "thread_local"}))
        << file;
  }
  EXPECT_GE(files.size(), 6u);
}

// [req:IOPAUSE-012]
TEST(Iopause, IOPAUSE_012_passed_deadline_is_a_check) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    RecordingClock clock;
    const tain deadline = clock.now_;
    const tain stamp = add_seconds(deadline, 5);
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0}};
    SpyCalls spy;
    EXPECT_EQ(iopause_wait(which, fds, &deadline, stamp, clock, spy.sys()), 0);
    p.write_to(1, "x");
    EXPECT_EQ(iopause_wait(which, fds, &deadline, deadline, clock, spy.sys()), 1);
    ASSERT_EQ(spy.calls.size(), 2u);
    for (const auto& call : spy.calls) {
      EXPECT_FALSE(call.no_timeout);
      EXPECT_EQ(call.poll_timeout + call.ppoll_timeout.tv_sec + call.ppoll_timeout.tv_nsec +
                    call.select_timeout.tv_sec + call.select_timeout.tv_usec, 0);
    }
    EXPECT_EQ(clock.asked, (std::vector<tain>{tain_zero, tain_zero}));
  }
}

// [req:IOPAUSE-013]
TEST(Iopause, IOPAUSE_013_null_deadline_waits_forever) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0}};
    SimulatedClock simulated;
    EXPECT_THROW(iopause_function(which)(fds, nullptr, simulated.now(), simulated), SimulatedDeadlock);
    p.write_to(1, "x");
    RecordingClock clock;
    SpyCalls spy;
    EXPECT_EQ(iopause_wait(which, fds, nullptr, tain_zero, clock, spy.sys()), 1);
    ASSERT_EQ(spy.calls.size(), 1u);
    EXPECT_TRUE(spy.calls[0].no_timeout);
    if (which == IopauseImpl::poll) {
      EXPECT_EQ(spy.calls[0].poll_timeout, -1);
    }
    EXPECT_EQ(clock.asked, std::vector<tain>{tain_infinite_relative});
    EXPECT_EQ(iopause_wait(which, fds, nullptr, tain_zero, simulated, spy.sys()), 1);  // finite check
    EXPECT_FALSE(spy.calls[1].no_timeout);
  }
}

// [req:IOPAUSE-014]
TEST(Iopause, IOPAUSE_014_clock_protocol) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0}};
    RecordingClock clock;
    const tain stamp = clock.now_;
    const tain deadline = stamp + ns(1500);
    SpyCalls spy;
    spy.script.push_back({0, 0});
    EXPECT_EQ(iopause_wait(which, fds, &deadline, stamp, clock, spy.sys()), 0);
    EXPECT_EQ(clock.asked, std::vector<tain>{ns(1500)});
    EXPECT_EQ(clock.idle, std::vector<tain>{ns(1500)});
    p.write_to(1, "x");
    EXPECT_EQ(iopause_wait(which, fds, &deadline, stamp, clock, spy.sys()), 1);
    EXPECT_EQ(clock.idle.size(), 1u);  // not told about a wait that found something
    SimulatedClock simulated(stamp);
    fds[0].fd = p[1];  // the write end, watched for READ: never ready
    EXPECT_EQ(iopause_wait(which, fds, &deadline, stamp, simulated, spy.sys()), 0);
    EXPECT_EQ(simulated.now(), deadline);
  }
}

struct TimeoutCase {
  tain wanted;
  timespec ppoll;
  int poll;
  timeval select;
};

// [req:IOPAUSE-016] [req:IOPAUSE-015] [req:IOPAUSE-040] [req:IOPAUSE-041] [req:IOPAUSE-043]
TEST(Iopause, IOPAUSE_016_native_timeouts) {
  const tain thirty_days = tain::seconds(30 * 86400);
  constexpr time_t time_t_max = std::numeric_limits<time_t>::max();
  const TimeoutCase cases[] = {
      {ns(1), {0, 1}, 1, {0, 1}},
      {ns(1'000'001), {0, 1'000'001}, 2, {0, 1001}},
      {ns(999'999'500), {0, 999'999'500}, 1000, {1, 0}},
      {tain::normalised(2, 500), {2, 500}, 2001, {2, 1}},
      {thirty_days, {30 * 86400, 0}, INT_MAX, {30 * 86400, 0}},
      // clamped at the largest time_t: 2^63 - 1 s, or 2^31 - 1 s on armhf (TAIN-015)
      {tain::seconds(UINT64_MAX), {time_t_max, 999'999'999}, INT_MAX, {time_t_max, 999'999}},
  };
  for (const TimeoutCase& c : cases) {
    for (IopauseImpl which : impls) {
      FdPair p = FdPair::pipe();
      std::vector<iopause_fd> fds{{p[0], iopause_read, 0}, {p[0], 0, 0}};
      RecordingClock clock;
      clock.now_ = tain_zero;  // so that even the largest wanted wait does not wrap
      const tain deadline = clock.now_ + c.wanted;
      SpyCalls spy;
      spy.script.push_back({0, 0});
      EXPECT_EQ(iopause_wait(which, fds, &deadline, clock.now_, clock, spy.sys()), 0);
      ASSERT_EQ(spy.calls.size(), 1u);
      const testing::NativeCall& call = spy.calls[0];
      EXPECT_FALSE(call.no_timeout);
      switch (which) {
        case IopauseImpl::ppoll:
          EXPECT_EQ(call.ppoll_timeout.tv_sec, c.ppoll.tv_sec);
          EXPECT_EQ(call.ppoll_timeout.tv_nsec, c.ppoll.tv_nsec);
          EXPECT_FALSE(call.ppoll_sigmask);
          break;
        case IopauseImpl::poll: EXPECT_EQ(call.poll_timeout, c.poll); break;
        case IopauseImpl::select:
          EXPECT_EQ(call.select_timeout.tv_sec, c.select.tv_sec);
          EXPECT_EQ(call.select_timeout.tv_usec, c.select.tv_usec);
          EXPECT_FALSE(call.select_exceptfds);
          break;
      }
    }
  }
}

// [req:IOPAUSE-015] The clamped values are accepted by the kernel: a ready fd answers at once.
TEST(Iopause, IOPAUSE_015_far_deadlines_are_accepted) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    p.write_to(1, "x");
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0}};
    RecordingClock clock;
    const tain far = tain::seconds(UINT64_MAX);
    EXPECT_EQ(iopause_function(which)(fds, &far, tain_zero, clock), 1);
    EXPECT_EQ(iopause_function(which)(fds, &tain_infinite, tain_epoch, clock), 1);
  }
}

// Lowers RLIMIT_NOFILE's soft limit for one test and restores it.
class SoftFdLimit {
 public:
  explicit SoftFdLimit(rlim_t lowered) {
    if (::getrlimit(RLIMIT_NOFILE, &saved_) != 0) std::abort();
    rlimit changed = saved_;
    changed.rlim_cur = lowered;
    if (::setrlimit(RLIMIT_NOFILE, &changed) != 0) std::abort();
  }
  ~SoftFdLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  SoftFdLimit(const SoftFdLimit&) = delete;
  SoftFdLimit& operator=(const SoftFdLimit&) = delete;

 private:
  rlimit saved_{};
};

// [req:IOPAUSE-026] [req:IOPAUSE-021] One readable pipe and ignored entries: an array as long as
// the soft limit is answered; one entry more is -1 EINVAL with every revents 0, on all three.
TEST(Iopause, IOPAUSE_026_array_longer_than_rlimit_nofile_is_einval) {
  constexpr rlim_t limit = 200;
  const SoftFdLimit lowered(limit);
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    p.write_to(1, "x");
    std::vector<iopause_fd> fds(limit, iopause_fd{-1, iopause_read, 0});
    fds[0] = {p[0], iopause_read, 0};
    RecordingClock clock;
    const tain far = tain::seconds(100);
    EXPECT_EQ(iopause_function(which)(fds, &far, tain_zero, clock), 1);
    fds.push_back({-1, iopause_read, 0});
    for (iopause_fd& entry : fds) entry.revents = 0x7f7f;
    errno = 0;
    EXPECT_EQ(iopause_function(which)(fds, &far, tain_zero, clock), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_TRUE(std::all_of(fds.begin(), fds.end(), [](const iopause_fd& e) { return e.revents == 0; }));
  }
}

// [req:IOPAUSE-030] [req:IOPAUSE-033]
TEST(Iopause, IOPAUSE_030_stamp_refreshed_even_on_error) {
  for (IopauseImpl which : impls) {
    SimulatedClock clock(add_seconds(tain_epoch, 100));
    std::vector<iopause_fd> fds{{0, POLLPRI, 0}};
    tain stamp = tain_epoch;
    const tain deadline = add_seconds(tain_epoch, 200);
    errno = 0;
    EXPECT_EQ(iopause_stamp(fds, &deadline, stamp, clock, which), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(stamp, clock.now());
  }
}

// [req:IOPAUSE-031] [req:IOPAUSE-033]
TEST(Iopause, IOPAUSE_031_eintr_retries_from_the_fresh_stamp) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    TickingClock clock(tain::normalised(0, 300'000'000));
    tain stamp = clock.now();
    const tain deadline = add_seconds(stamp, 1);
    SpyCalls spy;
    spy.script.push_back({-1, EINTR});
    errno = 4242;
    EXPECT_EQ(iopause_stamp({}, &deadline, stamp, clock, which, spy.sys()), 0);
    EXPECT_EQ(errno, 4242);
    EXPECT_GE(stamp, deadline);
    ASSERT_EQ(clock.asked.size(), 2u);
    EXPECT_EQ(clock.asked[0], tain::seconds(1));
    EXPECT_EQ(clock.asked[1], tain::normalised(0, 700'000'000));
  }
}

// [req:IOPAUSE-032]
TEST(Iopause, IOPAUSE_032_zero_only_at_the_deadline) {
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    TickingClock clock(tain_zero, /*idle_moves_half=*/true);
    tain stamp = clock.now();
    const tain deadline = add_seconds(stamp, 1);
    EXPECT_EQ(iopause_stamp({}, &deadline, stamp, clock, which), 0);
    EXPECT_EQ(stamp, deadline);
    EXPECT_GT(clock.asked.size(), 10u);  // every early 0 was absorbed
    // A null deadline never returns 0: spurious zeros are waited through.
    FdPair p = FdPair::pipe();
    p.write_to(1, "x");
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0}};
    RecordingClock passthrough;
    SpyCalls spy;
    spy.script = {{0, 0}, {0, 0}};
    EXPECT_EQ(iopause_stamp(fds, nullptr, stamp, passthrough, which, spy.sys()), 1);
    EXPECT_EQ(spy.calls.size(), 3u);
  }
}

// [req:IOPAUSE-034]
TEST(Iopause, IOPAUSE_034_deepsleepuntil) {
  for (IopauseImpl which : impls) {
    SimulatedClock clock;
    tain stamp = clock.now();
    const tain deadline = stamp + ns(123'456'789);
    deepsleepuntil(deadline, stamp, clock, which);
    EXPECT_EQ(stamp, deadline);
    SpyCalls spy;
    deepsleepuntil(tain_epoch, stamp, clock, which, spy.sys());
    EXPECT_TRUE(spy.calls.empty());
  }
}

// [req:IOPAUSE-035] Real time, tolerance on the late side only: never a 0 before the deadline.
TEST(Iopause, IOPAUSE_035_never_early_on_a_real_clock) {
  Stopwatch clock;
  for (IopauseImpl which : impls) {
    SCOPED_TRACE(iopause_impl_name(which));
    FdPair p = FdPair::pipe();
    std::vector<iopause_fd> fds{{p[0], iopause_read, 0}};
    for (std::uint64_t wait_ns : {1u, 999u, 1'000'001u, 7'000'000u}) {
      tain stamp = clock.now();
      const tain deadline = stamp + ns(wait_ns);
      EXPECT_EQ(iopause_function(which)(fds, &deadline, stamp, clock), 0);
      EXPECT_GE(clock.now(), deadline);
      EXPECT_EQ(iopause_stamp(fds, &deadline, stamp, clock, which), 0);
      EXPECT_GE(stamp, deadline);
    }
    tain stamp = clock.now();
    const tain deadline = stamp + ns(3'000'000);
    deepsleepuntil(deadline, stamp, clock, which);
    EXPECT_GE(clock.now(), deadline);
  }
}

}  // namespace
}  // namespace refloop
