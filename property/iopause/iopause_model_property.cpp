// SPDX-License-Identifier: ISC
// Each iopause implementation == model/iopause on random worlds of real pipes and socketpairs
// (plus closed and negative fds) and random deadlines, stamps and simulated clocks: the result,
// errno, every revents, the clock afterwards; and iopause_stamp's result and stamp. Then the three
// implementations against each other on the same world.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cerrno>

#include "iopause/iopause_generators.hpp"
#include "iopause/real_world.hpp"
#include "refloop/iopause/iopause.hpp"

namespace refloop {
namespace {

namespace mi = model::iopause_model;
using testgen::to_model;

IopauseImpl to_impl(mi::Impl impl) {
  switch (impl) {
    case mi::Impl::ppoll: return IopauseImpl::ppoll;
    case mi::Impl::poll: return IopauseImpl::poll;
    case mi::Impl::select: return IopauseImpl::select;
  }
  return IopauseImpl::ppoll;
}

std::optional<model::Time> to_model(const std::optional<tain>& t) {
  if (!t) return std::nullopt;
  return testgen::to_model(*t);
}

struct Observed {
  int result = 0;
  int error = 0;
  bool deadlock = false;
  std::vector<short> revents;
  tain clock_after;
  tain stamp_after;
};

Observed run_once(const mi::World& world, mi::Impl impl, const testgen::WaitSetup& s) {
  mi::RealWorld real(world);
  std::vector<iopause_fd> fds = real.entries();
  const std::vector<iopause_fd> before = fds;
  SimulatedClock clock(s.clock);
  Observed o;
  try {
    errno = 0;
    o.result = iopause_function(to_impl(impl))(fds, s.deadline ? &*s.deadline : nullptr, s.stamp, clock);
    o.error = o.result < 0 ? errno : 0;
  } catch (const SimulatedDeadlock&) {
    o.deadlock = true;
  }
  for (std::size_t i = 0; i < fds.size(); ++i) {
    RC_ASSERT(fds[i].fd == before[i].fd);
    RC_ASSERT(fds[i].events == before[i].events);
    o.revents.push_back(fds[i].revents);
  }
  o.clock_after = clock.now();
  return o;
}

Observed run_stamp(const mi::World& world, mi::Impl impl, const testgen::WaitSetup& s) {
  mi::RealWorld real(world);
  std::vector<iopause_fd> fds = real.entries();
  SimulatedClock clock(s.clock);
  Observed o;
  o.stamp_after = s.stamp;
  try {
    errno = 777;
    o.result = iopause_stamp(fds, s.deadline ? &*s.deadline : nullptr, o.stamp_after, clock, to_impl(impl));
    o.error = errno;
  } catch (const SimulatedDeadlock&) {
    o.deadlock = true;
  }
  for (const iopause_fd& entry : fds) o.revents.push_back(entry.revents);
  return o;
}

// [req:IOPAUSE-003] [req:IOPAUSE-010] [req:IOPAUSE-011] [req:IOPAUSE-012] [req:IOPAUSE-014]
// [req:IOPAUSE-020] [req:IOPAUSE-022] [req:IOPAUSE-023] [req:IOPAUSE-024] [req:IOPAUSE-025]
RC_GTEST_PROP(IopauseProperty, each_implementation_matches_the_model, ()) {
  const mi::World world = *testgen::iopause_worlds();
  const testgen::WaitSetup setup = *testgen::wait_setups();
  for (mi::Impl impl : mi::all_impls) {
    const Observed o = run_once(world, impl, setup);
    const mi::Answer m = mi::call(world, impl, to_model(setup.deadline), to_model(setup.stamp),
                                  to_model(setup.clock));
    RC_ASSERT(o.deadlock == m.deadlock);
    if (m.deadlock) continue;
    RC_ASSERT(o.result == m.result);
    RC_ASSERT(o.error == m.error);
    RC_ASSERT(o.revents == m.revents);
    RC_ASSERT(to_model(o.clock_after) == m.clock_after);
  }
}

// [req:IOPAUSE-030] [req:IOPAUSE-031] [req:IOPAUSE-032] [req:IOPAUSE-033]
RC_GTEST_PROP(IopauseProperty, iopause_stamp_matches_the_model, ()) {
  const mi::World world = *testgen::iopause_worlds();
  const testgen::WaitSetup setup = *testgen::wait_setups();
  for (mi::Impl impl : mi::all_impls) {
    const Observed o = run_stamp(world, impl, setup);
    const mi::StampAnswer m = mi::stamp_call(world, impl, to_model(setup.deadline),
                                             to_model(setup.stamp), to_model(setup.clock));
    RC_ASSERT(o.deadlock == m.last.deadlock);
    if (o.deadlock) continue;
    RC_ASSERT(o.result == m.last.result);
    RC_ASSERT(o.error == (m.last.result < 0 ? m.last.error : 777));
    RC_ASSERT(o.revents == m.last.revents);
    RC_ASSERT(to_model(o.stamp_after) == m.stamp);
  }
}

// [req:IOPAUSE-021] The three agree entry by entry, except where IOPAUSE-023 names a difference
// (the model says which entries those are).
RC_GTEST_PROP(IopauseProperty, the_three_implementations_agree, ()) {
  const mi::World world = *testgen::iopause_worlds();
  testgen::WaitSetup setup = *testgen::wait_setups();
  setup.deadline = setup.stamp;  // a check: never a deadlock, so every answer is comparable
  const Observed ppoll = run_once(world, mi::Impl::ppoll, setup);
  const Observed poll = run_once(world, mi::Impl::poll, setup);
  const Observed select = run_once(world, mi::Impl::select, setup);
  RC_ASSERT(ppoll.result == poll.result);
  RC_ASSERT(ppoll.revents == poll.revents);
  bool named_difference = false;
  for (std::size_t i = 0; i < world.entries.size(); ++i) {
    const bool exception_only = ppoll.revents[i] != 0 && (ppoll.revents[i] & ~(POLLHUP | POLLERR)) == 0;
    if (exception_only) {
      RC_ASSERT(select.revents[i] == 0);
      named_difference = true;
    } else {
      RC_ASSERT(select.revents[i] == ppoll.revents[i]);
    }
  }
  if (!named_difference) RC_ASSERT(select.result == ppoll.result);
  RC_TAG(named_difference ? "IOPAUSE-023 difference" : "identical");
}

}  // namespace
}  // namespace refloop
