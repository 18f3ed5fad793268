// SPDX-License-Identifier: ISC
// Drives the real loop and the loop model (model/loop) with the same operations and reports the
// first disagreement (spec/model.md, MODEL-004). The loop runs on a SimulatedClock with a named
// backend; channels are real nonblocking pipes and socket pairs, so readiness comes from the
// kernel. Every callback is checked against the model as it happens, and after every operation
// the registration of every object, the registered count and the unread byte counts must agree.
// Used by property/loop (RapidCheck) and fuzz/loop_ops_run.cpp; header-only so both can take it.
#pragma once

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loop/loop_model.hpp"
#include "loop/ops_text.hpp"
#include "refloop/loop/loop.hpp"
#include "refloop/time/clock.hpp"

namespace refloop::loopcheck {

using namespace refloop::model::loop;

class Harness {
 public:
  explicit Harness(std::string_view backend) : loop_(LoopOptions{&clock_, backend}) {
    std::fill(std::begin(os_fd_), std::end(os_fd_), -1);
    for (int i = 0; i < max_ends; ++i) slots_[i] = Slot{this, i};
    for (int i = 0; i < max_timers; ++i) timer_slots_[i] = Slot{this, i};
    for (int i = 0; i < max_tasks; ++i) task_slots_[i] = Slot{this, i};
    for (int i = 0; i < max_ends; ++i) fds_[i].cookie = &slots_[i];
    for (int i = 0; i < max_timers; ++i) timers_[i] = Timer{tain_zero, &timer_slots_[i], timer_handler(0), {}};
    for (int i = 0; i < max_tasks; ++i) tasks_[i] = Task{&task_slots_[i], task_handler(0), {}};
  }
  ~Harness() {
    for (int fd : os_fd_)
      if (fd >= 0) ::close(fd);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  [[nodiscard]] std::string_view backend_name() const { return loop_.backend_name(); }
  [[nodiscard]] const std::vector<Op>& history() const { return history_; }
  // Callbacks seen so far, per Kind (fd, timer, task): to show that sequences do something.
  [[nodiscard]] std::size_t callbacks(Kind kind) const { return callbacks_[static_cast<int>(kind)]; }

  // Applies one operation to both; returns the first disagreement, if any.
  Verdict step(const Op& op) {
    history_.push_back(op);
    if (trace_) std::fprintf(stderr, "%s\n", format_op(op).c_str());
    if (op.code == Code::run || op.code == Code::run_nowait) {
      if (auto v = run(op.code == Code::run_nowait)) return v;
    } else {
      act(op);
      model_.apply(op);
    }
    return compare_state();
  }

  // The failure report: the disagreement, the backend and the sequence in the text form.
  std::string report(const std::string& verdict) const {
    return "backend " + std::string(loop_.backend_name()) + ": " + verdict +
           "\noperations so far (text form, spec/model.md):\n" + format_ops(history_);
  }

 private:
  struct Slot {
    Harness* owner = nullptr;
    int index = 0;
  };

  template <int B, int S>
  static void on_fd(void* cookie) {
    auto* slot = static_cast<Slot*>(cookie);
    slot->owner->callback(Event{Ref{Kind::fd, static_cast<std::uint8_t>(slot->index)}, all_bands[B], S});
  }
  template <int S>
  static void on_timer(void* cookie) {
    auto* slot = static_cast<Slot*>(cookie);
    slot->owner->callback(Event{Ref{Kind::timer, static_cast<std::uint8_t>(slot->index)}, Band::in, S});
  }
  template <int S>
  static void on_task(void* cookie) {
    auto* slot = static_cast<Slot*>(cookie);
    slot->owner->callback(Event{Ref{Kind::task, static_cast<std::uint8_t>(slot->index)}, Band::in, S});
  }
  static_assert(max_scripts == 4, "one handler function per script below");
  static Handler fd_handler(Band band, int script) {
    static constexpr Handler table[3][4] = {
        {&on_fd<0, 0>, &on_fd<0, 1>, &on_fd<0, 2>, &on_fd<0, 3>},
        {&on_fd<1, 0>, &on_fd<1, 1>, &on_fd<1, 2>, &on_fd<1, 3>},
        {&on_fd<2, 0>, &on_fd<2, 1>, &on_fd<2, 2>, &on_fd<2, 3>}};
    return script < 0 ? nullptr : table[static_cast<int>(band)][script];
  }
  static Handler timer_handler(int script) {
    static constexpr Handler table[4] = {&on_timer<0>, &on_timer<1>, &on_timer<2>, &on_timer<3>};
    return table[script];
  }
  static Handler task_handler(int script) {
    static constexpr Handler table[4] = {&on_task<0>, &on_task<1>, &on_task<2>, &on_task<3>};
    return table[script];
  }

  // A callback: the model judges it first, then the script acts on the real loop.
  void callback(const Event& event) {
    if (failure_) return;
    if (trace_) std::fprintf(stderr, "  callback %s\n", describe(event).c_str());
    ++callbacks_[static_cast<int>(event.object.kind)];
    failure_ = model_.on_callback(event);
    if (failure_) return;
    const std::vector<Op> actions = scripts_[event.script];
    for (const Op& action : actions) {
      const Resolved resolved = resolve(action, event.object);
      if (resolved.applies) act(resolved.op);
    }
  }

  Verdict run(bool nowait) {
    model_.begin_run(nowait);
    Outcome outcome = Outcome::polled;
    try {
      const Step s = loop_.run_once(nowait ? RunMode::nowait : RunMode::wait);
      outcome = s == Step::quit ? Outcome::quit : s == Step::empty ? Outcome::empty : Outcome::polled;
    } catch (const SimulatedDeadlock&) {
      outcome = Outcome::deadlock;
    }
    if (failure_) return failure_;
    if (trace_) {
      const tain since = clock_.now() - tain_epoch;
      std::fprintf(stderr, "  -> %s, clock %llus+%uns\n", outcome == Outcome::polled ? "polled" : outcome == Outcome::quit ? "quit" : outcome == Outcome::empty ? "empty" : "deadlock",
                   static_cast<unsigned long long>(since.sec()), since.nano());
    }
    return model_.end_run(outcome, clock_.now());
  }

  static tain shifted(const tain& base, std::int64_t delta) {
    if (delta >= 0) return base + tain::normalised(0, static_cast<std::uint64_t>(delta));
    return base - tain::normalised(0, static_cast<std::uint64_t>(-(delta + 1)) + 1);
  }

  bool is_socket(int end) const { return socket_[channel_of(end)]; }
  bool can_write(int end) const { return is_socket(end) || side_of(end) == 1; }
  bool can_read(int end) const { return is_socket(end) || side_of(end) == 0; }

  static std::uint64_t unread_at(int fd) {
    int count = 0;
    return ::ioctl(fd, FIONREAD, &count) == 0 ? static_cast<std::uint64_t>(count) : 0;
  }

  void create_channel(bool socket) {
    if (channels_ == max_channels) return;
    int pair[2];
    const int made = socket ? ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair)
                            : ::pipe2(pair, O_NONBLOCK | O_CLOEXEC);
    if (made != 0) {
      failure_ = "harness: cannot create a channel";
      return;
    }
    socket_[channels_] = socket;
    for (int side = 0; side < 2; ++side) {
      os_fd_[2 * channels_ + side] = pair[side];
      fds_[2 * channels_ + side].fd = pair[side];
    }
    ++channels_;
  }

