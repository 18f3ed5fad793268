// SPDX-License-Identifier: ISC
// Faults under random operation sequences, on every compiled backend (spec/fault.md): each case
// runs a random sequence (the loop property's generators) on a loop whose kernel table is a
// kernel::FaultCalls with one planned failure "the Nth call of C fails with errno E", C being a
// call the backend makes (its traits' wait_call, interest_call, timer_call, and
// fallback_wait_call with the wait call denied, as on a kernel without it) and E one of the errno
// values spec/fault.md lists for C. The plan is armed (and N counted) from a random step, half the
// time one of the register_fd_try probes, so that failures reach deep into sequences and the two
// calls of a trial registration are hit often. Until the fault fires the loop must agree with
// model/loop after every step, as in loop_property. When it fires, the loop must take the
// documented path:
//   - inside register_fd_try: that errno returned, the fd neither registered nor counted
//     (FAULT-003), and the model agrees afterwards; or, when the failing call was the removal
//     after the trial registration (the traits' trial_removal_call), a success, the model
//     agreeing afterwards and nothing fatal later (FAULT-006: the removal is retried before the
//     next wait);
//   - EINTR in a wait: the round ends with nothing reported (FAULT-002): a `run` goes on and the
//     model agrees; a single round (run_nowait) may report less, and the case ends there;
//   - an errno that says the wait call is missing (BACKEND-012): the loop falls back, agrees with
//     the model to the end of the sequence, and never makes the wait call again;
//   - fcntl (FD-009's flags): refused as above inside register_fd_try, ignored by register_fd
//     (FAULT-008): the loop goes on and agrees with the model;
//   - on the epoll backends, EBADF or ENOENT of a stale watch's removal, or EEXIST of an ADD over a
//     stale or lingering watch: the loop goes on and agrees with the model (FD-012, FD-014);
//   - any other: the fatal path naming the call and the errno (FAULT-004, FATAL-004).
// Each case runs in a child process (the fatal path aborts it); the parent reads what happened
// from a pipe. A crash, a hang, a sanitizer report, a disagreement or a wrong path fails the case. The
// test then requires that every listed (call, errno) pair fired at least once.
#include <algorithm>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fatal_capture.hpp"
#include "loop_generators.hpp"
#include "loop_harness.hpp"
#include "probe_fds.hpp"
#include "os/emulators.hpp"
#include "refloop/kernel/fault.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop::loopcheck {
namespace {

// The errno values each call's manual documents on Linux, as spec/fault.md's table lists them
// (the union of its rows for a call made in several places). The one place the test keeps them.
const std::map<std::string, std::vector<int>, std::less<>>& documented_errors() {
  static const std::map<std::string, std::vector<int>, std::less<>> table = {
      {"epoll_wait", {EBADF, EFAULT, EINVAL, EINTR}},
      {"epoll_pwait2", {EBADF, EFAULT, EINTR, EINVAL, ENOSYS, EPERM}},
      {"timerfd_settime", {EBADF, EFAULT, EINVAL}},
      {"epoll_ctl", {EBADF, EEXIST, EINVAL, ELOOP, ENOENT, ENOMEM, ENOSPC, EPERM}},
      {"poll", {EFAULT, EINTR, EINVAL, ENOMEM}},
      {"ppoll", {EFAULT, EINTR, EINVAL, ENOMEM}},
      {"select", {EBADF, EINTR, EINVAL, ENOMEM}},
      // poll(4D), port_associate(3C), port_get(3C); port_getn's ETIME is its timeout, not a
      // failure (OS-309), and is exercised by the emulator's knob instead.
      {"ioctl", {EACCES, EFAULT, EINTR, EINVAL, ENXIO}},
      {"write", {EACCES, EFAULT, EINVAL}},
      {"port_getn", {EBADF, EBADFD, EFAULT, EINTR, EINVAL}},
      {"port_associate", {EAGAIN, EBADF, EBADFD, EINVAL, ENOMEM}},
      {"port_dissociate", {EBADF, EBADFD, EINVAL, ENOENT}},
      {"kevent", {EACCES, EBADF, EFAULT, EINTR, EINVAL, ENOENT, ENOMEM, ESRCH}},
      {"fcntl", {EBADF, EINVAL}},  // FD-009's flags at registration (FAULT-008)
  };
  return table;
}

// The errno values after which a backend waits with its fallback call (spec/fault.md, BACKEND-012).
bool means_missing(std::string_view call, int error) {
  return call == "epoll_pwait2" && (error == ENOSYS || error == EPERM || error == EINVAL);
}

struct Pair {
  std::string call;
  int error = 0;
  std::string denied;  // a call that fails every time in this case (ENOSYS), or empty
};

// Every (call, errno) pair a backend can be given: its wait, interest and timer calls, its
// fallback wait call on a kernel without the wait call, and the fcntl of FD-009's flags.
std::vector<Pair> listed_pairs(const refloop::BackendTraits& traits) {
  std::vector<Pair> pairs;
  const auto add = [&](std::string_view call, std::string_view denied) {
    if (call.empty()) return;
    const auto row = documented_errors().find(call);
    if (row == documented_errors().end()) ADD_FAILURE() << "spec/fault.md lists no errno for " << call;
    else for (int error : row->second) pairs.push_back({std::string(call), error, std::string(denied)});
  };
  add(traits.wait_call, {});
  if (traits.interest_call != traits.wait_call) add(traits.interest_call, {});  // kqueue: one call
  if (traits.trial_removal_call != traits.interest_call) add(traits.trial_removal_call, {});  // port
  add(traits.timer_call, {});
  if (!traits.fallback_wait_call.empty()) add(traits.fallback_wait_call, traits.wait_call);
  add("fcntl", {});
  return pairs;
}

// One step of a case: an operation for the judge, or a register_fd_try of an end (a probe);
// `arm`: the planned failure is armed just before this step (N counts calls from there).
struct Step {
  Op op;
  bool register_try = false;
  bool arm = false;
};

// Where the plan is armed: before a register_fd_try probe half the time (when there is one),
// otherwise before any step.
void choose_arming_step(std::vector<Step>& steps) {
  std::vector<std::size_t> probes;
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i].register_try) probes.push_back(i);
  const bool at_probe = !probes.empty() && *rc::gen::arbitrary<bool>();
  const std::size_t at = at_probe ? *rc::gen::elementOf(probes) : *rc::gen::inRange<std::size_t>(0, steps.size());
  steps[at].arm = true;
}

