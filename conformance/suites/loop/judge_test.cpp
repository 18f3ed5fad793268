// SPDX-License-Identifier: ISC
// Unit tests of the loop suite's verdicts (issue 15): a loop that polls before running its expired
// timers is named as such, not blamed for a timer firing early; a timer that does fire early
// still is; a timer at a negative time prints with a sign; failures group by the cause they name;
// and the process protocol's words read back what they wrote.
#include <gtest/gtest.h>

#include <set>

#include "loop_adapter.hpp"
#include "loop/ops_text.hpp"
#include "protocol.hpp"
#include "results.hpp"

namespace refloop::conformance::loop_suite {
namespace {

using model::loop::Code;
using model::loop::Kind;

// A loop whose `run` moves its clock by `wait_ns` first and then calls back every registered
// timer: poll-first when the wait reaches the timers' expiry, early when it does not.
class PollFirstAdapter final : public LoopAdapter {
 public:
  explicit PollFirstAdapter(std::uint64_t wait_ns) : wait_ns_(wait_ns) {}
  [[nodiscard]] std::string name() const override { return "poll-first"; }
  void act(const Op& op) override {
    if (op.code == Code::reg) registered_.insert(op.target.index);
  }
  Outcome run(bool, const Callback& callback, const NestedEnd&) override {
    clock_ = clock_ + tain::normalised(0, wait_ns_);
    for (int timer : std::set<int>(registered_)) {
      registered_.erase(timer);
      if (!callback(Event{Ref{Kind::timer, static_cast<std::uint8_t>(timer)}, model::loop::Band::in, 0})) break;
    }
    return Outcome::polled;
  }
  [[nodiscard]] tain clock() const override { return clock_; }
  [[nodiscard]] bool registered(const Ref& ref) const override {
    return ref.kind == Kind::timer && registered_.count(ref.index) != 0;
  }
  [[nodiscard]] std::size_t registered_count() const override { return registered_.size(); }
  [[nodiscard]] std::optional<std::uint64_t> unread(int) const override { return std::nullopt; }

 private:
  std::uint64_t wait_ns_;
  tain clock_ = tain_epoch;
  std::set<int> registered_;
};

Verdict run_timer_case(std::uint64_t wait_ns) {
  PollFirstAdapter adapter(wait_ns);
  Judge judge(adapter);
  const auto ops = model::loop::parse_ops("reg t0 +300");
  EXPECT_TRUE(ops.has_value());
  EXPECT_FALSE(judge.step(ops->front()));
  Op run;
  run.code = Code::run;
  return judge.step(run);
}

// [req:LOOP-001] [req:TIMER-002]
TEST(LoopJudge, NamesThePollFirstOrder) {
  const Verdict verdict = run_timer_case(300);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->rfind("[LOOP-001] " + std::string(poll_first_cause) + ":", 0), 0u) << *verdict;
  EXPECT_NE(verdict->find("t0 (expires 0s+300ns)"), std::string::npos) << *verdict;
}

// A loop that runs its task before a timer due at step 1, as libev runs its prepare watchers
// before its poll and its expired timers after it; `declares` is its `capability order poll-first`.
class TaskFirstAdapter final : public LoopAdapter {
 public:
  explicit TaskFirstAdapter(bool declares) : declares_(declares) {}
  [[nodiscard]] std::string name() const override { return "task-first"; }
  void act(const Op& op) override {
    if (op.code == Code::reg) registered_.insert(op.target.kind);
  }
  Outcome run(bool, const Callback& callback, const NestedEnd&) override {
    for (Kind kind : {Kind::task, Kind::timer}) {
      registered_.erase(kind);
      if (!callback(Event{Ref{kind, 0}, model::loop::Band::in, 0})) break;
    }
    return Outcome::empty;
  }
  [[nodiscard]] tain clock() const override { return tain_epoch; }
  [[nodiscard]] bool registered(const Ref& ref) const override { return ref.index == 0 && registered_.count(ref.kind) != 0; }
  [[nodiscard]] std::size_t registered_count() const override { return registered_.size(); }
  [[nodiscard]] std::optional<std::uint64_t> unread(int) const override { return std::nullopt; }
  [[nodiscard]] bool polls_first() const override { return declares_; }

 private:
  bool declares_;
  std::set<Kind> registered_;  // index 0 of each kind
};

Verdict run_task_first_case(bool declares) {
  TaskFirstAdapter adapter(declares);
  Judge judge(adapter);
  const auto ops = model::loop::parse_ops("reg t0 -1\nreg k0\nrun");
  EXPECT_TRUE(ops.has_value());
  for (const Op& op : *ops)
    if (auto verdict = judge.step(op)) return verdict;
  return std::nullopt;
}

// [req:ADAPTER-018] [req:LOOP-001]
TEST(LoopJudge, NamesThePollFirstOrderOfALoopThatDeclaresIt) {
  const Verdict verdict = run_task_first_case(true);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->rfind("[LOOP-001] " + std::string(poll_first_cause) + ": k0 ran while a timer due", 0), 0u) << *verdict;
  EXPECT_NE(verdict->find("[TIMER-002] timer t0 was due"), std::string::npos) << *verdict;  // the model's words kept
}

