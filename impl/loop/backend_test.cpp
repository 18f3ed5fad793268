// SPDX-License-Identifier: ISC
// Unit tests for the backend contract, the registry and per-backend behaviour (spec/loop.md,
// BACKEND). Environment-variable cases run in child processes so they cannot leak into other
// tests.
#include <fcntl.h>
#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "backend/backend.hpp"
#include "refloop/kernel/wait_plan.hpp"
#include "loop_test_support.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;
using test::TimerProbe;

// A backend driven entirely by the test: it records what the core tells it, and reports
// whatever the test queued when the loop polls.
class ScriptedBackend final : public detail::Backend {
 public:
  std::vector<std::pair<Fd*, unsigned>> to_report;
  std::vector<std::string> calls;
  [[nodiscard]] std::string_view name() const override { return "scripted"; }
  void poll(const tain& deadline, const tain& stamp, Clock& clock, detail::ReadySink& sink) override {
    calls.push_back("poll");
    for (auto [fd, bands] : std::exchange(to_report, {})) sink.ready(*fd, bands);
    kernel::finish_wait(kernel::plan_wait(detail::wait_deadline(deadline), stamp, clock), 0, clock);
  }
  void notify(Fd& fd) override { calls.push_back("notify " + std::to_string(fd.state.wanted_bands)); }
  int notify_sync(Fd& fd) override { calls.push_back("sync " + std::to_string(fd.fd)); return fd.fd == 99 ? EPERM : 0; }
  void forget(Fd& fd) override { calls.push_back("forget " + std::to_string(fd.fd)); }
  int prepare_flags(int /*fd*/) override { return 0; }  // a scripted fd number names no file
};

TEST(Backend, BACKEND_001_a_loop_runs_on_any_backend_instance_through_the_sink) {
  // [req:BACKEND-001] [req:BACKEND-002]
  SimulatedClock clock;
  auto owned = std::make_unique<ScriptedBackend>();
  ScriptedBackend& backend = *owned;
  Loop loop(clock, std::move(owned));
  EXPECT_EQ(loop.backend_name(), "scripted");
  std::vector<std::string> log;
  FdProbe probe(5);
  probe.want_in([&] { log.push_back("in"); }).want_err([&] { log.push_back("err"); });
  loop.register_fd(probe.fd);
  loop.set_handler_in(probe.fd, FdProbe::on_in);  // unchanged: the backend is not told
  loop.set_handler_out(probe.fd, FdProbe::on_out);
  backend.to_report = {{&probe.fd, band_in | band_out | band_err}, {&probe.fd, band_in}};
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"err", "in"}));  // reported twice, dispatched once
  FdProbe refused(99);
  EXPECT_EQ(loop.register_fd_try(refused.fd), EPERM);
  loop.unregister_fd(probe.fd);
  EXPECT_EQ(backend.calls, (std::vector<std::string>{"notify 5", "notify 7", "poll", "sync 99", "forget 5"}));
}

class Backends : public test::OnEveryBackend {};
REFLOOP_ON_EVERY_BACKEND(Backends);

TEST_P(Backends, BACKEND_002_changes_that_cancel_out_before_a_poll_never_reach_the_kernel) {
  // [req:BACKEND-002] [req:OS-120] A closed fd that gains and loses a handler between two polls: had the
  // kernel been told, the next poll would be fatal (FATAL-004, FD-010).
  FdPair pipe = FdPair::pipe();
  FdProbe closed(pipe.read_end);
  pipe.close_read();
  loop.register_fd(closed.fd);
  loop.set_handler_in(closed.fd, FdProbe::on_in);
  loop.set_handler_in(closed.fd, nullptr);
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  // FD-010: where the kernel is told about a closed fd, unregistering it would be fatal.
  if (traits().closed_fd != BackendTraits::ClosedFd::when_told) loop.unregister_fd(closed.fd);
}

TEST_P(Backends, BACKEND_003_an_err_only_handler_sees_a_hangup) {
  // [req:BACKEND-003] [req:OS-121] (kqueue: EV_EOF on the EVFILT_READ knote an err-only fd gets)
  FdPair sockets = FdPair::sockets();
  FdProbe end(sockets.read_end);
  end.want_err(note("err"));
  loop.register_fd(end.fd);
  sockets.close_write();
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, std::vector<std::string>{"err"});
  loop.unregister_fd(end.fd);
}

