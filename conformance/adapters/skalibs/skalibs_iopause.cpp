// SPDX-License-Identifier: ISC
// The adapter for implementations of skalibs' C API <skalibs/iopause.h> (spec/iopause.md,
// IOCOMPAT). Written against <skalibs/iopause.h> and <skalibs/tai.h> only and compiled twice:
// with refloop's compat headers and refloop::skalibs (columns refloop-skalibs/<backend>) and
// with Debian's headers and libskarnet 2.13.1.1 (columns skalibs/<backend>); the macro
// REFLOOP_IOPAUSE_IMPLEMENTATION names which. Time is the C API's own tain_now, switched to the
// stopwatch (CLOCK_MONOTONIC), so waits are real and checked late-side only. A call that skalibs
// documents as a crash (a null stamp with a deadline) runs in a forked child.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <type_traits>

#include "iopause_adapter.hpp"

extern "C" {
#include <skalibs/tai.h>
#include <skalibs/iopause.h>  // defines the macro `iopause`: no identifier of that name below
}

namespace refloop::conformance::iopause_suite {
namespace {

tain offset(const tain& t, std::int64_t ns) {
  const std::uint64_t magnitude = ns < 0 ? static_cast<std::uint64_t>(-ns) : static_cast<std::uint64_t>(ns);
  tain d{};
  d.sec.x = magnitude / 1'000'000'000u;
  d.nano = static_cast<std::uint32_t>(magnitude % 1'000'000'000u);
  tain out{};
  if (ns < 0) tain_sub(&out, &t, &d);
  else tain_add(&out, &t, &d);
  return out;
}

std::int64_t ns_between(const tain& from, const tain& to) {
  tain d{};
  tain_sub(&d, &to, &from);
  return static_cast<std::int64_t>(d.sec.x) * 1'000'000'000LL + d.nano;
}

// [IOCOMPAT-001] Every name the header must declare, used once: this compiles only if they exist.
std::string declarations() {
  iopause_fd entry{};
  iopause_fd_ref ref = &entry;
  iopause_func* const functions[] = {&iopause_ppoll, &iopause_poll, &iopause_select};
  iopause_func_ref chosen = iopause_;
  int (*stamp)(iopause_fd*, unsigned int, tain const*, tain*) = &iopause_stamp;
  void (*sleep)(tain const*, tain*) = &deepsleepuntil;
  const int masks = IOPAUSE_READ | IOPAUSE_WRITE | IOPAUSE_EXCEPT;
  (void)ref, (void)functions, (void)chosen, (void)stamp, (void)sleep, (void)masks, (void)&STAMP;
#if !defined(iopause) || !defined(iopause_g) || !defined(deepsleepuntil_g)
  return "missing macro";
#else
  return "ok";
#endif
}

struct Outcome {
  int result = 0;
  int error = 0;
  bool crashed = false;
};

class CAdapter final : public IopauseAdapter {
 public:
  explicit CAdapter(iopause_func* which) : which_(which) {
    tain now{};
    tain_now_set_stopwatch(&now);
  }

  std::optional<std::string> unsupported(const Op& op) const override {
    if (op.kind == OpKind::probe && op.probe.rfind("name:", 0) == 0) return "the C API chooses by function, not by name (IOPAUSE-004 is C++)";
    return std::nullopt;
  }

  WaitOutput wait(WaitInput& in) override {
    tain start{};
    tain_now(&start);
    tain stamp = offset(start, -in.stale_ns);
    const tain deadline = offset(start, in.deadline_ns.value_or(0));
    const tain* d = in.deadline_ns ? &deadline : nullptr;
    tain* s = in.stamp == StampKind::null ? nullptr : &stamp;
    const Outcome o = s == nullptr && d != nullptr ? in_child(in, d) : perform(in, d, s);
    WaitOutput out;
    out.result = o.result;
    out.error = o.error;
    out.crashed = o.crashed;
    tain after{};
    tain_now(&after);
    out.elapsed_ns = ns_between(start, after);
    for (const pollfd& e : in.entries) out.revents.push_back(e.revents);
    if ((in.kind == WaitKind::wait_stamp || in.kind == WaitKind::deepsleep) && s != nullptr) {
      out.stamp_reached = d == nullptr || !tain_less(&stamp, &deadline);
      out.stamp_fresh = !tain_less(&stamp, &start) && !tain_less(&after, &stamp);
    }
    return out;
  }

  std::string probe(const std::string& name) override {
    if (name == "layout") return std::is_same_v<iopause_fd, struct pollfd> ? "pollfd" : "other";
    if (name == "masks") {
      char text[32];
      std::snprintf(text, sizeof text, "0x%02x,0x%02x,0x%02x", IOPAUSE_READ, IOPAUSE_WRITE, IOPAUSE_EXCEPT);
      return text;
    }
    if (name == "default")
      return iopause_ == &iopause_ppoll ? "ppoll" : iopause_ == &iopause_poll ? "poll" : iopause_ == &iopause_select ? "select" : "?";
    if (name == "declarations") return declarations();
    return "unknown probe";
  }

  [[nodiscard]] bool real_time(bool) const override { return true; }

 private:
  Outcome perform(WaitInput& in, const tain* d, tain* s) {
    iopause_fd* x = in.entries.data();
    const auto n = static_cast<unsigned int>(in.entries.size());
    errno = errno_before_wait;
    Outcome o;
    switch (in.kind) {
      case WaitKind::wait: o.result = which_(x, n, d, s); break;
      case WaitKind::wait_default: o.result = (*iopause_)(x, n, d, s); break;
      case WaitKind::wait_stamp: o.result = iopause_stamp(x, n, d, s); break;
      case WaitKind::deepsleep: deepsleepuntil(d, s); break;
    }
    o.error = errno;
    return o;
  }

  // skalibs dereferences a null stamp when the deadline is not null (IOCOMPAT-002): a crash
  // there must not take the runner down. The child sends back the result, errno and revents.
  Outcome in_child(WaitInput& in, const tain* d) {
    int channel[2];
    if (::pipe(channel) < 0) return Outcome{-1, errno, false};
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(channel[0]);
      const int quiet = ::open("/dev/null", O_WRONLY);  // the expected crash's report is noise
      if (quiet >= 0) ::dup2(quiet, 2);
      const Outcome o = perform(in, d, nullptr);
      std::vector<int> answer{o.result, o.error};
      for (const pollfd& e : in.entries) answer.push_back(e.revents);
      const auto size = static_cast<ssize_t>(answer.size() * sizeof(int));
      ::_exit(::write(channel[1], answer.data(), static_cast<std::size_t>(size)) == size ? 0 : 1);
    }
    ::close(channel[1]);
    std::vector<int> answer(2 + in.entries.size());
    const auto size = static_cast<ssize_t>(answer.size() * sizeof(int));
    const bool got = pid > 0 && ::read(channel[0], answer.data(), static_cast<std::size_t>(size)) == size;
    ::close(channel[0]);
    int status = 0;
    if (pid > 0) ::waitpid(pid, &status, 0);
    if (!got) return Outcome{-1, 0, true};
    for (std::size_t i = 0; i < in.entries.size(); ++i) in.entries[i].revents = static_cast<short>(answer[2 + i]);
    return Outcome{answer[0], answer[1], false};
  }

  iopause_func* which_;
};

}  // namespace

std::vector<Column> available_columns(const std::string& impl, const std::string& backend, std::string& error) {
  const std::string implementation = REFLOOP_IOPAUSE_IMPLEMENTATION;
  std::vector<Column> columns;
  const std::pair<const char*, iopause_func*> backends[] = {
      {"ppoll", &iopause_ppoll}, {"poll", &iopause_poll}, {"select", &iopause_select}};
  if (impl == "all" || impl == implementation) {
    for (const auto& [name, function] : backends) {
      if (!backend.empty() && backend != name) continue;
      iopause_func* f = function;
      columns.push_back(Column{implementation, implementation + "/" + name, name, true, true,
                               [f](const Column&) { return std::make_unique<CAdapter>(f); }});
    }
  }
  if (columns.empty()) error = "this runner offers --impl " + implementation + " --backend ppoll|poll|select";
  return columns;
}

}  // namespace refloop::conformance::iopause_suite