// What generation knows: the channels, which are socket pairs, and which ends were closed
// (only top-level operations close ends).
struct Shape {
  int channels = 0;
  unsigned sockets = 0;
  unsigned closed = 0;
  void apply(const Op& op) {
    if (op.code == Code::close) closed |= 1u << op.target.index;
    if ((op.code != Code::pipe && op.code != Code::socketpair) || channels == max_channels) return;
    if (op.code == Code::socketpair) sockets |= 1u << channels;
    ++channels;
  }
};

// Two channels with random handlers (a third of the ends with none, so that register_fd_try makes
// epoll's trial registration), some registered (as loop_property's prologue), then random
// operations and, now and then, a register_fd_try of an open end.
std::vector<Step> generate_steps() {
  Shape shape;
  std::vector<Step> steps;
  const auto add = [&](const Op& op, bool register_try = false) {
    steps.push_back({op, register_try});
    if (!register_try) shape.apply(op);
  };
  for (int channel = 0; channel < 2; ++channel) add(op_of(*rc::gen::element(Code::pipe, Code::socketpair)));
  for (int end = 0; end < 4; ++end) {
    Op set = op_of(Code::set, Ref{Kind::fd, static_cast<std::uint8_t>(end)});
    set.banded = true;
    set.band = *bands();
    set.handler = *rc::gen::weightedOneOf<int>({{2, scripts()}, {1, rc::gen::just(-1)}});  // -1: none
    add(set);
  }
  const int length = *rc::gen::inRange(1, 40);
  for (int i = 0; i < length; ++i) {
    const int end = *rc::gen::inRange(0, 2 * shape.channels);
    if (*rc::gen::inRange(0, 6) == 0 && !((shape.closed >> end) & 1u))
      add(op_of(Code::reg, Ref{Kind::fd, static_cast<std::uint8_t>(end)}), true);
    else
      add(*operations(shape.channels, shape.sockets));
  }
  choose_arming_step(steps);
  return steps;
}

bool is_round(const Op& op) { return op.code == Code::run || op.code == Code::run_nowait; }

