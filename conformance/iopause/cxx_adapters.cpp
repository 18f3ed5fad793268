// SPDX-License-Identifier: ISC
// The columns of refloop-conformance-iopause: refloop's C++ iopause (refloop/ppoll, refloop/poll,
// refloop/select: iopause_ppoll/poll/select, iopause_stamp and deepsleepuntil with that
// implementation) on a SimulatedClock, or on a Stopwatch after `clock real`; and the model
// (model/iopause) as an implementation of its own, answering as ppoll. spec/iopause.md.
#include <cerrno>
#include <span>
#include <type_traits>

#include "iopause/iopause_model.hpp"
#include "iopause_adapter.hpp"
#include "refloop/iopause/iopause.hpp"
#include "refloop/time/clock.hpp"

namespace refloop::conformance::iopause_suite {
namespace {

namespace mi = model::iopause_model;

std::string hex2(int v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", v);
  return text;
}

std::string masks_answer(int read, int write, int except) { return hex2(read) + "," + hex2(write) + "," + hex2(except); }

std::int64_t ns_between(const tain& from, const tain& to) {
  const tain d = to - from;
  return static_cast<std::int64_t>(d.sec()) * 1'000'000'000LL + d.nano();
}

tain offset(const tain& t, std::int64_t ns) {
  const std::uint64_t magnitude = ns < 0 ? static_cast<std::uint64_t>(-ns) : static_cast<std::uint64_t>(ns);
  const tain d = tain::normalised(magnitude / 1'000'000'000u, magnitude % 1'000'000'000u);
  return ns < 0 ? t - d : t + d;
}

class RefloopAdapter final : public Adapter {
 public:
  explicit RefloopAdapter(IopauseImpl which) : which_(which) {}

  std::optional<std::string> unsupported(const Op& op) const override {
    if (op.kind == OpKind::wait && op.stamp == StampKind::null) return "the C++ API takes the stamp by reference";
    if (op.kind == OpKind::probe && op.probe == "declarations") return "the C API's declarations (IOCOMPAT-001)";
    return std::nullopt;
  }

  WaitOutput wait(WaitInput& in) override {
    Clock& clock = in.real_clock ? static_cast<Clock&>(stopwatch_) : simulated_;
    const tain start = clock.now();
    tain stamp = offset(start, -in.stale_ns);
    const tain deadline = offset(start, in.deadline_ns.value_or(0));
    const tain* d = in.deadline_ns ? &deadline : nullptr;
    WaitOutput out;
    errno = errno_before_wait;
    try {
      out.result = perform(in, d, stamp, clock);
    } catch (const SimulatedDeadlock&) {
      out.deadlock = true;
    }
    out.error = errno;
    const tain after = clock.now();
    out.elapsed_ns = ns_between(start, after);
    for (const pollfd& e : in.entries) out.revents.push_back(e.revents);
    if (in.kind == WaitKind::wait_stamp || in.kind == WaitKind::deepsleep) {
      out.stamp_reached = d == nullptr || !(stamp < deadline);
      out.stamp_fresh = in.real_clock ? !(stamp < start) && !(after < stamp) : stamp == after;
    }
    return out;
  }

  std::string probe(const std::string& name) override {
    if (name == "layout") return std::is_same_v<iopause_fd, pollfd> ? "pollfd" : "other";
    if (name == "masks") return masks_answer(iopause_read, iopause_write, iopause_except);
    if (name == "default") return iopause_impl_name(iopause_default_impl);
    if (name.rfind("name:", 0) == 0) {  // by name, then by enum through iopause_function
      const auto which = iopause_impl_from_name(name.substr(5));
      if (!which) return "refused";
      const iopause_func f = iopause_function(*which);
      return f == &iopause_ppoll ? "ppoll" : f == &iopause_poll ? "poll" : f == &iopause_select ? "select" : "?";
    }
    return "unknown probe";
  }

  [[nodiscard]] bool real_time(bool clock_real) const override { return clock_real; }

 private:
  int perform(WaitInput& in, const tain* d, tain& stamp, Clock& clock) {
    const std::span<iopause_fd> fds(in.entries);
    switch (in.kind) {
      case WaitKind::wait: return iopause_function(which_)(fds, d, stamp, clock);
      case WaitKind::wait_default: return iopause_function(iopause_default_impl)(fds, d, stamp, clock);
      case WaitKind::wait_stamp: return iopause_stamp(fds, d, stamp, clock, which_);
      case WaitKind::deepsleep: deepsleepuntil(*d, stamp, clock, which_); return 0;
    }
    return -1;
  }

