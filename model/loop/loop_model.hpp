// SPDX-License-Identifier: ISC
// The executable model of the event loop (spec/loop.md; spec/model.md MODEL-005, MODEL-006). It is an
// acceptor: a driver applies each operation to the real loop and to the model, and during
// Loop::run_once reports every callback as it happens; the model says whether that callback is
// allowed at that point, and at the end of the iteration whether one is missing. Where the spec
// leaves an order open (fds within a round, equal-expiry timers) or lets backends differ (bands
// a backend reports beyond the wanted ones, BACKEND-009), every allowed trace is accepted.
// Written for obviousness: plain arrays, linear scans, one function per rule.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "loop/ops.hpp"
#include "loop/world.hpp"
#include "refloop/time/tain.hpp"

namespace refloop::model::loop {

// How Loop::run_once ended, as the driver saw it.
enum class Outcome { polled, quit, empty, deadlock };

inline unsigned bit(Band b) { return 1u << static_cast<unsigned>(b); }

struct FdModel {
  bool registered = false;
  int handler[3] = {-1, -1, -1};  // script per Band, -1: none
};

struct TimerModel {
  bool registered = false;
  tain expires{};
  int script = 0;
  std::uint64_t polls_before = 0;  // polls begun before it was registered (TIMER-007)
  bool by_fd_handler = false;      // registered by an fd handler (TIMER-007)
};

struct TaskModel {
  bool registered = false;
  int script = 0;
  std::uint64_t epoch = 0;  // the task pass in which it last ran or was stamped (TASK-004/005)
};

// An fd the poll reported, as far as the model can know: bands a backend must report (a wanted
// band whose condition holds; all three on hangup) and bands it may report (BACKEND-009).
struct ReadyFd {
  int end = 0;
  unsigned required = 0;
  unsigned optional = 0;
  bool may_be_silent = false;  // at some moment of the dispatch, no required band had a handler
  bool by_this_poll = true;    // reported by the latest poll (not only left by an enclosing round)
};

using Verdict = std::optional<std::string>;  // nullopt: accepted; otherwise why not

// What the model must know of the backend under test: the kernel differences spec/loop.md names
// per backend (and nothing else, so every backend is judged by the same rules otherwise). The
// judge fills it from the traits the backend declares (refloop/loop/backend_traits.hpp); the model
// itself never looks at a backend's name.
struct BackendTraits {
  // BACKEND-011: select's write set never reports a hangup, so on the select backend the hangup
  // of an end that cannot be written (a pipe's read end) and is watched only for `out` is unseen.
  bool hangup_unseen_by_write_only = false;
  // TIMER-007, MODEL-008: whether the implementation may leave a timer that an fd handler made
  // due for one iteration later, after the task that handler registered (ivykis's epoll-timerfd
  // and kqueue methods). True unless the implementation declares otherwise: the spec leaves the
  // order open. refloop's backends declare false (BackendTraits::timer_task_order_may_vary).
  bool timer_task_order_may_vary = true;
};

class LoopModel {
 public:
  explicit LoopModel(tain start, BackendTraits traits = {}) : clock_(start), traits_(traits) {}

  // Any operation but run / run_nowait, outside an iteration.
  void apply(const Op& op);

  // One iteration: begin_run, then on_callback for each callback in the order observed, then
  // end_run with how run_once ended and the simulated clock after it. A callback whose script
  // holds `run` begins a nested iteration there (MODEL-007, LOOP-011): the callbacks that follow
  // belong to it, and the next end_run ends it and lets the script go on.
  void begin_run(bool nowait);
  Verdict on_callback(const Event& event);
  Verdict end_run(Outcome observed, const tain& clock_after);
  [[nodiscard]] int nesting() const { return static_cast<int>(frames_.size()); }  // nested runs open

  [[nodiscard]] bool registered(const Ref& ref) const;
  [[nodiscard]] std::size_t registered_count() const;
  [[nodiscard]] const World& world() const { return world_; }
  [[nodiscard]] const FdModel& fd(int end) const { return fds_[end]; }
  [[nodiscard]] const TimerModel& timer(int i) const { return timers_[i]; }
  [[nodiscard]] const TaskModel& task(int i) const { return tasks_[i]; }
  [[nodiscard]] const std::vector<Op>& script(int i) const { return scripts_[i]; }
  [[nodiscard]] const tain& clock() const { return clock_; }
  [[nodiscard]] bool quit_requested() const { return quit_; }
  // The model's cached now (TIME-001), which step 1 compares expiries with.
  [[nodiscard]] const tain& cached_now() const { return cached_now_; }

