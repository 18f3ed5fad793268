// SPDX-License-Identifier: ISC
// Running and judging one iopause case on one column (iopause_judge.hpp). The model's answer is
// computed on a model time line that starts at an arbitrary label: everything in a case is
// relative to the clock at the call, so the same answer serves simulated and real columns.
#include "iopause_judge.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <sstream>

#include "../../impl/iopause/testing/native_spy.hpp"
#include "iopause/iopause_model.hpp"
#include "iopause_world.hpp"

namespace refloop::conformance::iopause_suite {
namespace {

namespace mi = model::iopause_model;
using refloop::testing::NativeCall;
using refloop::testing::NativeKind;

struct Prediction {
  mi::Answer answer;
  std::int64_t elapsed_ns = 0;
};

mi::Impl impl_named(const std::string& name) { return mi::impl_named(name); }

// The implementation a wait uses in this column (IOCOMPAT-003, IOCOMPAT-004, IOPAUSE-004).
std::string wait_backend(const Column& column, WaitKind kind) {
  if (kind == WaitKind::wait_default) return "ppoll";
  if (kind != WaitKind::wait && column.stamp_uses_ppoll) return "ppoll";
  return column.backend;
}

// [IOPAUSE-012..014, 020..025, 030..034] What the model says this wait does.
Prediction predict(const mi::World& world, const WaitInput& in, mi::Impl impl) {
  const model::Time start = model::make((std::uint64_t{1} << 62) + 10 + 1'000'000, 0);
  const model::Time stamp = model::wrap(static_cast<model::i128>(start.ns) - in.stale_ns);
  std::optional<model::Time> deadline;
  if (in.deadline_ns) deadline = model::wrap(static_cast<model::i128>(start.ns) + *in.deadline_ns);
  Prediction p;
  if (in.kind == WaitKind::wait || in.kind == WaitKind::wait_default) {
    p.answer = mi::call(world, impl, deadline, stamp, start);
  } else if (in.kind == WaitKind::wait_stamp) {
    p.answer = mi::stamp_call(world, impl, deadline, stamp, start).last;
  } else {  // deepsleepuntil: iopause_stamp with no fds until the stamp reaches the deadline
    model::Time now = stamp, clock = start;
    while (model::less(now, *deadline)) {
      const mi::StampAnswer s = mi::stamp_call(mi::World{}, impl, deadline, now, clock);
      now = clock = s.stamp;
    }
    p.answer.clock_after = clock;
  }
  p.elapsed_ns = static_cast<std::int64_t>(model::sub(p.answer.clock_after, start).ns);
  return p;
}

std::string hex(short v) {
  std::ostringstream out;
  out << "0x" << std::hex << (static_cast<unsigned>(v) & 0xffffu);
  return out.str();
}

using Verdict = std::optional<std::string>;

}  // namespace

std::int64_t real_time_tolerance_ns() {
  static const std::int64_t tolerance = [] {
    const char* text = std::getenv("REFLOOP_REAL_TIME_TOLERANCE_MS");
    if (text == nullptr || *text == '\0') return std::int64_t{250'000'000};
    char* end = nullptr;
    errno = 0;
    const long long ms = std::strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || ms < 1 || ms > 60'000) {
      std::fprintf(stderr, "REFLOOP_REAL_TIME_TOLERANCE_MS=%s: not a whole number of milliseconds from 1 to 60000\n", text);
      std::exit(2);
    }
    return std::int64_t{ms} * 1'000'000;
  }();
  return tolerance;
}

std::optional<std::string> check_elapsed(std::int64_t expected, std::int64_t seen, bool real) {
  if (!real && seen != expected)
    return "clock moved " + std::to_string(seen) + " ns, expected " + std::to_string(expected) + " ns";
  if (real && (seen < expected || seen > expected + real_time_tolerance_ns()))
    return "real wait of " + std::to_string(seen) + " ns, expected " + std::to_string(expected) +
           " ns (late side tolerance " + std::to_string(real_time_tolerance_ns()) + " ns)";
  return std::nullopt;
}