// Whether a callback of `run` ran a script that nests a run (MODEL-007), each script as the
// history last defined it (scripts are defined by top-level operations only).
bool nested_a_run(const std::vector<Op>& history, const conformance::loop_suite::RunRecord& run) {
  std::set<int> nesting;
  for (const Op& op : history) {
    if (op.code != Code::script) continue;
    nesting.erase(op.handler);
    if (std::any_of(op.body.begin(), op.body.end(), is_round)) nesting.insert(op.handler);
  }
  return std::any_of(run.events.begin(), run.events.end(),
                     [&](const Event& event) { return nesting.count(event.script) != 0; });
}

// The epoll backends' interest failures that are not fatal wherever they come (spec/loop.md):
// EBADF or ENOENT from the flush's removal of a stale watch means the fd was closed after
// unregister_fd, and the entry is given up on (FD-014); EEXIST from the ADD of a registration
// over a stale or lingering watch means the entry is taken over (FD-012). The same errno from
// any other call is fatal; the case then checks the fatal message instead.
bool epoll_need_not_die(const kernel::Fault& fault) {
  return fault.call == "epoll_ctl" && (fault.error == EBADF || fault.error == ENOENT || fault.error == EEXIST);
}
// The child's side: writes "fail <why>" or "fired <path>" lines to `report`; "F <message>" comes
// from the fatal handler (conformance/framework/fatal_capture.hpp).
class CaseRun {
 public:
  CaseRun(const std::string& backend, const Pair& pair, const kernel::Fault& fault, int report)
      : traits_(*backend_traits(backend)),
        faults_(traits_.emulated ? emulators_.table() : kernel::native_syscalls()),
        fault_(fault), report_(report), harness_(backend, &sys_) {
    if (!pair.denied.empty()) faults_.deny(pair.denied, ENOSYS);
  }
  // Runs every step; returns when done or when the case has nothing more to check.
  void run(const std::vector<Step>& steps) {
    for (const Step& step : steps)
      if (!apply(step)) return;
    // [req:BACKEND-012] decided once: the missing call is not tried again by this loop.
    if (fell_back_ && faults_.count(fault_.call) != fault_.nth)
      fail("the loop made " + fault_.call + " again after falling back");
  }

 private:
  void say(const std::string& line) {
    const std::string text = line + "\n";
    [[maybe_unused]] const auto written = ::write(report_, text.data(), text.size());
  }
  [[noreturn]] void fail(const std::string& why) {
    say("fail " + harness_.report(why + " (the fault was armed after " + std::to_string(armed_after_) +
                                  " operations" + (armed_at_probe_ ? ", before a register_fd_try)" : ")")));
    ::_exit(1);
  }
  bool apply(const Step& step);
  void check_interrupted_round(const tain& clock_before);
  // Checks a register_fd_try during which the fault fired; the loop and the model stay comparable.
  bool check_refusal(const Step& step, const std::string& result, std::size_t count_before,
                     unsigned calls_before);

  const refloop::BackendTraits& traits_;
  // An emulated backend's tables are the emulators' (spec/os.md, OS-003): the faults wrap those.
  os::Emulators emulators_{kernel::native_syscalls()};
  kernel::FaultCalls faults_;
  kernel::SysCalls sys_ = faults_.table();
  kernel::Fault fault_;
  std::size_t armed_after_ = 0;  // operations in the history when the plan was armed
  bool armed_at_probe_ = false;
  int report_;
  Harness harness_;
  bool fell_back_ = false;
};

bool CaseRun::apply(const Step& step) {
  if (step.arm) {
    faults_.plan(fault_);
    armed_after_ = harness_.history().size();
    armed_at_probe_ = step.register_try;
  }
  const bool fired_before = faults_.fired();
  const std::size_t count_before = harness_.registered_count();
  const unsigned calls_before = faults_.count(fault_.call);
  const tain clock_before = harness_.clock();
  std::string result;
  Verdict verdict;
  if (step.register_try) {
    if (harness_.registered(step.op.target)) return true;  // a second registration is a misuse
    verdict = harness_.probe(conformance::loop_suite::Probe{"register-try", "", step.op}, result);
  } else {
    verdict = harness_.step(step.op);
  }
  if (fired_before || !faults_.fired()) {
    if (verdict) fail(*verdict);
    return true;
  }
  if (step.register_try) {
    if (verdict) fail(*verdict);
    return check_refusal(step, result, count_before, calls_before);
  }
  if (means_missing(fault_.call, fault_.error)) {
    // [req:BACKEND-012] the same round is served by the fallback: the model agrees throughout.
    if (!fell_back_) say("fired fallback");
    fell_back_ = true;
    if (verdict) fail(*verdict);
    return true;
  }
  if (fault_.call == "fcntl") {
    // [req:FAULT-008] register_fd does not report it: the fd is registered as it is (the
    // channels are non-blocking already), and the loop goes on agreeing with the model.
    say("fired ignored");
    if (verdict) fail(*verdict);
    return true;
  }
  if (epoll_need_not_die(fault_)) {
    // [req:FD-012] [req:FD-014] a stale watch's removal given up on, or an entry taken over.
    say("fired given-up");
    if (verdict) fail(*verdict);
    return true;
  }
  if (fault_.error != EINTR) fail("the fault fired and the loop went on without the fatal path");
  say("fired interrupted");
  if (!verdict) return true;
  // The step's first wait is its round's own unless a timer or task callback of steps 1 and 2
  // nested a run that waited first (LOOP-011); with no nested run in the step, it is the round's.
  if (is_round(step.op) && fault_.nth == calls_before + 1 && !nested_a_run(harness_.history(), harness_.last_run()))
    check_interrupted_round(clock_before);
  return false;  // the round did less than the model's; the two are not comparable any more
}

