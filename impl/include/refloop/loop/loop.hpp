// SPDX-License-Identifier: ISC
// The event loop of the ivykis model (spec/loop.md: LOOP, FD, TIMER, TASK, TIME, BACKEND).
// A Loop owns everything of one loop: registered fds, the timer heap, the task queue, the
// cached time and its backend. Fds, timers and tasks are caller-owned intrusive objects,
// registered by pointer and never copied or freed by the loop, exactly as ivykis's struct iv_fd /
// iv_timer / iv_task; handlers are plain `void (*)(void* cookie)`, so the ivykis C API is a thin
// layer over this header. A Loop is used from one thread at a time; each thread runs its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "refloop/loop/fd.hpp"
#include "refloop/loop/grow_only_list.hpp"
#include "refloop/time/clock.hpp"
#include "refloop/time/tain.hpp"

namespace refloop {

namespace detail {

// Loop-private state of a Timer.
struct TimerState {
  std::uint64_t owner = 0;    // the serial of the loop it is registered with, or 0
  std::size_t position = 0;   // heap slot, or slot in the expired batch (see where)
  enum class Where : std::uint8_t { nowhere, heap, expired } where = Where::nowhere;
};

// Loop-private state of a Task (an intrusive doubly linked FIFO).
struct TaskState {
  std::uint64_t owner = 0;    // the serial of the loop it is registered with, or 0
  void* prev = nullptr;       // Task*, kept untyped so Task stays an aggregate of plain fields
  void* next = nullptr;
  std::uint64_t epoch = 0;    // the task pass in which its handler last ran (the epoch rule)
};

}  // namespace detail

// [TIMER-001] A one-shot timer at an absolute time on the loop's clock. `expires` must not
// change while registered; `cookie` and `handler` may change at any time.
struct Timer {
  tain expires{};
  void* cookie = nullptr;
  Handler handler = nullptr;
  detail::TimerState state{};  // owned by the loop; do not touch
};

// [TASK-001] A callback to run once, before the loop next sleeps.
struct Task {
  void* cookie = nullptr;
  Handler handler = nullptr;
  detail::TaskState state{};  // owned by the loop; do not touch
};

namespace kernel {
struct SysCalls;   // refloop/kernel/syscalls.hpp
}  // namespace kernel

namespace detail {
class Backend;     // impl/backend/backend.hpp
class LoopSink;    // impl/loop/loop.cpp: the backend's readiness upcall into the loop
class TimerHeap;   // impl/loop/timer_heap.hpp
class TaskQueue;   // impl/loop/task_queue.hpp
}  // namespace detail

// How run_once waits when nothing is pending: until the earliest deadline (wait), or not at all
// (nowait: the poll uses a zero timeout, the clock is not advanced).
enum class RunMode { wait, nowait };

// What one iteration did.
enum class Step {
  polled,  // ran timers and tasks, polled, dispatched fd handlers
  quit,    // quit() was called: stopped at the check, before polling (the flag is consumed)
  empty,   // nothing is registered: stopped at the check, before polling
};

struct LoopOptions {
  // The clock the loop reads; nullptr means a Stopwatch owned by the loop. The clock must
  // outlive the loop.
  Clock* clock = nullptr;
  // Backend by name ("epoll", "epoll-timerfd", "ppoll", "poll", "select"). Empty: the default
  // choice (BACKEND- in spec/loop.md: REFLOOP_BACKEND, then IV_EXCLUDE_POLL_METHOD, then the
  // preference order).
  // A named backend ignores the environment. An unavailable backend is fatal.
  std::string_view backend = {};
  // The system-call tables the backend uses (refloop/kernel/syscalls.hpp); nullptr means the
  // native ones. Tests, OS emulators and fault injection plug in here. The tables must outlive
  // the loop.
  const kernel::SysCalls* sys = nullptr;
};

// Names of the backends compiled in, in preference order.
std::vector<std::string_view> compiled_backends();

class Loop {
 public:
  explicit Loop(LoopOptions options = {});
  // A loop on a given backend instance (for tests and models that drive a fake backend; see
  // impl/backend/backend.hpp).
  Loop(Clock& clock, std::unique_ptr<detail::Backend> backend);
  ~Loop();  // forgets registered objects (as iv_deinit); the caller still owns them
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // ---- fds [FD-*] ---------------------------------------------------------------------------
  void register_fd(Fd& fd);      // fatal on misuse; kernel errors surface at the next poll
  int register_fd_try(Fd& fd);   // 0, or an errno value (the fd is then left unregistered)
  void unregister_fd(Fd& fd);
  static bool registered(const Fd& fd) { return fd.state.owner != 0; }
  void set_handler_in(Fd& fd, Handler handler);
  void set_handler_out(Fd& fd, Handler handler);
  void set_handler_err(Fd& fd, Handler handler);

