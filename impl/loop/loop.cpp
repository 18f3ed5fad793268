// SPDX-License-Identifier: ISC
// The loop itself (spec/loop.md, LOOP and TIME): construction, the cached time, and the
// iteration. Loop::run_once is the numbered list of spec/loop.md "The iteration", one named
// step per line; fds live in fd.cpp, timers in timer_heap.cpp, tasks in task_queue.cpp.
#include <atomic>
#include <utility>

#include "backend/backend.hpp"
#include "loop_sink.hpp"
#include "refloop/loop/fatal.hpp"
#include "refloop/loop/loop.hpp"
#include "task_queue.hpp"
#include "timer_heap.hpp"

namespace refloop {

namespace {

std::unique_ptr<detail::Backend> backend_for(std::string_view name, const kernel::SysCalls* sys) {
  const kernel::SysCalls& calls = sys != nullptr ? *sys : kernel::native_syscalls();
  if (name.empty()) return detail::choose_default_backend(calls);
  return detail::make_backend_or_fatal("Loop::Loop:", name, calls);
}

}  // namespace

// Counts the run_once calls in progress on a loop, so a nested run (LOOP-011) knows it is one.
class Loop::RunScope {
 public:
  explicit RunScope(Loop& loop) : loop_(loop) { ++loop_.runs_in_progress_; }
  ~RunScope() { --loop_.runs_in_progress_; }
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

 private:
  Loop& loop_;
};

// implements: LOOP-013 (serials start at 1 and are never reused; 0 means "not registered")
std::uint64_t Loop::take_serial() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Loop::Loop(LoopOptions options)
    : owned_clock_(options.clock ? nullptr : std::make_unique<Stopwatch>()),
      clock_(options.clock ? options.clock : owned_clock_.get()),
      backend_(backend_for(options.backend, options.sys)),
      timers_(std::make_unique<detail::TimerHeap>()),
      tasks_(std::make_unique<detail::TaskQueue>()) {}

Loop::Loop(Clock& clock, std::unique_ptr<detail::Backend> backend)
    : clock_(&clock),
      backend_(std::move(backend)),
      timers_(std::make_unique<detail::TimerHeap>()),
      tasks_(std::make_unique<detail::TaskQueue>()) {}

// implements: LOOP-009 (objects still registered are forgotten, not touched: the caller may
// already have freed them), LOOP-012 (not from inside one of this loop's own callbacks)
Loop::~Loop() {
  if (runs_in_progress_ > 0) fatal("Loop::~Loop: called from inside a callback of this loop");
}

std::string_view Loop::backend_name() const { return backend_->name(); }

// implements: TIME-001, TIME-002
tain Loop::now() {
  if (!now_valid_) {
    now_ = clock_->now();
    now_valid_ = true;
  }
  return now_;
}

void Loop::invalidate_now() { now_valid_ = false; }

// implements: LOOP-004
void Loop::quit() { quit_ = true; }

// implements: LOOP-002, LOOP-003 (the quit flag is cleared on entry)
void Loop::run() {
  quit_ = false;
  while (run_once(RunMode::wait) == Step::polled) {
  }
}

// implements: LOOP-001. One iteration, step for step the list in spec/loop.md; LOOP-011: it may
// be nested in a callback of another iteration of this loop.
Step Loop::run_once(RunMode mode) {
  const RunScope in_progress(*this);
  run_expired_timers();                   // 1. expired timers: collect all, then run
  run_tasks();                            // 2. tasks, FIFO, with the epoch rule
  Step stop = Step::polled;               // 3. stop on quit() or when nothing is registered
  if (should_stop(stop)) return stop;
  poll_for_events(poll_deadline(mode));   // 4. poll until the earliest deadline
  dispatch_ready_fds();                   // 5. fd handlers: per fd err, in, out
  return Step::polled;
}

// implements: LOOP-004, LOOP-011 (a nested run leaves the quit flag set for the runs around it)
bool Loop::should_stop(Step& why) {
  if (quit_) {
    if (runs_in_progress_ == 1) quit_ = false;
    why = Step::quit;
    return true;
  }
  if (registered_count_ == 0) {
    why = Step::empty;
    return true;
  }
  return false;
}

// implements: LOOP-005 (zero when tasks are pending; else the earliest timer; else none)
tain Loop::poll_deadline(RunMode mode) {
  if (mode == RunMode::nowait || tasks_->pending()) return now();
  if (timers_->empty()) return tain_infinite;
  return timers_->earliest_expiry();
}

// implements: TIME-003 (the cached time is invalid after every poll)
void Loop::poll_for_events(const tain& deadline) {
  detail::LoopSink sink(*this);
  const tain stamp = now();
  try {
    backend_->poll(deadline, stamp, *clock_, sink);
  } catch (...) {
    invalidate_now();  // a simulated deadlock still counts as a poll that returned
    throw;
  }
  invalidate_now();
}

}  // namespace refloop