TEST(LoopJudge, KeepsTheModelsVerdictForALoopThatDeclaresNoOrder) {
  const Verdict verdict = run_task_first_case(false);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->rfind("[TIMER-002] timer t0 was due", 0), 0u) << *verdict;
}

// A loop that runs its due timer t0 after a poll that did not wait and ends the iteration there,
// while t1 is still ahead: the model expects the idle wait until t1 in the same iteration.
class ShortWaitAdapter final : public LoopAdapter {
 public:
  explicit ShortWaitAdapter(bool declares) : declares_(declares) {}
  [[nodiscard]] std::string name() const override { return "short-wait"; }
  void act(const Op& op) override {
    if (op.code == Code::reg) registered_.insert(op.target.index);
  }
  Outcome run(bool, const Callback& callback, const NestedEnd&) override {
    registered_.erase(0);
    callback(Event{Ref{Kind::timer, 0}, model::loop::Band::in, 0});
    return Outcome::polled;
  }
  [[nodiscard]] tain clock() const override { return tain_epoch; }
  [[nodiscard]] bool registered(const Ref& ref) const override {
    return ref.kind == Kind::timer && registered_.count(ref.index) != 0;
  }
  [[nodiscard]] std::size_t registered_count() const override { return registered_.size(); }
  [[nodiscard]] std::optional<std::uint64_t> unread(int) const override { return std::nullopt; }
  [[nodiscard]] bool polls_first() const override { return declares_; }

 private:
  bool declares_;
  std::set<int> registered_;
};

Verdict run_short_wait_case(bool declares) {
  ShortWaitAdapter adapter(declares);
  Judge judge(adapter);
  const auto ops = model::loop::parse_ops("reg t0 -1\nreg t1 +50\nrun");
  EXPECT_TRUE(ops.has_value());
  for (const Op& op : *ops)
    if (auto verdict = judge.step(op)) return verdict;
  return std::nullopt;
}

// [req:ADAPTER-018]
TEST(LoopJudge, NamesTheMissingWaitAfterTimersOfALoopThatPollsFirst) {
  const Verdict declared = run_short_wait_case(true);
  ASSERT_TRUE(declared);
  EXPECT_EQ(declared->rfind("[LOOP-001] " + std::string(poll_first_cause) + ": the iteration ran its due timers", 0), 0u) << *declared;
  const Verdict undeclared = run_short_wait_case(false);
  ASSERT_TRUE(undeclared);
  EXPECT_EQ(undeclared->rfind("[TIME-005] after an idle wait until 0s+50ns", 0), 0u) << *undeclared;
}

TEST(LoopJudge, StillBlamesATimerThatFiresEarly) {
  const Verdict verdict = run_timer_case(299);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->rfind("[TIMER-002]", 0), 0u) << *verdict;
}

TEST(LoopJudge, PrintsTimesBeforeTheStartWithASign) {
  EXPECT_EQ(model::loop::format_time(tain_epoch - tain::normalised(0, 1)), "-0s+1ns");
  EXPECT_EQ(model::loop::format_time(tain_epoch + tain::normalised(2, 5)), "2s+5ns");
}

TEST(FailureCauses, GroupByRequirementAndNamedCause) {
  EXPECT_EQ(cause_of("line 7 (run): [LOOP-001] polls before running expired timers: t0 (expires ...)"),
            "[LOOP-001] polls before running expired timers");
  EXPECT_EQ(cause_of("line 3 (run): [TIMER-002] t0 (s0) ran before its expiry (TIME-004)"), "[TIMER-002]");
  EXPECT_EQ(cause_of("line 9 (! flags c0a): expected nonblock, saw blocking"), "expected nonblock, saw blocking");
}

// [req:ADAPTER-006] [req:ADAPTER-004]
TEST(Protocol, EventsAndCapabilitiesReadBackWhatTheyWrite) {
  const auto ops = model::loop::parse_ops("set c1b.err s2");
  ASSERT_TRUE(ops.has_value());
  const Event fd_event{ops->front().target, model::loop::Band::err, 2};
  const auto back = protocol::parse_event(protocol::format_event(fd_event));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(protocol::format_event(*back), "c1b.err 2");
  EXPECT_FALSE(protocol::parse_event("t0.in 1").has_value());
  protocol::Capabilities declared;
  declared.tasks = false;
  declared.bands[0] = false;
  protocol::Capabilities read;
  for (const std::string& line : protocol::capability_lines(declared)) EXPECT_TRUE(protocol::read_capability(line, read));
  EXPECT_FALSE(read.poll_first);
  declared.poll_first = true;
  for (const std::string& line : protocol::capability_lines(declared)) EXPECT_TRUE(protocol::read_capability(line, read));
  EXPECT_TRUE(read.poll_first);
  EXPECT_FALSE(read.tasks);
  EXPECT_FALSE(read.bands[0]);
  EXPECT_TRUE(read.bands[1]);
  EXPECT_TRUE(protocol::missing_capability(read, ops->front()).has_value());  // an err handler
  const auto task_op = model::loop::parse_ops("reg k0");
  ASSERT_TRUE(task_op.has_value());
  EXPECT_EQ(protocol::missing_capability(read, task_op->front()).value_or(""), "the adapter declares no tasks capability");
}

}  // namespace
}  // namespace refloop::conformance::loop_suite