// [req:FAULT-002] [req:BACKEND-004] An interrupted wait reports no fd and does not move the
// clock (the loop is not told of an idle wait, so no timer fires early). A wait interrupted in a
// run nested in a callback is only required not to crash: the outer round's clock has moved.
void CaseRun::check_interrupted_round(const tain& clock_before) {
  if (harness_.clock() != clock_before) fail("an interrupted round moved the clock");
  for (const Event& event : harness_.last_run().events)
    if (event.object.kind == Kind::fd) fail("an interrupted round reported an fd: " + describe(event));
}

// [req:FAULT-003] The errno comes back and the fd leaves no trace. [req:FAULT-006] Or the fault
// was the removal after the trial registration of an fd without handlers (the traits'
// trial_removal_call: the second interest call when it is the interest call, else the first of
// its own): the registration succeeds, and the comparison with the model goes on (a watch left
// in the kernel would end idle waits early or report bands no handler asked for).
bool CaseRun::check_refusal(const Step& step, const std::string& result, std::size_t count_before,
                            unsigned calls_before) {
  if (result == "0") {
    // The trial's removal is the registration's last call of its kind, never before its trial
    // (a registration over a stale epoll watch makes a MOD between them, FD-012).
    const unsigned first_removal = calls_before + (traits_.trial_removal_call == traits_.interest_call ? 2 : 1);
    const bool trial_del = fault_.call == traits_.trial_removal_call && fault_.nth >= first_removal &&
                           faults_.count(fault_.call) == fault_.nth;
    if (trial_del) {
      say("fired retried");
      return true;
    }
    if (fault_.call == "epoll_ctl" && fault_.error == EEXIST) {
      say("fired reused");  // [req:FD-012] the ADD over a stale watch: its entry is taken over
      return true;
    }
    fail("register_fd_try succeeded although its kernel check failed");
  }
  // spec/fault.md: port_associate's EBADFD (not a valid descriptor) comes back as EBADF (FD-003).
  const int expected = fault_.call == "port_associate" && fault_.error == EBADFD ? EBADF : fault_.error;
  if (result != conformance::loop_suite::errno_name(expected))
    fail("register_fd_try returned " + result + ", not " + conformance::loop_suite::errno_name(expected));
  if (harness_.registered(step.op.target)) fail("a refused register_fd_try left the fd registered");
  if (harness_.registered_count() != count_before) fail("a refused register_fd_try changed the count");
  say("fired refused");
  return true;
}

// A case takes well under a second even under ASan; a child still running after this long is hung.
constexpr unsigned hang_seconds = 20;

// The parent's side: what one child reported, and how it ended.
struct ChildReport {
  std::string lines;
  int status = 0;
};

ChildReport run_in_child(const std::string& backend, const Pair& pair, const kernel::Fault& fault,
                         const std::vector<Step>& steps) {
  int fds[2];
  if (::pipe(fds) != 0) return {"fail pipe() failed", 0};
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    ::alarm(hang_seconds);  // a hang (a loop spinning on a stale watch, say) ends as SIGALRM
    conformance::set_fatal_report_fd(fds[1]);
    CaseRun(backend, pair, fault, fds[1]).run(steps);
    conformance::flush_coverage();
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildReport report;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) report.lines.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ::waitpid(child, &report.status, 0);
  return report;
}

