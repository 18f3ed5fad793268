// SPDX-License-Identifier: ISC
// The loop == its model, on every compiled backend (spec/loop.md; spec/model.md MODEL-004):
// RapidCheck stateful tests (rc::state) run random operation sequences on the real loop over a
// SimulatedClock and real pipes and socket pairs, and check every callback against the model as
// it happens, and the registrations, count and unread bytes after every operation. A failure
// shrinks to a minimal sequence, printed in the text form (fuzz/loop_ops_run replays it), with
// RapidCheck's seed and reproduce string. One test per backend; each asserts the backend in use.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <string>
#include <vector>

#include "loop_generators.hpp"
#include "loop_harness.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop::loopcheck {
namespace {

// What generation needs to know: how many channels exist (so ends are drawn among them).
struct Shape {
  int channels = 0;
  unsigned sockets = 0;  // bit i: channel i is a socket pair
};

struct OpCommand final : rc::state::Command<Shape, Harness> {
  Op op;
  explicit OpCommand(const Shape& shape) : op(*operations(shape.channels, shape.sockets)) {}
  void apply(Shape& shape) const override {
    if ((op.code != Code::pipe && op.code != Code::socketpair) || shape.channels == max_channels) return;
    if (op.code == Code::socketpair) shape.sockets |= 1u << shape.channels;
    ++shape.channels;
  }
  void run(const Shape&, Harness& harness) const override {
    if (auto verdict = harness.step(op)) RC_FAIL(harness.report(*verdict));
  }
  void show(std::ostream& os) const override { os << format_op(op); }
};

std::vector<std::string> backends() {
  std::vector<std::string> names;
  for (auto name : compiled_backends()) names.emplace_back(name);
  return names;
}

// Every case starts from two channels with random handlers, some registered, so that most
// sequences reach fd callbacks; the failure report prints the prologue with the sequence.
Shape run_prologue(Harness& harness) {
  Shape shape;
  std::vector<Op> prologue;
  for (int channel = 0; channel < 2; ++channel) {
    const bool socket = *rc::gen::arbitrary<bool>();
    prologue.push_back(op_of(socket ? Code::socketpair : Code::pipe));
    if (socket) shape.sockets |= 1u << channel;
    ++shape.channels;
  }
  for (int end = 0; end < 4; ++end) {
    const Ref target{Kind::fd, static_cast<std::uint8_t>(end)};
    for (Band band : all_bands) {
      Op set = op_of(Code::set, target);
      set.banded = true;
      set.band = band;
      set.handler = *rc::gen::inRange(-3, max_scripts);  // none about half the time
      if (set.handler >= 0) prologue.push_back(set);
    }
    if (*rc::gen::arbitrary<bool>()) prologue.push_back(op_of(Code::reg, target));
  }
  for (const Op& op : prologue)
    if (auto verdict = harness.step(op)) RC_FAIL(harness.report(*verdict));
  return shape;
}

// CI's floor (issue 12: at least 1000 sequences per backend): ctest sets
// REFLOOP_MIN_SEQUENCES_PER_BACKEND (property/loop/CMakeLists.txt), so lowering the CI setting
// below it fails the test instead of quietly testing less; unset when run by hand.
std::size_t sequences_floor() {
  const char* floor = std::getenv("REFLOOP_MIN_SEQUENCES_PER_BACKEND");
  return floor == nullptr ? 0 : std::strtoul(floor, nullptr, 10);
}

class LoopProperty : public ::testing::TestWithParam<std::string> {};

// [req:LOOP-001] [req:LOOP-002] [req:LOOP-004] [req:LOOP-005] [req:LOOP-006] [req:FD-004]
// [req:FD-005] [req:FD-006] [req:FD-007] [req:FD-008] [req:TIMER-002] [req:TIMER-003]
// [req:TIMER-004] [req:TIMER-006] [req:TASK-002] [req:TASK-003] [req:TASK-004] [req:TASK-005]
// [req:TIME-001] [req:TIME-003] [req:TIME-005] [req:BACKEND-003] [req:MODEL-004]
TEST_P(LoopProperty, MODEL_004_random_sequences_match_the_model) {
  const std::string backend = GetParam();
  std::size_t sequences = 0;  // one per call of the property: RapidCheck's successful cases
  const bool ok = rc::check("loop on " + backend + " == model/loop", [&backend, &sequences] {
    ++sequences;
    Harness harness(backend);
    RC_ASSERT(harness.backend_name() == backend);
    const Shape shape = run_prologue(harness);
    rc::state::check(shape, harness, rc::state::gen::execOneOfWithArgs<OpCommand>());
    RC_CLASSIFY(harness.history().size() > 20, "over 20 operations");
    RC_CLASSIFY(harness.callbacks(Kind::fd) > 0, "fd callbacks");
    RC_CLASSIFY(harness.callbacks(Kind::timer) > 0, "timer callbacks");
    RC_CLASSIFY(harness.callbacks(Kind::task) > 0, "task callbacks");
  });
  EXPECT_TRUE(ok);
  std::printf("property.loop.loop_property: %s: %zu sequences\n", backend.c_str(), sequences);
  RecordProperty("sequences", std::to_string(sequences));
  EXPECT_GE(sequences, sequences_floor()) << "fewer random sequences on " << backend << " than CI's floor";
}

// [req:MODEL-001] every generated sequence prints and parses back to itself.
RC_GTEST_PROP(OpsTextProperty, MODEL_001_generated_sequences_round_trip, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(operations(max_channels, 0b0101u));
  const auto parsed = parse_ops(format_ops(ops));
  RC_ASSERT(parsed.has_value());
  RC_ASSERT(*parsed == ops);
}

INSTANTIATE_TEST_SUITE_P(EveryBackend, LoopProperty, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return backend_identifier(param_info.param);  // a test name is an identifier
                         });

}  // namespace
}  // namespace refloop::loopcheck