// A clock that lets the kernel block only 1 ns, so the native timeout's rounding shows.
class OneNanosecondClock final : public Clock {
 public:
  tain now() override { return tain_epoch; }
  tain kernel_timeout(const tain& wanted) override {
    asked.push_back(wanted);
    return tain::normalised(0, 1);
  }
  void waited_idle(const tain&) override { ++idle; }
  std::vector<tain> asked;
  int idle = 0;
};

double monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST_P(Backends, BACKEND_004_the_wait_is_converted_once_and_rounded_up) {
  // [req:BACKEND-004] [req:TIME-004] [req:OS-123] Tolerance: late side only.
  OneNanosecondClock one_ns;
  Loop real({.clock = &one_ns, .backend = GetParam()});
  ASSERT_EQ(real.backend_name(), GetParam());
  TimerProbe timer;
  timer.timer.expires = tain_epoch + tain::seconds(3);
  real.register_timer(timer.timer);
  const double start = monotonic_seconds();
  EXPECT_EQ(real.run_once(), Step::polled);
  const double waited = monotonic_seconds() - start;
  ASSERT_EQ(one_ns.asked.size(), 1u);
  EXPECT_EQ(one_ns.asked[0], tain::seconds(3));  // deadline - stamp, exactly
  EXPECT_EQ(one_ns.idle, 1);
  const tain unit = traits().timeout_unit;  // 1 ns rounds up to one unit of the native timeout
  const double at_least = static_cast<double>(unit.sec()) + static_cast<double>(unit.nano()) / 1e9;
  EXPECT_GE(waited, at_least);
  real.unregister_timer(timer.timer);
}

void ignore_signal(int) {}

TEST_P(Backends, BACKEND_004_EINTR_ends_the_round_with_nothing_reported) {
  // [req:BACKEND-004] A signal without SA_RESTART interrupts a real wait; the loop carries on
  // and the timer still fires (late side only).
  struct sigaction action {};
  action.sa_handler = ignore_signal;
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGALRM, &action, &previous), 0);
  Loop real({.backend = GetParam()});
  TimerProbe timer(note("timer"));
  timer.timer.expires = add_milliseconds(real.now(), 150);
  real.register_timer(timer.timer);
  itimerval alarm_at{{0, 0}, {0, 20'000}};
  setitimer(ITIMER_REAL, &alarm_at, nullptr);
  EXPECT_EQ(real.run_once(), Step::polled);  // interrupted, or (if very late) timed out
  real.run();
  sigaction(SIGALRM, &previous, nullptr);
  EXPECT_EQ(log, std::vector<std::string>{"timer"});
}

TEST_P(Backends, BACKEND_008_register_try_on_a_regular_file) {
  // [req:BACKEND-008] [req:FD-003] epoll refuses regular files; the poll family accepts them.
  const auto path = std::filesystem::temp_directory_path() / ("refloop-loop-" + std::to_string(getpid()));
  const int file = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  unlink(path.c_str());
  FdProbe regular(file);
  regular.want_in(note("in"));
  const int result = loop.register_fd_try(regular.fd);
  if (traits().regular_file == BackendTraits::RegularFile::refused) {
    EXPECT_EQ(result, EPERM);
    EXPECT_FALSE(Loop::registered(regular.fd));
  } else if (traits().regular_file == BackendTraits::RegularFile::read_until_eof) {
    // [req:OS-113] [req:OS-124] kqueue: readable only before the end, refused for out.
    EXPECT_EQ(result, 0);
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
    EXPECT_TRUE(log.empty());  // an empty file: at its end
    ASSERT_EQ(pwrite(file, "ab", 2, 0), 2);
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
    EXPECT_EQ(log, std::vector<std::string>{"in"});
    loop.unregister_fd(regular.fd);
    FdProbe writer(file);
    writer.want_out(note("out"));
    EXPECT_EQ(loop.register_fd_try(writer.fd), EINVAL);
    EXPECT_FALSE(Loop::registered(writer.fd));
    // [req:OS-126] Both bands wanted, the read filter accepted and the write filter refused: the
    // whole registration is refused (ivykis would accept it with the out band never watched).
    writer.want_in(note("in"));
    EXPECT_EQ(loop.register_fd_try(writer.fd), EINVAL);
    EXPECT_FALSE(Loop::registered(writer.fd));
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::empty);  // and nothing of it is watched
  } else {
    EXPECT_EQ(result, 0);
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
    EXPECT_EQ(log, std::vector<std::string>{"in"});  // always readable
    loop.unregister_fd(regular.fd);
  }
  close(file);
}

