// SPDX-License-Identifier: ISC
// Shared scaffolding for the loop unit tests: a fixture parameterised over every compiled
// backend (each test asserts the backend in use, so a silent fallback cannot pass), callback
// objects that turn `void (*)(void*)` handlers into lambdas, RAII pipes and socket pairs, and a
// child-process runner for fatal paths.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "refloop/loop/fatal.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop {
// Readable failure messages for tain values: "+<seconds after the epoch>.<nanoseconds>".
inline void PrintTo(const tain& value, std::ostream* out) {
  const tain since = value - tain_epoch;
  *out << "epoch+" << since.sec() << "." << std::to_string(1'000'000'000 + since.nano()).substr(1);
}
}  // namespace refloop

namespace refloop::test {

// A handler body as a lambda: cookie = this, handler = &Callback::invoke.
struct Callback {
  std::function<void()> body;
  static void invoke(void* self) { static_cast<Callback*>(self)->body(); }
};

// A timer whose handler runs a lambda.
struct TimerProbe {
  Timer timer;
  Callback callback;
  explicit TimerProbe(std::function<void()> body = [] {}) : callback{std::move(body)} {
    timer.cookie = &callback;
    timer.handler = &Callback::invoke;
  }
  TimerProbe(const TimerProbe&) = delete;
  TimerProbe& operator=(const TimerProbe&) = delete;
};

// A task whose handler runs a lambda.
struct TaskProbe {
  Task task;
  Callback callback;
  explicit TaskProbe(std::function<void()> body = [] {}) : callback{std::move(body)} {
    task.cookie = &callback;
    task.handler = &Callback::invoke;
  }
  TaskProbe(const TaskProbe&) = delete;
  TaskProbe& operator=(const TaskProbe&) = delete;
};

// An fd whose three handlers run lambdas; want_*() installs the handler fields before
// registration (after registration use the loop's setters with on_in / on_out / on_err).
struct FdProbe {
  Fd fd;
  std::function<void()> in = [] {}, out = [] {}, err = [] {};
  explicit FdProbe(int number) {
    fd.fd = number;
    fd.cookie = this;
  }
  FdProbe(const FdProbe&) = delete;
  FdProbe& operator=(const FdProbe&) = delete;
  static void on_in(void* self) { static_cast<FdProbe*>(self)->in(); }
  static void on_out(void* self) { static_cast<FdProbe*>(self)->out(); }
  static void on_err(void* self) { static_cast<FdProbe*>(self)->err(); }
  FdProbe& want_in(std::function<void()> body) { in = std::move(body); fd.handler_in = on_in; return *this; }
  FdProbe& want_out(std::function<void()> body) { out = std::move(body); fd.handler_out = on_out; return *this; }
  FdProbe& want_err(std::function<void()> body) { err = std::move(body); fd.handler_err = on_err; return *this; }
};

// Two connected fds (a pipe, or a socketpair), closed on destruction unless released.
struct FdPair {
  int read_end = -1;
  int write_end = -1;
  static FdPair pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    return FdPair{fds[0], fds[1]};
  }
  static FdPair sockets() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    return FdPair{fds[0], fds[1]};
  }
  FdPair(int r, int w) : read_end(r), write_end(w) {}
  FdPair(FdPair&& other) noexcept : read_end(other.read_end), write_end(other.write_end) {
    other.read_end = other.write_end = -1;
  }
  FdPair(const FdPair&) = delete;
  FdPair& operator=(const FdPair&) = delete;
  ~FdPair() { close_read(); close_write(); }
  void close_read() { if (read_end >= 0) ::close(read_end); read_end = -1; }
  void close_write() { if (write_end >= 0) ::close(write_end); write_end = -1; }
  void put(const char* bytes = "x") const {
    ASSERT_GT(::write(write_end, bytes, std::char_traits<char>::length(bytes)), 0);
  }
  void drain() const {
    char buffer[256];
    while (::read(read_end, buffer, sizeof buffer) > 0) {
    }
  }
};

inline std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (auto name : compiled_backends()) names.emplace_back(name);
  return names;
}

// The fixture: a loop on the parameter's backend and a simulated clock; `log` records events.
class OnEveryBackend : public ::testing::TestWithParam<std::string> {
 protected:
  SimulatedClock clock{tain_epoch};
  Loop loop{LoopOptions{.clock = &clock, .backend = GetParam()}};
  std::vector<std::string> log;

  void SetUp() override { ASSERT_EQ(loop.backend_name(), GetParam()); }
  std::function<void()> note(std::string what) {
    return [this, what] { log.push_back(what); };
  }
  tain at(std::uint64_t milliseconds) const { return add_milliseconds(tain_epoch, milliseconds); }
  // What the backend under test declares about itself (where backends legitimately differ).
  static const BackendTraits& traits() { return *backend_traits(GetParam()); }
};

// A backend's name as a test name: "kqueue~emu" becomes "kqueue_emu" (gtest allows only letters,
// digits and underscores; the emulation stays visible).
inline std::string backend_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

#define REFLOOP_ON_EVERY_BACKEND(Suite) \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::ValuesIn(::refloop::test::backend_names()), \
                           ::refloop::test::backend_test_name)

// Runs `body` in a child process with a fatal handler that writes the message to a pipe and
// _exit(42)s; returns the message, or "(no fatal)" if the child did not die through fatal.
inline int fatal_report_fd = -1;
}  // namespace refloop::test
// In --coverage builds a child flushes its coverage data itself, since _exit() skips that.
#if defined(REFLOOP_GCOV_DUMP)
extern "C" void __gcov_dump();
inline void flush_coverage() { __gcov_dump(); }
#else
inline void flush_coverage() {}
#endif
namespace refloop::test {
inline void report_fatal_and_exit(const char* message) {
  [[maybe_unused]] auto n = ::write(fatal_report_fd, message, std::char_traits<char>::length(message));
  flush_coverage();
  ::_exit(42);
}
inline std::string fatal_message_of(const std::function<void()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return "(pipe failed)";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    fatal_report_fd = fds[1];
    set_fatal_handler(report_fatal_and_exit);
    body();
    flush_coverage();
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) message.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 42) return "(no fatal)";
  return message;
}

}  // namespace refloop::test