  void write_bytes(int end, std::uint64_t bytes) {
    if (os_fd_[end] < 0 || os_fd_[peer_of(end)] < 0 || !can_write(end)) return;
    const std::uint64_t room = buffer_cap - std::min(buffer_cap, unread_at(os_fd_[peer_of(end)]));
    const std::size_t count = static_cast<std::size_t>(std::min(bytes, room));
    if (count == 0) return;
    const std::vector<char> data(count, 'x');
    const ssize_t wrote = is_socket(end) ? ::send(os_fd_[end], data.data(), count, MSG_NOSIGNAL)
                                         : ::write(os_fd_[end], data.data(), count);
    if (wrote != static_cast<ssize_t>(count)) failure_ = "harness: short write on " + format_ref(Ref{Kind::fd, static_cast<std::uint8_t>(end)});
  }

  void read_bytes(int end, std::uint64_t bytes) {
    if (os_fd_[end] < 0 || !can_read(end) || bytes == 0) return;
    std::vector<char> data(static_cast<std::size_t>(bytes));
    (void)!::read(os_fd_[end], data.data(), data.size());  // EAGAIN when empty: nothing read
  }

  void close_end(int end) {
    if (os_fd_[end] < 0 || Loop::registered(fds_[end])) return;
    ::close(os_fd_[end]);
    os_fd_[end] = -1;
  }

  void act(const Op& op);
  void register_object(const Ref& ref, std::int64_t delay);
  void unregister_object(const Ref& ref);
  void set_handler(const Op& op);
  Verdict compare_state() const;