TEST_P(Backends, OS_355_register_try_of_a_ready_fd_drained_before_the_round_calls_nothing) {
  // [req:OS-355] [req:FD-007] [req:BACKEND-008] The check of register_fd_try finds the fd readable
  // (an event port queues an event at once, OS-302, and would deliver it as it fired, OS-315);
  // the fd is drained before the round, so no handler may run and the wait must not end early.
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  ASSERT_EQ(loop.register_fd_try(end.fd), 0);
  pipe.drain();
  TimerProbe timer;
  timer.timer.expires = at(100);
  loop.register_timer(timer.timer);
  EXPECT_EQ(loop.run_once(), Step::polled);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(clock.now(), at(100));  // slept until the timer: nothing was ready
  pipe.put();
  EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, std::vector<std::string>{"in"});  // still watched: readiness from now on is seen
  loop.unregister_fd(end.fd);
  if (Loop::registered(timer.timer)) loop.unregister_timer(timer.timer);
}

TEST_P(Backends, BACKEND_009_an_err_only_fd_with_unread_data) {
  // [req:BACKEND-009] epoll sleeps until the timer; the poll family cannot (the fd is readable).
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_err(note("err"));
  loop.register_fd(end.fd);
  TimerProbe timer;
  timer.timer.expires = at(100);
  loop.register_timer(timer.timer);
  EXPECT_EQ(loop.run_once(), Step::polled);
  const bool errors_only = traits().err_only == BackendTraits::ErrOnly::errors_only;
  EXPECT_EQ(clock.now(), errors_only ? at(100) : tain_epoch);
  EXPECT_TRUE(log.empty());  // no error: handler_err is not called
  loop.unregister_fd(end.fd);
  loop.unregister_timer(timer.timer);
}

TEST_P(Backends, BACKEND_011_select_misses_the_hangup_of_an_unwritable_out_only_fd) {
  // [req:BACKEND-011] A pipe's read end watched only for out, its writer closed: every backend
  // but select reports the hangup; select sleeps until the timer, calling nothing.
  FdPair pipe = FdPair::pipe();
  pipe.close_write();
  FdProbe end(pipe.read_end);
  end.want_out(note("out"));
  loop.register_fd(end.fd);
  TimerProbe timer;
  timer.timer.expires = at(100);
  loop.register_timer(timer.timer);
  EXPECT_EQ(loop.run_once(), Step::polled);
  if (!traits().sees_hangup_of_unwritable_out_only_fd) {
    EXPECT_EQ(clock.now(), at(100));
    EXPECT_TRUE(log.empty());
  } else {
    EXPECT_EQ(clock.now(), tain_epoch);
    EXPECT_EQ(log, (std::vector<std::string>{"out"}));
  }
  loop.unregister_fd(end.fd);
  if (Loop::registered(timer.timer)) loop.unregister_timer(timer.timer);
}

TEST_P(Backends, BACKEND_010_select_refuses_fds_at_or_above_FD_SETSIZE) {
  // [req:BACKEND-010]
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur <= FD_SETSIZE + 10) GTEST_SKIP() << "RLIMIT_NOFILE too low for the test";
  FdPair pipe = FdPair::pipe();
  const int high = fcntl(pipe.read_end, F_DUPFD, FD_SETSIZE + 5);
  ASSERT_GE(high, FD_SETSIZE);
  FdProbe big(high);
  big.want_in([] {});
  const int result = loop.register_fd_try(big.fd);
  const int fd_limit = traits().fd_limit;
  const bool beyond_limit = fd_limit != 0 && high >= fd_limit;
  EXPECT_EQ(result, beyond_limit ? EMFILE : 0);
  if (result == 0) loop.unregister_fd(big.fd);
  if (beyond_limit) {
    const std::string message = test::fatal_message_of([&] {
      loop.register_fd(big.fd);
      loop.run_once(RunMode::nowait);
    });
    EXPECT_EQ(message, GetParam() + " backend: fd " + std::to_string(high) +
                           " is not below FD_SETSIZE (" + std::to_string(fd_limit) + ")");
  }
  close(high);
}