std::string fatal_words(const kernel::Fault& fault) {
  return "error " + std::to_string(fault.error) + "[" + std::strerror(fault.error) + "]";
}

std::string describe(const kernel::Fault& fault) {
  return fault.call + " call " + std::to_string(fault.nth) + " fails with " + conformance::loop_suite::errno_name(fault.error);
}

void require(bool holds, const kernel::Fault& fault, const std::string& why) {
  if (!holds) RC_FAIL(describe(fault) + ": " + why);
}

// Judges one child's report; true when the fault fired (on a documented path).
bool fault_fired(const kernel::Fault& fault, const ChildReport& child) {
  const auto fail_at = child.lines.find("fail ");
  require(fail_at == std::string::npos, fault, child.lines.substr(fail_at == std::string::npos ? 0 : fail_at + 5));
  const auto fatal_at = child.lines.find("F ");
  if (fatal_at == std::string::npos) {
    require(WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0, fault,
            "the child ended with status " + std::to_string(child.status) + " (a crash or a sanitizer report)\n" +
                child.lines);
    return child.lines.find("fired ") != std::string::npos;
  }
  // [req:FAULT-004] [req:FATAL-004] [req:FATAL-001]
  const std::string message = child.lines.substr(fatal_at + 2);
  require(child.lines.find("fired retried") == std::string::npos, fault,
          "the fatal path after a retried removal (FAULT-006): " + message);
  require(fault.error != EINTR, fault, "an interrupted wait took the fatal path: " + message);
  require(message.find(fault.call) != std::string::npos, fault, "the fatal message names another call: " + message);
  require(message.find(fatal_words(fault)) != std::string::npos, fault, "the fatal message lacks the errno: " + message);
  require(WIFSIGNALED(child.status) && WTERMSIG(child.status) == SIGABRT, fault, "no abort after: " + message);
  return true;
}

// For RapidCheck's classification: which documented path each case took.
std::string path_taken(const ChildReport& child) {
  if (child.lines.find("F ") != std::string::npos) return "fatal";
  for (const char* path : {"refused", "retried", "interrupted", "fallback", "given-up", "reused", "ignored"})
    if (child.lines.find(std::string("fired ") + path) != std::string::npos) return path;
  return "not fired";
}

class FaultProperty : public ::testing::TestWithParam<std::string> {};

// [req:FAULT-001] [req:FAULT-002] [req:FAULT-003] [req:FAULT-004] [req:MODEL-004]
TEST_P(FaultProperty, FAULT_004_every_documented_failure_takes_its_documented_path) {
  const std::string backend = GetParam();
  const refloop::BackendTraits* traits = backend_traits(backend);
  ASSERT_NE(traits, nullptr);
  const std::vector<Pair> pairs = listed_pairs(*traits);
  std::set<std::tuple<std::string, int, std::string>> exercised;
  std::size_t cases = 0;  // RapidCheck's cases over every pair, each a random sequence in a child
  // One property per pair, so that shrinking keeps the fault; rerun (a few times at most) while
  // a pair has not fired yet.
  for (const Pair& pair : pairs) {
    const std::string where = pair.denied.empty() ? "" : " (" + pair.denied + " missing)";
    for (int attempt = 0; attempt < 8 && exercised.count({pair.call, pair.error, pair.denied}) == 0; ++attempt) {
      const bool ok = rc::check(backend + ": " + pair.call + " fails with " + conformance::loop_suite::errno_name(pair.error) + where, [&] {
        ++cases;
        const kernel::Fault fault{pair.call, static_cast<unsigned>(*rc::gen::inRange(1, 4)), pair.error};
        const std::vector<Step> steps = generate_steps();
        const ChildReport child = run_in_child(backend, pair, fault, steps);
        const bool fired = fault_fired(fault, child);
        if (fired) exercised.insert({pair.call, pair.error, pair.denied});
        RC_TAG(path_taken(child));
      });
      ASSERT_TRUE(ok);
    }
  }
  std::printf("fault property: exercised %zu of %zu listed (call, errno) pairs on %s in %zu cases\n",
              exercised.size(), pairs.size(), backend.c_str(), cases);
  EXPECT_EQ(exercised.size(), pairs.size());
}

std::vector<std::string> backends() {
  std::vector<std::string> names;
  for (auto name : compiled_backends()) names.emplace_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(EveryBackend, FaultProperty, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return backend_identifier(param_info.param);  // a test name is an identifier
                         });

}  // namespace
}  // namespace refloop::loopcheck
