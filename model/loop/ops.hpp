// SPDX-License-Identifier: ISC
// The operation vocabulary of the loop model (spec/model.md, MODEL-001..004): one small value
// type shared by the model, the property tests, the fuzz interpreter and the conformance cases.
// A sequence of Ops drives a world of channels (pipes and socket pairs), one Fd per channel end,
// timers, tasks and a simulated clock; a handler script is itself a list of Ops, restricted to
// what a callback may do. Every Op is total: one that does not apply in the current state (an
// end that does not exist, an object already registered) does nothing, so any sequence is valid
// and shrinking never has to repair one.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace refloop::model::loop {

inline constexpr int max_channels = 4;
inline constexpr int max_ends = 2 * max_channels;  // fd object i is end i % 2 of channel i / 2
inline constexpr int max_timers = 8;
inline constexpr int max_tasks = 8;
inline constexpr int max_scripts = 4;
inline constexpr int max_script_length = 4;
inline constexpr std::uint64_t max_bytes = 4096;           // bound of write / read counts
inline constexpr std::uint64_t max_nanoseconds = 1'000'000'000'000;  // bound of advance and delays
// [MODEL-003] Unread bytes per direction are capped, so every open end stays writable (a unix
// socket stops being writable after some dozens of unread small writes).
inline constexpr std::uint64_t buffer_cap = 32;
// [MODEL-007] A script's `run` nests Loop::run_once in the callback (LOOP-011) only while fewer
// than this many runs are in progress (the top-level one included); deeper, it does nothing.
inline constexpr int max_run_depth = 3;

// Dispatch order of an fd's handlers (FD-007).
enum class Band : std::uint8_t { err, in, out };
inline constexpr Band all_bands[] = {Band::err, Band::in, Band::out};

// `self` appears only in handler scripts: the object whose callback runs the script.
enum class Kind : std::uint8_t { fd, timer, task, self };

// An object of the world: an fd (a channel end), a timer or a task, by index.
struct Ref {
  Kind kind = Kind::fd;
  std::uint8_t index = 0;
  friend bool operator==(const Ref&, const Ref&) = default;
};

enum class Code : std::uint8_t {
  pipe,        // create the next channel as a pipe (end a reads, end b writes)
  socketpair,  // create the next channel as a stream socket pair
  write,       // write `amount` bytes into fd end `target` (fewer if the cap is reached)
  read,        // read up to `amount` bytes from fd end `target` (a handler's drain)
  close,       // close fd end `target` (only when it is not registered)
  reg,         // register target; a timer at now + `amount` ns (amount may be negative)
  unreg,       // unregister target
  set,         // fd: set handler `band` to script `handler` (-1: none); timer/task: its script
  stamp,       // Loop::stamp_task on task target (IV_TASK_INIT)
  advance,     // advance the simulated clock by `amount` ns
  run,         // Loop::run_once(RunMode::wait); in a script, a nested run (MODEL-007)
  run_nowait,  // Loop::run_once(RunMode::nowait); in a script, a nested run (MODEL-007)
  quit,        // Loop::quit()
  script,      // define script `handler` as `body`
};

struct Op {
  Code code = Code::run;
  Ref target{};
  Band band = Band::in;
  int handler = -1;         // set: script id or -1 (none); script: the script being defined
  std::int64_t amount = 0;  // bytes, a signed timer delay in ns, or an advance in ns
  std::vector<Op> body;     // script: the actions of the script
  bool banded = false;      // set: written with a band (c0a.in, self.in), so it targets an fd
  friend bool operator==(const Op&, const Op&) = default;
};

// [MODEL-002] Which codes a handler script may contain: what a callback does when it is called.
inline bool allowed_in_script(Code code) {
  switch (code) {
    case Code::write: case Code::read: case Code::reg: case Code::unreg: case Code::set:
    case Code::stamp: case Code::quit: case Code::run: case Code::run_nowait:
      return true;
    default:
      return false;
  }
}

// [MODEL-002] Whether an action applies to its (resolved) target's kind.
inline bool applicable(const Op& op) {
  switch (op.code) {
    case Code::write: case Code::read: case Code::close: return op.target.kind == Kind::fd;
    case Code::stamp: return op.target.kind == Kind::task;
    case Code::set: return op.banded == (op.target.kind == Kind::fd);
    default: return op.target.kind != Kind::self;
  }
}

// [MODEL-002] A script action as it acts for `caller`: `self` becomes the caller; an action that
// does not apply to the caller's kind (read self in a timer) becomes a no-op (`applies` false).
struct Resolved {
  Op op;
  bool applies = true;
};
inline Resolved resolve(Op action, const Ref& caller) {
  if (action.target.kind == Kind::self) action.target = caller;
  const bool applies = applicable(action);
  return Resolved{std::move(action), applies};
}

// One observed callback: which object, which band (fds only) and which script it ran.
struct Event {
  Ref object{};
  Band band = Band::in;
  int script = 0;
  friend bool operator==(const Event&, const Event&) = default;
};

inline int channel_of(int end) { return end / 2; }
inline int side_of(int end) { return end % 2; }
inline int peer_of(int end) { return end ^ 1; }

}  // namespace refloop::model::loop
