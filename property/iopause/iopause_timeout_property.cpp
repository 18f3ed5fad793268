// SPDX-License-Identifier: ISC
// The native timeout each implementation hands to the kernel == model/iopause's native_timeout,
// for any stamp and deadline (observed through the interposed poll/ppoll/select, which answer
// "nothing ready" at once so no call waits); and on the real clock, with short deadlines
// (<= 20 ms), no implementation and no iopause_stamp ever returns 0 before the deadline.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "iopause/iopause_generators.hpp"
#include "refloop/iopause/iopause.hpp"
#include "testing/spy_calls.hpp"
#include "testing/test_fds.hpp"

namespace refloop {
namespace {

namespace mi = model::iopause_model;

// Lets the kernel block for whatever is wanted, as the real clocks do, but reads a fixed time.
class PassThroughClock final : public Clock {
 public:
  tain now() override { return tain_zero; }
};

mi::Native observed(const testing::NativeCall& call) {
  switch (call.kind) {
    case testing::NativeKind::ppoll: return mi::Native{call.ppoll_timeout.tv_sec, call.ppoll_timeout.tv_nsec};
    case testing::NativeKind::poll: return mi::Native{0, call.poll_timeout};
    case testing::NativeKind::select: return mi::Native{call.select_timeout.tv_sec, call.select_timeout.tv_usec};
  }
  return mi::Native{};
}

constexpr IopauseImpl impls[] = {IopauseImpl::ppoll, IopauseImpl::poll, IopauseImpl::select};
constexpr mi::Impl model_impls[] = {mi::Impl::ppoll, mi::Impl::poll, mi::Impl::select};

// [req:IOPAUSE-012] [req:IOPAUSE-013] [req:IOPAUSE-015] [req:IOPAUSE-016] [req:IOPAUSE-040]
// [req:IOPAUSE-041] [req:IOPAUSE-043]
RC_GTEST_PROP(IopauseTimeoutProperty, native_timeouts_match_the_model, ()) {
  const testgen::WaitSetup s = *testgen::wait_setups();
  for (int i = 0; i < 3; ++i) {
    PassThroughClock clock;
    testing::SpyCalls spy;
    spy.script.push_back({0, 0});
    RC_ASSERT(iopause_wait(impls[i], {}, s.deadline ? &*s.deadline : nullptr, s.stamp, clock,
                           spy.sys()) == 0);
    RC_ASSERT(spy.calls.size() == 1u);
    if (!s.deadline) {
      RC_ASSERT(spy.calls[0].no_timeout);
      continue;
    }
    const model::Time wanted = mi::wanted_wait(testgen::to_model(*s.deadline), testgen::to_model(s.stamp));
    RC_ASSERT(!spy.calls[0].no_timeout);
    RC_ASSERT(observed(spy.calls[0]) == mi::native_timeout(model_impls[i], wanted));
  }
}

// [req:IOPAUSE-035] [req:IOPAUSE-016] Real time. Tolerance on the late side only; no upper bound
// is asserted (a loaded machine may be late, never early).
RC_GTEST_PROP(IopauseTimeoutProperty, never_zero_before_the_deadline_on_a_real_clock, ()) {
  const auto which = *rc::gen::element(IopauseImpl::ppoll, IopauseImpl::poll, IopauseImpl::select);
  const auto wait_ns = *rc::gen::weightedOneOf<std::uint64_t>(
      {{1, rc::gen::element<std::uint64_t>(0, 1, 999, 1000, 1001, 999'999, 1'000'000, 1'000'001)},
       {3, rc::gen::inRange<std::uint64_t>(0, 20'000'001)}});
  const bool through_stamp = *rc::gen::arbitrary<bool>();
  Stopwatch clock;
  testing::FdPair idle = testing::FdPair::pipe();
  std::vector<iopause_fd> fds{{idle[0], iopause_read, 0}};
  tain stamp = clock.now();
  const tain deadline = stamp + tain::normalised(0, wait_ns);
  const int result = through_stamp ? iopause_stamp(fds, &deadline, stamp, clock, which)
                                   : iopause_function(which)(fds, &deadline, stamp, clock);
  RC_ASSERT(result == 0);
  RC_ASSERT(!(clock.now() < deadline));
  if (through_stamp) RC_ASSERT(!(stamp < deadline));
}

}  // namespace
}  // namespace refloop