  // ---- timers [TIMER-*] ---------------------------------------------------------------------
  void register_timer(Timer& timer);
  void unregister_timer(Timer& timer);
  static bool registered(const Timer& timer) { return timer.state.owner != 0; }

  // ---- tasks [TASK-*] -----------------------------------------------------------------------
  void register_task(Task& task);
  void unregister_task(Task& task);
  static bool registered(const Task& task) { return task.state.owner != 0; }
  // Marks a task as having run in the current task pass, so that registering it from a task
  // handler defers it to the next pass. This is what IV_TASK_INIT does in ivykis; a
  // default-constructed Task has not run in any pass.
  void stamp_task(Task& task) const;

  // ---- time [TIME-*] ------------------------------------------------------------------------
  tain now();               // the cached time, read from the clock first if invalid
  void invalidate_now();    // the next now() reads the clock
  [[nodiscard]] bool now_valid() const { return now_valid_; }
  Clock& clock() { return *clock_; }

  // ---- running [LOOP-*] ---------------------------------------------------------------------
  // Both may be called from inside a callback of this loop (a nested run, LOOP-011).
  void run();                                  // iterations until quit() or nothing registered
  Step run_once(RunMode mode = RunMode::wait); // one iteration (spec/loop.md, "The iteration")
  void quit();                                 // stop at the next check (after this round)
  [[nodiscard]] std::size_t registered_count() const { return registered_count_; }
  [[nodiscard]] std::string_view backend_name() const;

 private:
  friend class detail::LoopSink;
  // The backend upcall (detail::ReadySink in backend.hpp, through LoopSink): fd is ready in bands.
  void fd_ready(Fd& fd, unsigned bands);

  class RunScope;  // counts the runs in progress (LOOP-011)
  static std::uint64_t take_serial();

  void run_expired_timers();
  void run_tasks();
  bool should_stop(Step& why);
  void start_fd_registration(Fd& fd);
  int check_and_prepare(Fd& fd);
  tain poll_deadline(RunMode mode);
  void poll_for_events(const tain& deadline);
  void dispatch_ready_fds();
  void dispatch_one(Fd& fd);
  static unsigned take_ready_bands(Fd& fd);
  static void run_only_handler(Fd& fd, unsigned band);
  void run_handlers_in_order(Fd& fd, unsigned bands);
  void check_fd_owner(const Fd& fd, const char* call) const;
  void set_handler(Fd& fd, Handler Fd::*which, Handler handler, const char* call);
  void update_wanted_bands(Fd& fd);
  void drop_from_ready_list(Fd& fd);

  const std::uint64_t serial_ = take_serial();  // never reused (LOOP-013)
  std::unique_ptr<Clock> owned_clock_;
  Clock* clock_;
  std::unique_ptr<detail::Backend> backend_;
  std::unique_ptr<detail::TimerHeap> timers_;
  std::unique_ptr<detail::TaskQueue> tasks_;
  // Expired timers collected by the step 1s in progress: each (nested) step 1 appends its batch
  // and truncates back to where it began, so an enclosing batch is never walked twice (LOOP-011).
  std::vector<Timer*> expired_;
  // Ready fds not dispatched yet, in the backend's order, and the next one to dispatch. A nested
  // run's dispatch continues this list, as ivykis's shared active list does (LOOP-011).
  detail::GrowOnlyList<Fd*, 16> ready_;
  std::size_t next_ready_ = 0;
  // The fds whose handlers are running, innermost last; an entry is cleared when its fd
  // unregisters, which ends that fd's turn (FD-008).
  std::vector<Fd*> handled_;
  unsigned runs_in_progress_ = 0;  // run_once calls not yet returned (LOOP-011)
  std::size_t registered_count_ = 0;
  tain now_{};
  bool now_valid_ = false;
  bool quit_ = false;
};

}  // namespace refloop
