// SPDX-License-Identifier: ISC
// The refloop iopause adapter: refloop's C++ iopause (iopause_ppoll/poll/select, iopause_stamp and
// deepsleepuntil with that implementation) on a SimulatedClock, or on a Stopwatch after `clock
// real`. spec/iopause.md.
#include <cerrno>
#include <span>
#include <type_traits>

#include "iopause/iopause_model.hpp"
#include "refloop_iopause.hpp"
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

class RefloopAdapter final : public IopauseAdapter {
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

}  // namespace

std::unique_ptr<IopauseAdapter> make_refloop_iopause_adapter(IopauseImpl which) {
  return std::make_unique<RefloopAdapter>(which);
}

}  // namespace refloop::conformance::iopause_suite
