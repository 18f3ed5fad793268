// SPDX-License-Identifier: ISC
// The iopause model (model/iopause) as an implementation of its own, answering as ppoll, on its
// own simulated time line. spec/iopause.md.
#include <cstdio>
#include <memory>

#include "iopause/iopause_model.hpp"
#include "model_iopause.hpp"

namespace refloop::conformance::iopause_suite {
namespace {

namespace mi = model::iopause_model;

std::string hex2(int v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", v);
  return text;
}

std::string masks_answer(int read, int write, int except) { return hex2(read) + "," + hex2(write) + "," + hex2(except); }

// The model answering as an implementation (ppoll), on its own simulated time line.
class ModelAdapter final : public IopauseAdapter {
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

std::unique_ptr<IopauseAdapter> make_model_iopause_adapter() { return std::make_unique<ModelAdapter>(); }

}  // namespace refloop::conformance::iopause_suite
