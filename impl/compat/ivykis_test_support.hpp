// SPDX-License-Identifier: ISC
// Test support for the ivykis C API (spec/loop.md, IVAPI): every test body runs in a forked
// child, because the poll method is chosen once per process at the first iv_init (IVAPI-004)
// and because fatal paths end the process. The parent never calls iv_init. A child selects its
// backend through REFLOOP_BACKEND, reports gtest failures through its exit status, and a fatal
// error through a handler that writes the message to a pipe and _exit()s.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <iv.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "child_stderr.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/loop.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace refloop::ivykis::testing {

inline constexpr int kFatalExit = 86;  // the child's status after the capturing fatal handler

struct ChildResult {
  int status = 0;             // raw wait status
  std::string fatal_message;  // what the fatal handler received, if it ran
  [[nodiscard]] bool exited_ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
  [[nodiscard]] bool died_fatally() const {
    return WIFEXITED(status) && WEXITSTATUS(status) == kFatalExit;
  }
};

// The children end with _exit or abort, which skip the coverage counters' dump at exit, so in
// coverage builds (REFLOOP_GCOV_DUMP, top-level CMakeLists.txt) they dump them first.
#if defined(REFLOOP_GCOV_DUMP)
extern "C" void __gcov_dump(void);  // libgcov's
inline void flush_coverage() { __gcov_dump(); }
#else
inline void flush_coverage() {}
#endif

inline int& fatal_pipe() {
  static int fd = -1;
  return fd;
}

// The capturing handler: message to the pipe, then out, without returning (so no abort).
inline void capture_and_exit(const char* message) {
  [[maybe_unused]] ssize_t n = write(fatal_pipe(), message, std::strlen(message));
  flush_coverage();
  _exit(kFatalExit);
}

// A handler that writes the message and returns, to show that iv_fatal aborts anyway.
inline void capture_and_return(const char* message) {
  [[maybe_unused]] ssize_t n = write(fatal_pipe(), message, std::strlen(message));
  flush_coverage();  // abort follows
}

// Runs body() in a child whose poll method is `backend`; the child's first iv_init must pick
// exactly that backend, and the test asserts so after the body. alarm() turns a hang into a
// failure. Returns how the child ended.
template <class Body>
ChildResult run_in_child(std::string_view backend, Body body,
                         void (*handler)(const char*) = capture_and_exit) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) std::abort();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    fatal_pipe() = pipe_fds[1];
    setenv("REFLOOP_BACKEND", std::string(backend).c_str(), 1);
    unsetenv("IV_EXCLUDE_POLL_METHOD");
    alarm(30);
    iv_set_fatal_msg_handler(handler);
    body();
    if (const char* name = iv_poll_method_name()) {
      EXPECT_EQ(std::string_view(name), backend);
    }
#if defined(__SANITIZE_ADDRESS__)
    // _exit skips LeakSanitizer's exit-time check, so run it here.
    EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0) << "leaks in the child";
#endif
    std::fflush(nullptr);
    flush_coverage();
    _exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  close(pipe_fds[1]);
  ChildResult result;
  char buf[1100];
  ssize_t n;
  while ((n = read(pipe_fds[0], buf, sizeof buf)) > 0) result.fatal_message.append(buf, size_t(n));
  close(pipe_fds[0]);
  waitpid(pid, &result.status, 0);
  return result;
}

// The usual case: the body must pass and end normally.
template <class Body>
void expect_passes(std::string_view backend, Body body) {
  ChildResult r = run_in_child(backend, body);
  EXPECT_TRUE(r.exited_ok()) << "child status " << r.status << ", fatal: " << r.fatal_message;
}

// The body must end in iv_fatal with exactly `message`.
template <class Body>
void expect_fatal(std::string_view backend, Body body, std::string_view message) {
  ChildResult r = run_in_child(backend, body);
  EXPECT_TRUE(r.died_fatally()) << "child status " << r.status;
  EXPECT_EQ(r.fatal_message, message);
}

// Every compiled backend, as a gtest parameter list.
inline std::vector<std::string> backends() {
  std::vector<std::string> names;
  for (std::string_view name : compiled_backends()) names.emplace_back(name);
  return names;
}

// iv_init in the child, asserting that the chosen method is the one under test.
inline void init_on(std::string_view backend) {
  iv_init();
  ASSERT_NE(iv_poll_method_name(), nullptr);
  EXPECT_EQ(std::string_view(iv_poll_method_name()), backend);
}

// A pipe with both ends open; closes them on destruction.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (pipe(fds) != 0) std::abort();
  }
  ~Pipe() {
    for (int fd : fds) if (fd >= 0) close(fd);
  }
  int reader() const { return fds[0]; }
  int writer() const { return fds[1]; }
};

// A timespec `ms` milliseconds after `base`, normalised.
inline timespec after_ms(timespec base, long ms) {
  base.tv_sec += ms / 1000;
  base.tv_nsec += (ms % 1000) * 1'000'000L;
  if (base.tv_nsec >= 1'000'000'000L) {
    base.tv_sec += 1;
    base.tv_nsec -= 1'000'000'000L;
  }
  return base;
}

inline long ms_between(const timespec& a, const timespec& b) {
  return static_cast<long>((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1'000'000L);
}

}  // namespace refloop::ivykis::testing

// One parametrised suite per test file: each TEST_P runs on every compiled backend.
#define REFLOOP_IVYKIS_SUITE(Suite)                                              \
  class Suite : public ::testing::TestWithParam<std::string> {};                 \
  INSTANTIATE_TEST_SUITE_P(AllBackends, Suite,                                   \
                           ::testing::ValuesIn(refloop::ivykis::testing::backends()), \
                           [](const auto& param_info) { return refloop::backend_identifier(param_info.param); })