namespace {

Verdict check_revents(const std::vector<short>& expected, const std::vector<short>& seen) {
  if (expected.size() != seen.size()) return "expected " + std::to_string(expected.size()) + " revents";
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (seen[i] != expected[i])
      return "entry " + std::to_string(i) + ": revents " + hex(seen[i]) + ", expected " + hex(expected[i]);
  return std::nullopt;
}

Verdict check_model(const Prediction& p, const WaitInput& in, const WaitOutput& out, bool real) {
  if (p.answer.deadlock) return out.deadlock ? Verdict{} : Verdict{"the model waits forever here, the column did not"};
  if (out.deadlock) return "waited forever (SimulatedDeadlock) where the model does not";
  if (out.result != p.answer.result)
    return "result " + std::to_string(out.result) + ", the model says " + std::to_string(p.answer.result);
  if (out.result < 0 && out.error != p.answer.error)
    return "errno " + errno_name(out.error) + ", the model says " + errno_name(p.answer.error);
  if (in.kind != WaitKind::deepsleep)
    if (auto why = check_revents(p.answer.revents, out.revents)) return "model: " + *why;
  return check_elapsed(p.elapsed_ns, out.elapsed_ns, real);
}

// The rules spec/iopause.md fixes for every call, model or not.
Verdict check_rules(const WaitInput& in, const WaitOutput& out) {
  if (out.crashed) return std::string("the call crashed the process");
  if (out.deadlock) return std::nullopt;
  if (in.kind != WaitKind::deepsleep) {
    int nonzero = 0;
    for (short r : out.revents) nonzero += r != 0;
    if (out.result < 0 && nonzero > 0) return std::string("-1 left a non-zero revents (IOPAUSE-025)");
    if (out.result >= 0 && out.result != nonzero)
      return "result " + std::to_string(out.result) + " but " + std::to_string(nonzero) + " entries ready (IOPAUSE-024)";
  }
  const bool stamps = in.kind == WaitKind::wait_stamp || in.kind == WaitKind::deepsleep;
  if (!stamps || in.stamp == StampKind::null) return std::nullopt;
  if (out.stamp_fresh == false) return std::string("the stamp was not refreshed (IOPAUSE-030)");
  const bool must_reach = in.kind == WaitKind::deepsleep || (out.result == 0 && in.deadline_ns);
  if (must_reach && out.stamp_reached == false) return std::string("returned before the stamp reached the deadline (IOPAUSE-032/034)");
  if (in.kind == WaitKind::wait_stamp && out.result >= 0 && out.error != errno_before_wait)
    return "errno " + errno_name(out.error) + " leaked (IOPAUSE-033)";
  return std::nullopt;
}

std::int64_t native_ns(const NativeCall& call) {
  switch (call.kind) {
    case NativeKind::ppoll: return call.ppoll_timeout.tv_sec * 1'000'000'000LL + call.ppoll_timeout.tv_nsec;
    case NativeKind::poll: return call.poll_timeout * 1'000'000LL;
    case NativeKind::select: return call.select_timeout.tv_sec * 1'000'000'000LL + call.select_timeout.tv_usec * 1000LL;
  }
  return 0;
}

const char* kind_name(NativeKind kind) {
  return kind == NativeKind::ppoll ? "ppoll" : kind == NativeKind::poll ? "poll" : "select";
}

Verdict check_native(const Expectation& e, const std::vector<NativeCall>& calls) {
  if (e.calls) {
    const bool at_least = e.calls->rfind(">=", 0) == 0;
    const std::size_t n = std::stoul(at_least ? e.calls->substr(2) : *e.calls);
    if (at_least ? calls.size() < n : calls.size() != n) return std::to_string(calls.size()) + " native calls, expected " + *e.calls;
  }
  if (e.native && *e.native == "none") return calls.empty() ? Verdict{} : Verdict{"a native call was made"};
  if (!e.native && !e.timeout && !e.exceptfds && !e.sigmask) return std::nullopt;
  if (calls.empty()) return std::string("no native call was made");
  const NativeCall& c = calls.front();
  if (e.native && *e.native != kind_name(c.kind)) return std::string("native call ") + kind_name(c.kind) + ", expected " + *e.native;
  if (e.exceptfds && *e.exceptfds != c.select_exceptfds) return std::string("select's exceptfds ") + (c.select_exceptfds ? "used" : "unused");
  if (e.sigmask && *e.sigmask != c.ppoll_sigmask) return std::string("ppoll's sigmask ") + (c.ppoll_sigmask ? "non-null" : "null");
  if (!e.timeout) return std::nullopt;
  if (*e.timeout == "none") return c.no_timeout ? Verdict{} : Verdict{"the native call had a timeout"};
  if (c.no_timeout) return std::string("the native call had no timeout");
  if (*e.timeout == "max") return c.kind == NativeKind::poll && c.poll_timeout == INT_MAX ? Verdict{} : Verdict{"timeout not INT_MAX ms"};
  if (native_ns(c) != std::stoll(*e.timeout)) return "native timeout " + std::to_string(native_ns(c)) + " ns, expected " + *e.timeout + " ns";
  return std::nullopt;
}

// Native expectations are skipped in a column whose calls the spy cannot see (the model).
Verdict check_expectation(const Expectation& e, const WaitOutput& out, const std::vector<NativeCall>& calls, bool real,
                          bool native_visible) {
  const std::string at = "expect line " + std::to_string(e.line) + ": ";
  if (e.deadlock != out.deadlock) return at + (out.deadlock ? "waited forever" : "expected a wait forever");
  if (e.result && out.result != *e.result) return at + "result " + std::to_string(out.result) + ", expected " + std::to_string(*e.result);
  if (e.error) {
    const int want = *e.error == "unchanged" ? errno_before_wait : errno_from_name(*e.error);
    if (out.error != want) return at + "errno " + errno_name(out.error) + ", expected " + *e.error;
  }
  if (e.revents)
    if (auto why = check_revents(*e.revents, out.revents)) return at + *why;
  if (e.clock_ns)
    if (auto why = check_elapsed(*e.clock_ns, out.elapsed_ns, real)) return at + *why;
  if (e.stamp && *e.stamp == "reached" && out.stamp_reached != true) return at + "stamp short of the deadline";
  if (e.stamp && *e.stamp == "fresh" && out.stamp_fresh != true) return at + "stamp not refreshed";
  if (native_visible)
    if (auto why = check_native(e, calls)) return at + *why;
  return std::nullopt;
}

// Why the case is not about this column's API, found before anything runs.
Verdict not_applicable(const Case& c, const Column& column, const IopauseAdapter& adapter) {
  for (const Op& op : c.ops) {
    if (auto why = adapter.unsupported(op)) return why;
    if (!column.records_native && op.kind == OpKind::script) return std::string("no native calls to script");
  }
  return std::nullopt;
}

// A kernel leaves errno alone when it succeeds; a scripted success (no errno given) sets it to
// what the runner set before the wait, so "errno unchanged" stays checkable.
int script_errno(const Answer& answer) {
  return answer.result >= 0 && answer.error == 0 ? errno_before_wait : answer.error;
}

// The state of a case as it runs.
struct Run {
  FdWorld world;
  std::vector<EntrySpec> entries;
  std::deque<refloop::testing::FakeAnswer> script;
  bool clock_real = false;
};

// One wait: N/A (a real clock would block forever), a failure, or nothing.
std::optional<Result> do_wait(const Op& op, Run& run, const Column& column, IopauseAdapter& adapter, const Case& c) {
  const std::string where = "line " + std::to_string(op.line) + " (" + op.text + "): ";
  WaitInput in{op.wait, run.world.resolve(run.entries), op.deadline_ns, op.stamp, op.stale_ns, run.clock_real, nullptr};
  // A kernel writes every revents when poll succeeds; a scripted success does not, so the
  // entries start at 0 instead of revents_before_wait (README, "Waits and time").
  if (std::any_of(run.script.begin(), run.script.end(), [](const auto& a) { return a.result >= 0; }))
    for (pollfd& e : in.entries) e.revents = 0;
  mi::World world;
  const bool modelled = op.stamp != StampKind::null && run.script.empty() && run.world.model_world(run.entries, world);
  if (modelled) in.model_world = &world;
  std::optional<Prediction> p;
  if (modelled) p = predict(world, in, impl_named(wait_backend(column, op.wait)));
  const bool real = adapter.real_time(run.clock_real);
  if (real && p && p->answer.deadlock)
    return Result{column.name, c.id, c.summary, Status::not_applicable,
                  where + "an endless wait is observable only on a Clock object (a SimulatedDeadlock); this column's API waits on the real clock"};
  WaitOutput out;
  std::vector<NativeCall> calls;
  {
    refloop::testing::NativeSpy spy;
    spy.script = std::move(run.script);
    run.script.clear();
    out = adapter.wait(in);
    calls = spy.calls;
  }
  Verdict why = check_rules(in, out);
  if (!why && p) why = check_model(*p, in, out, real);
  for (const Expectation& e : op.expect)
    if (!why && applies(e, column.backend, column.implementation, column.name)) why = check_expectation(e, out, calls, real, column.records_native);
  if (why) return Result{column.name, c.id, c.summary, Status::fail, where + *why};
  return std::nullopt;
}

std::optional<Result> do_probe(const Op& op, const Column& column, IopauseAdapter& adapter, const Case& c) {
  const std::string answer = adapter.probe(op.probe);
  for (const Expectation& e : op.expect)
    if (applies(e, column.backend, column.implementation, column.name) && e.answer && *e.answer != answer)
      return Result{column.name, c.id, c.summary, Status::fail,
                    "line " + std::to_string(op.line) + " (" + op.text + "): answer " + answer + ", expected " + *e.answer};
  return std::nullopt;
}

}  // namespace