 private:
  enum class Phase { outside, timers, tasks, fds, done };

  // Actions shared by the driver and handler scripts (ops.hpp).
  void act(const Op& op);
  void register_object(const Op& op);
  void unregister_object(const Ref& ref);
  void set_handler(const Op& op);
  void run_script(int script, const Ref& caller);
  void run_actions(const std::vector<Op>& actions, std::size_t from, const Ref& caller);
  void begin_nested(bool nowait, std::vector<Op> rest, const Ref& caller);
  void end_nested();
  [[nodiscard]] bool in_enclosing_batch(int timer) const;
  tain now();

  // The iteration, one function per step (loop_model.cpp).
  Verdict finish_timers();
  Verdict finish_tasks();
  Verdict check_end(Outcome observed, const tain& clock_after);
  Verdict check_clock(Outcome observed, const tain& clock_after) const;
  [[nodiscard]] tain poll_deadline() const;

  // Step 1 and 2 callbacks (timer_task_model.cpp).
  Verdict on_timer(const Event& event);
  Verdict on_task(const Event& event);
  void push_task(int index);
  void begin_task_pass();

  // Poll and dispatch (fd_model.cpp).
  void take_poll_snapshot();
  void merge_ready(const ReadyFd& ready);
  Verdict on_fd(const Event& event);
  Verdict close_current_fd();
  Verdict check_skipped(int end, unsigned bands, const char* why) const;
  [[nodiscard]] bool must_call(int end, unsigned required, Band b) const;
  void refresh_silence();
  Verdict missing_fd_callbacks() const;

  World world_;
  FdModel fds_[max_ends];
  TimerModel timers_[max_timers];
  TaskModel tasks_[max_tasks];
  std::vector<Op> scripts_[max_scripts];
  tain clock_;
  tain cached_now_{};
  bool now_valid_ = false;
  bool quit_ = false;
  BackendTraits traits_;

  // Task queue state (TASK-004): the pending list, this pass's run list and the pass counter.
  std::deque<int> pending_tasks_;
  std::deque<int> running_tasks_;
  std::uint64_t epoch_ = 0;
  bool in_task_pass_ = false;

  // The iteration being checked.
  Phase phase_ = Phase::outside;
  bool nowait_ = false;
  Outcome predicted_ = Outcome::polled;  // step 3's verdict
  std::vector<int> expired_;       // step 1's batch: timers due and not yet run or cancelled
  bool timer_ran_ = false;         // some timer of the batch ran in this step 1
  std::uint64_t polls_ = 0;        // polls begun so far
  tain stamp_{};                   // now() at the poll
  tain deadline_{};                // the poll deadline (tain_infinite: none)
  bool surely_wakes_ = false;      // some fd must be reported
  bool maybe_wakes_ = false;       // some fd may be reported (optional bands only)
  bool saw_fd_callback_ = false;
  std::vector<ReadyFd> pending_fds_;  // reported at the poll, not dispatched yet
  std::optional<ReadyFd> current_fd_;  // being dispatched
  int current_last_band_ = -1;          // the last band called for current_fd_, in all_bands order

  // The iterations a nested run interrupted (LOOP-011), innermost last: what each keeps of its
  // own (the fd list and the task queue's pending list are the loop's, shared by all), and the
  // rest of the script whose `run` began the nested run.
  struct Frame {
    Phase phase;
    bool nowait;
    Outcome predicted;
    std::vector<int> expired;
    bool timer_ran;
    tain stamp, deadline;
    bool surely_wakes, maybe_wakes, saw_fd_callback;
    std::optional<ReadyFd> current_fd;
    int current_last_band;
    std::deque<int> running_tasks;
    bool in_task_pass;
    std::vector<Op> rest;
    Ref caller;
  };
  std::vector<Frame> frames_;
};

std::string describe(const Event& event);
// A time as the case sees it: its distance from the case's start, "300s+0ns", "-0s+1ns".
std::string format_time(const tain& t);

}  // namespace refloop::model::loop