  SimulatedClock clock_{tain_epoch};
  Fd fds_[max_ends];
  Timer timers_[max_timers];
  Task tasks_[max_tasks];
  Slot slots_[max_ends];
  Slot timer_slots_[max_timers];
  Slot task_slots_[max_tasks];
  int os_fd_[max_ends];
  bool socket_[max_channels] = {};
  int channels_ = 0;
  std::vector<Op> scripts_[max_scripts];
  Loop loop_;  // declared after the objects it may hold, so it is destroyed first
  LoopModel model_{tain_epoch, BackendTraits::of(loop_.backend_name())};
  Verdict failure_;
  bool trace_ = std::getenv("REFLOOP_LOOPCHECK_TRACE") != nullptr;  // print each step to stderr
  std::vector<Op> history_;
  std::size_t callbacks_[3] = {0, 0, 0};
};

inline void Harness::act(const Op& op) {
  if (!applicable(op)) return;
  const int i = op.target.index;
  switch (op.code) {
    case Code::pipe: create_channel(false); return;
    case Code::socketpair: create_channel(true); return;
    case Code::write: write_bytes(i, static_cast<std::uint64_t>(op.amount)); return;
    case Code::read: read_bytes(i, static_cast<std::uint64_t>(op.amount)); return;
    case Code::close: close_end(i); return;
    case Code::reg: register_object(op.target, op.amount); return;
    case Code::unreg: unregister_object(op.target); return;
    case Code::set: set_handler(op); return;
    case Code::stamp: loop_.stamp_task(tasks_[i]); return;
    case Code::advance: clock_.advance(tain::normalised(0, static_cast<std::uint64_t>(op.amount))); return;
    case Code::quit: loop_.quit(); return;
    case Code::script: scripts_[op.handler] = op.body; return;
    case Code::run: case Code::run_nowait: return;
  }
}

inline void Harness::register_object(const Ref& ref, std::int64_t delay) {
  const int i = ref.index;
  switch (ref.kind) {
    case Kind::fd:
      if (os_fd_[i] >= 0 && !Loop::registered(fds_[i])) loop_.register_fd(fds_[i]);
      return;
    case Kind::timer:
      if (Loop::registered(timers_[i])) return;
      timers_[i].expires = shifted(loop_.now(), delay);
      loop_.register_timer(timers_[i]);
      return;
    case Kind::task:
      if (!Loop::registered(tasks_[i])) loop_.register_task(tasks_[i]);
      return;
    case Kind::self: return;
  }
}

inline void Harness::unregister_object(const Ref& ref) {
  const int i = ref.index;
  switch (ref.kind) {
    case Kind::fd:
      if (Loop::registered(fds_[i])) loop_.unregister_fd(fds_[i]);
      return;
    case Kind::timer:
      if (Loop::registered(timers_[i])) loop_.unregister_timer(timers_[i]);
      return;
    case Kind::task:
      if (Loop::registered(tasks_[i])) loop_.unregister_task(tasks_[i]);
      return;
    case Kind::self: return;
  }
}

// Before registration an fd's handlers are plain fields; afterwards only the setters may change
// them (FD-001, FD-005). Timer and task handlers may change at any time.
inline void Harness::set_handler(const Op& op) {
  const int i = op.target.index;
  switch (op.target.kind) {
    case Kind::fd: {
      Fd& fd = fds_[i];
      const Handler handler = fd_handler(op.band, op.handler);
      const bool live = Loop::registered(fd);
      if (op.band == Band::in) live ? loop_.set_handler_in(fd, handler) : void(fd.handler_in = handler);
      if (op.band == Band::out) live ? loop_.set_handler_out(fd, handler) : void(fd.handler_out = handler);
      if (op.band == Band::err) live ? loop_.set_handler_err(fd, handler) : void(fd.handler_err = handler);
      return;
    }
    case Kind::timer: timers_[i].handler = timer_handler(op.handler); return;
    case Kind::task: tasks_[i].handler = task_handler(op.handler); return;
    case Kind::self: return;
  }
}

// After every operation: registration of every object (FD-004, TIMER-004, TASK-002), the
// registered count (LOOP-006), and the unread bytes of every open end (the world agrees).
inline Verdict Harness::compare_state() const {
  if (failure_) return failure_;
  for (int i = 0; i < max_ends; ++i)
    if (Loop::registered(fds_[i]) != model_.registered(Ref{Kind::fd, static_cast<std::uint8_t>(i)}))
      return "[FD-004] registration of " + format_ref(Ref{Kind::fd, static_cast<std::uint8_t>(i)}) + " differs from the model";
  for (int i = 0; i < max_timers; ++i)
    if (Loop::registered(timers_[i]) != model_.timer(i).registered)
      return "[TIMER-004] registration of t" + std::to_string(i) + " differs from the model";
  for (int i = 0; i < max_tasks; ++i)
    if (Loop::registered(tasks_[i]) != model_.task(i).registered)
      return "[TASK-002] registration of k" + std::to_string(i) + " differs from the model";
  if (loop_.registered_count() != model_.registered_count())
    return "[LOOP-006] registered_count() is " + std::to_string(loop_.registered_count()) + ", the model counts " +
           std::to_string(model_.registered_count());
  for (int i = 0; i < max_ends; ++i)
    if (os_fd_[i] >= 0 && can_read(i) && unread_at(os_fd_[i]) != model_.world().unread(i))
      return "harness: unread bytes at " + format_ref(Ref{Kind::fd, static_cast<std::uint8_t>(i)}) + " differ from the model's world";
  return std::nullopt;
}

}  // namespace refloop::loopcheck