Result run_case(const Case& c, const Column& column) {
  try {
    const auto adapter = column.make(column);
    // What a column's API or model does not have (a null stamp in C++, declarations in the model)
    // makes the case not applicable there, as does an endless wait on a real clock (do_wait).
    if (auto why = not_applicable(c, column, *adapter)) return Result{column.name, c.id, c.summary, Status::not_applicable, *why};
    Run run;
    for (const Op& op : c.ops) {
      std::optional<Result> verdict;
      switch (op.kind) {
        case OpKind::entry: run.entries.push_back(op.entry); break;
        case OpKind::clear: run.entries.clear(); break;
        case OpKind::clock_real: run.clock_real = true; break;
        case OpKind::script: run.script.push_back({op.answer.result, script_errno(op.answer)}); break;
        case OpKind::wait: verdict = do_wait(op, run, column, *adapter, c); break;
        case OpKind::probe: verdict = do_probe(op, column, *adapter, c); break;
        default: run.world.apply(op); break;
      }
      if (verdict) return *verdict;
    }
  } catch (const std::exception& e) {
    return Result{column.name, c.id, c.summary, Status::fail, std::string("exception: ") + e.what()};
  }
  return Result{column.name, c.id, c.summary, Status::pass, ""};
}

}  // namespace refloop::conformance::iopause_suite