  IopauseImpl which_;
  SimulatedClock simulated_{tain_epoch};  // far from any real clock: reading one would show
  Stopwatch stopwatch_;
};

// The model answering as an implementation (ppoll), on its own simulated time line.
class ModelAdapter final : public Adapter {
 public:
  std::optional<std::string> unsupported(const Op& op) const override {
    if (op.kind == OpKind::entry && op.entry.kind == FdKind::number) return "fd numbers are beyond the model's world";
    if (op.kind == OpKind::entry && op.entry.kind == FdKind::fill_beyond_rlimit) return "the model has no RLIMIT_NOFILE";
    if (op.kind == OpKind::wait && op.stamp == StampKind::null) return "the model has no null stamp";
    if (op.kind == OpKind::probe && op.probe != "masks") return "the model has no types, names or declarations";
    return std::nullopt;
  }

  WaitOutput wait(WaitInput& in) override {
    const model::Time start = now_;
    const model::Time stamp = model::wrap(static_cast<model::i128>(start.ns) - in.stale_ns);
    std::optional<model::Time> deadline;
    if (in.deadline_ns) deadline = model::wrap(static_cast<model::i128>(start.ns) + *in.deadline_ns);
    const mi::World& world = *in.model_world;
    WaitOutput out;
    out.error = errno_before_wait;
    mi::Answer a;
    model::Time stamp_after = stamp;
    if (in.kind == WaitKind::wait || in.kind == WaitKind::wait_default) {
      a = mi::call(world, mi::Impl::ppoll, deadline, stamp, start);
    } else if (in.kind == WaitKind::wait_stamp) {
      const mi::StampAnswer s = mi::stamp_call(world, mi::Impl::ppoll, deadline, stamp, start);
      a = s.last;
      stamp_after = s.stamp;
    } else {
      a.clock_after = start;
      while (model::less(stamp_after, *deadline)) {
        stamp_after = mi::stamp_call(mi::World{}, mi::Impl::ppoll, deadline, stamp_after, a.clock_after).stamp;
        a.clock_after = stamp_after;
      }
    }
    out.result = a.result;
    if (a.result < 0) out.error = a.error;
    out.deadlock = a.deadlock;
    out.revents = a.revents;
    now_ = a.clock_after;
    out.elapsed_ns = static_cast<std::int64_t>(model::sub(now_, start).ns);
    if (in.kind == WaitKind::wait_stamp || in.kind == WaitKind::deepsleep) {
      out.stamp_reached = !deadline || !model::less(stamp_after, *deadline);
      out.stamp_fresh = a.deadlock || stamp_after.ns == now_.ns;
    }
    return out;
  }

  std::string probe(const std::string& name) override {
    return name == "masks" ? masks_answer(mi::read_mask, mi::write_mask, mi::except_mask) : "unknown probe";
  }

  [[nodiscard]] bool real_time(bool) const override { return false; }

 private:
  model::Time now_ = model::make((std::uint64_t{1} << 62) + 10, 0);
};

}  // namespace

std::vector<Column> available_columns(const std::string& impl, const std::string& backend, std::string& error) {
  std::vector<Column> columns;
  if (impl == "all" || impl == "refloop") {
    for (IopauseImpl which : {IopauseImpl::ppoll, IopauseImpl::poll, IopauseImpl::select}) {
      const std::string name = iopause_impl_name(which);
      if (!backend.empty() && backend != name) continue;
      columns.push_back(Column{"refloop", "refloop/" + name, name, false, true,
                               [which](const Column&) { return std::make_unique<RefloopAdapter>(which); }});
    }
  }
  const std::string model_answers_as = iopause_impl_name(iopause_default_impl);
  if ((impl == "all" || impl == "model") &&
      (backend.empty() || backend == model_answers_as || impl == "model"))
    columns.push_back(Column{"model", "model", model_answers_as, false, false,
                             [](const Column&) { return std::make_unique<ModelAdapter>(); }});
  if (columns.empty()) error = "no column for --impl " + impl + (backend.empty() ? "" : " --backend " + backend);
  return columns;
}

}  // namespace refloop::conformance::iopause_suite