TEST(Registry, BACKEND_005_compiled_backends_in_preference_order) {
  // [req:BACKEND-005]
  // [req:OS-006] [req:OS-003] The emulated backends come last and say so in their names.
  EXPECT_EQ(test::backend_names(),
            (std::vector<std::string>{"epoll", "epoll-timerfd", "ppoll", "poll", "select",
                                                       "kqueue~emu", "devpoll~emu", "port~emu"}));
  bool emulated_seen = false;
  for (auto name : compiled_backends()) {
    const bool emulated = backend_traits(name)->emulated;
    EXPECT_EQ(emulated, name.ends_with("~emu")) << name;
    EXPECT_TRUE(emulated || !emulated_seen) << name << " comes after an emulated backend";
    emulated_seen = emulated_seen || emulated;
  }
  std::string built;  // what CMake registered per-backend tests for (impl/backend, REFLOOP_BACKENDS)
  for (auto name : compiled_backends()) (built += built.empty() ? "" : " ") += name;
  EXPECT_EQ(built, REFLOOP_BACKENDS_BUILT);
  for (auto name : compiled_backends()) {
    ASSERT_NE(backend_traits(name), nullptr) << name;
    EXPECT_EQ(backend_traits(name)->name, name);
  }
  EXPECT_EQ(backend_traits("nonsense"), nullptr);
  EXPECT_EQ(detail::make_backend("nonsense", kernel::native_syscalls()), nullptr);
  SimulatedClock clock;
  EXPECT_EQ(Loop({.clock = &clock}).backend_name(), "epoll");  // the default, unless overridden
}

// The backend a default loop gets in a child process with the given environment, or the fatal
// message.
std::string default_backend_with(const char* forced, const char* excluded) {
  int fds[2];
  if (pipe(fds) != 0) return "(pipe)";
  const std::string result = test::fatal_message_of([&] {
    if (forced) setenv("REFLOOP_BACKEND", forced, 1); else unsetenv("REFLOOP_BACKEND");
    if (excluded) setenv("IV_EXCLUDE_POLL_METHOD", excluded, 1); else unsetenv("IV_EXCLUDE_POLL_METHOD");
    Loop loop;
    fatal("chose %.*s", static_cast<int>(loop.backend_name().size()), loop.backend_name().data());
  });
  close(fds[0]);
  close(fds[1]);
  return result;
}

TEST(Registry, BACKEND_006_REFLOOP_BACKEND_forces_a_backend_or_fails_clearly) {
  // [req:BACKEND-006]
  EXPECT_EQ(default_backend_with(nullptr, nullptr), "chose epoll");
  for (auto name : compiled_backends()) {
    const std::string wanted(name);
    EXPECT_EQ(default_backend_with(wanted.c_str(), "epoll epoll-timerfd ppoll poll select"),
              "chose " + wanted);
  }
  EXPECT_EQ(default_backend_with("kqueue", nullptr).rfind(
                "Loop::Loop: REFLOOP_BACKEND: backend \"kqueue\" is not available: it is not compiled in", 0),
            0u);
  // A named backend ignores the environment.
  setenv("REFLOOP_BACKEND", "no-such-backend", 1);
  SimulatedClock clock;
  EXPECT_EQ(Loop({.clock = &clock, .backend = "poll"}).backend_name(), "poll");
  unsetenv("REFLOOP_BACKEND");
}

TEST(Registry, BACKEND_007_IV_EXCLUDE_POLL_METHOD_skips_backends) {
  // [req:BACKEND-007]
  EXPECT_EQ(default_backend_with(nullptr, "epoll-timerfd"), "chose epoll");
  EXPECT_EQ(default_backend_with(nullptr, "epoll"), "chose epoll-timerfd");
  EXPECT_EQ(default_backend_with(nullptr, "epoll-timerfd epoll"), "chose ppoll");
  EXPECT_EQ(default_backend_with(nullptr, " epoll\tepoll-timerfd\vppoll "), "chose poll");
  EXPECT_EQ(default_backend_with(nullptr, "epoll epoll-timerfd ppoll poll"), "chose select");
  EXPECT_EQ(default_backend_with(nullptr, "epollx ppol"), "chose epoll");  // whole names only
  EXPECT_EQ(default_backend_with(nullptr, "epoll epoll-timerfd ppoll poll select").rfind(
                "Loop::Loop: no usable backend", 0),
            0u);
}

}  // namespace
}  // namespace refloop
