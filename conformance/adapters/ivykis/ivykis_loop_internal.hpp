// SPDX-License-Identifier: ISC
// The ivykis adapter's class, shared by its two sources: ivykis_loop.cpp (the emulation of
// one iteration with iv_main, see there) and ivykis_probes.cpp (the probes). Written against
// <iv.h> only; compiled against refloop's <iv.h> and against Debian's.
#pragma once

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <iv.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loop_world.hpp"
#include "ivykis_loop.hpp"
#include "refloop/loop/backend_traits.hpp"

namespace refloop::conformance::loop_suite::ivykis_adapter {

using namespace model::loop;

constexpr std::int64_t scale_ns = 1'000'000;             // one case ns is 1 ms of real time
constexpr std::int64_t tolerance_ns = 1'000'000'000;     // late side only
constexpr std::int64_t overtaken_margin_ns = 2'000'000;  // see set_aside
constexpr std::int64_t deadlock_guard_ns = 300'000'000;  // "no deadline, nothing ready"
constexpr std::int64_t max_advance_ns = 1'000'000'000;   // real sleep allowed for one advance

inline std::int64_t to_ns(const timespec& t) { return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }
inline timespec from_ns(std::int64_t ns) {
  timespec t{};
  t.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return t;
}
inline std::int64_t monotonic_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return to_ns(t);
}
class IvykisLoopAdapter;
inline IvykisLoopAdapter* current = nullptr;  // ivykis state is per thread; the runner uses one thread

struct Slot {
  Ref ref{};
};

enum class Phase { outside, steps_1_to_3, poll, continuation };

class IvykisLoopAdapter final : public LoopAdapter {
 public:
  IvykisLoopAdapter(std::string implementation, std::string method);
  ~IvykisLoopAdapter() override;
  IvykisLoopAdapter(const IvykisLoopAdapter&) = delete;
  IvykisLoopAdapter& operator=(const IvykisLoopAdapter&) = delete;

  [[nodiscard]] std::string name() const override { return implementation_ + "/" + method_; }
  // MODEL-008: refloop's <iv.h> runs refloop's loop core, so it has its backend's trait; an
  // <iv.h> refloop did not build (Debian's libivykis, whose epoll-timerfd and kqueue methods do
  // vary) declares nothing, and gets the spec's leniency.
  [[nodiscard]] bool timer_task_order_may_vary() const override {
    const refloop::BackendTraits* traits =
        implementation_ == "refloop-iv" ? refloop::backend_traits(method_) : nullptr;
    return traits == nullptr || traits->timer_task_order_may_vary;
  }
  [[nodiscard]] std::optional<std::string> unsupported(const Op& op) const override;
  void act(const Op& op) override;
  [[nodiscard]] std::optional<std::string> unsupported_probe(const Probe& probe) const override;
  std::string probe(const Probe& probe) override;  // ivykis_probes.cpp
  Outcome run(bool nowait, const Callback& callback, const NestedEnd& nested_end) override;
  // A script that nests a run: <iv.h> has no run_once to nest (the ivapi suite's nested iv_main
  // probes cover <iv.h>).
  [[nodiscard]] std::optional<std::string> not_applicable(const Op& op) const override {
    if (op.code != Code::script) return std::nullopt;
    for (const Op& action : op.body)
      if (action.code == Code::run || action.code == Code::run_nowait)
        return std::string("a nested run_once (LOOP-011) is C++ API: <iv.h> has no run_once; the ivapi suite's nested iv_main cases cover <iv.h>");
    return std::nullopt;
  }
  [[nodiscard]] tain clock() const override { return tain_epoch + tain::normalised(0, virtual_ns_); }
  [[nodiscard]] bool registered(const Ref& ref) const override;
  [[nodiscard]] std::size_t registered_count() const override;
  [[nodiscard]] std::optional<std::uint64_t> unread(int end) const override {
    return channels_.unread(end);
  }
  std::optional<std::string> take_problem() override {
    auto p = problem_;
    problem_.reset();
    return p;
  }

  void on_case_callback(const Ref& ref, Band band, int script);
  void on_stop_task();
  void on_ready_fd();
  void on_guard();

 private:
  void register_object(const Ref& ref, std::int64_t delay);
  void unregister_object(const Ref& ref);
  void set_handler(const Op& op);
  void run_script(int script, const Ref& caller);
  void register_task(int i);
  [[nodiscard]] bool hidden(const Ref& ref) const;
  void unhide(const Ref& ref);
  void unregister_task(int i);
  std::string probe_registration(const Probe& probe);
  std::string register_try_high(iv_fd& fd);
  static std::string api_probe(const std::string& name);  // ivykis_api_probes.cpp

  Outcome steps_1_to_3();
  void poll_and_dispatch(bool nowait);
  void set_aside();
  void restore();
  void finish_overtaken_wait(std::int64_t deadline);
  void arm_stop();

  std::string implementation_, method_;
  iv_fd fds_[max_ends];
  iv_timer timers_[max_timers];
  iv_task tasks_[max_tasks];
  Slot fd_slots_[max_ends], timer_slots_[max_timers], task_slots_[max_tasks];
  LoopWorld channels_;
  std::vector<Op> scripts_[max_scripts];
  int fd_script_[max_ends][3];
  int timer_script_[max_timers] = {}, task_script_[max_tasks] = {};
  std::int64_t timer_virtual_[max_timers] = {};  // case ns since the start
  std::vector<int> task_order_;                  // pending case tasks, FIFO

  std::uint64_t virtual_ns_ = 0;
  bool case_quit_ = false;
  std::optional<std::string> method_problem_, problem_;
  const Callback* callback_ = nullptr;
  bool stopped_ = false;
  Phase phase_ = Phase::outside;

  // Internal objects of the emulation, never reported.
  iv_task stop_task_{};     // A: ends steps 1-3; B: ends the continuation
  iv_timer guard_{};        // B: a wait with no deadline and nothing ready
  iv_fd ready_fd_{};        // B: makes the poll non-blocking
  int ready_pipe_[2] = {-1, -1};
  bool guard_fired_ = false, saw_fd_ = false;
  bool hidden_due_ = false, hidden_overtaken_ = false;
  std::vector<int> hidden_tasks_, hidden_timers_, deferred_tasks_, deferred_timers_;
  std::vector<int> not_due_;  // A: timers the case's clock has not reached
};

using HandlerFn = void (*)(void*);
HandlerFn fd_handler(Band band, int script);
HandlerFn other_handler(int script);

}  // namespace refloop::conformance::loop_suite::ivykis_adapter
