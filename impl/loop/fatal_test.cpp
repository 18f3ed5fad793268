// SPDX-License-Identifier: ISC
// Unit tests for the fatal path (spec/loop.md, FATAL): every misuse dies through
// refloop::fatal with a message naming the call. Each case runs in a child process whose fatal
// handler reports the message through a pipe and _exit()s (test::fatal_message_of).
#include <csignal>

#include "child_stderr.hpp"
#include "loop_test_support.hpp"
#include "refloop/kernel/syscalls.hpp"

namespace refloop {
namespace {

using test::fatal_message_of;
using test::FdPair;
using test::FdProbe;
using test::TaskProbe;
using test::TimerProbe;

void returning_handler(const char* /*message*/) {}

TEST(Fatal, FATAL_001_fatal_aborts_even_when_the_handler_returns) {
  // [req:FATAL-001]
  const pid_t child = fork();
  if (child == 0) {
    set_fatal_handler(returning_handler);
    fatal("test %d", 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
}

TEST(Fatal, FATAL_001_default_handler_writes_one_line_to_stderr) {
  // [req:FATAL-001]
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  if (child == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[1]);
    test::stderr_ends_at_abort();
    fatal("formatted %s %d", "message", 42);
  }
  close(fds[1]);
  std::string written;  // everything, to its end: one line and nothing more
  char buffer[256];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) written.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
  EXPECT_EQ(written, "refloop: formatted message 42\n");
}

TEST(Fatal, FATAL_002_the_handler_is_process_wide_and_nullptr_restores_the_default) {
  // [req:FATAL-002]
  EXPECT_EQ(set_fatal_handler(returning_handler), nullptr);
  EXPECT_EQ(set_fatal_handler(nullptr), returning_handler);
  EXPECT_EQ(set_fatal_handler(nullptr), nullptr);
  EXPECT_EQ(fatal_message_of([] { fatal("from %s", "a child"); }), "from a child");
}

class Misuse : public test::OnEveryBackend {};
REFLOOP_ON_EVERY_BACKEND(Misuse);

TEST_P(Misuse, FATAL_003_fd_misuse_names_the_call) {
  // [req:FATAL-003] [req:FD-002] [req:FD-004] [req:FD-005]
  FdPair pipe = FdPair::pipe();
  EXPECT_EQ(fatal_message_of([&] { FdProbe bad(-1); loop.register_fd(bad.fd); }),
            "Loop::register_fd: called with invalid fd -1");
  EXPECT_EQ(fatal_message_of([&] { FdProbe bad(-3); (void)loop.register_fd_try(bad.fd); }),
            "Loop::register_fd_try: called with invalid fd -3");
  EXPECT_EQ(fatal_message_of([&] {
              FdProbe twice(pipe.read_end);
              loop.register_fd(twice.fd);
              loop.register_fd(twice.fd);
            }),
            "Loop::register_fd: called with fd which is still registered");
  EXPECT_EQ(fatal_message_of([&] { FdProbe never(pipe.read_end); loop.unregister_fd(never.fd); }),
            "Loop::unregister_fd: called with fd which is not registered");
  EXPECT_EQ(fatal_message_of([&] { FdProbe never(pipe.read_end); loop.set_handler_in(never.fd, nullptr); }),
            "Loop::set_handler_in: called with fd which is not registered");
  EXPECT_EQ(fatal_message_of([&] { FdProbe never(pipe.read_end); loop.set_handler_out(never.fd, nullptr); }),
            "Loop::set_handler_out: called with fd which is not registered");
  EXPECT_EQ(fatal_message_of([&] { FdProbe never(pipe.read_end); loop.set_handler_err(never.fd, nullptr); }),
            "Loop::set_handler_err: called with fd which is not registered");
  EXPECT_EQ(fatal_message_of([&] {
              Loop other({.clock = &clock, .backend = GetParam()});
              FdProbe elsewhere(pipe.read_end);
              other.register_fd(elsewhere.fd);
              loop.unregister_fd(elsewhere.fd);
            }),
            "Loop::unregister_fd: called with an object registered with another loop");
}

TEST_P(Misuse, FATAL_003_timer_and_task_misuse_names_the_call) {
  // [req:FATAL-003] [req:TIMER-002] [req:TIMER-003] [req:TASK-003]
  EXPECT_EQ(fatal_message_of([&] {
              TimerProbe timer;
              loop.register_timer(timer.timer);
              loop.register_timer(timer.timer);
            }),
            "Loop::register_timer: called with timer still on the heap");
  EXPECT_EQ(fatal_message_of([&] { TimerProbe timer; loop.unregister_timer(timer.timer); }),
            "Loop::unregister_timer: called with timer not on the heap");
  EXPECT_EQ(fatal_message_of([&] {
              TaskProbe task;
              loop.register_task(task.task);
              loop.register_task(task.task);
            }),
            "Loop::register_task: called with task still on a list");
  EXPECT_EQ(fatal_message_of([&] { TaskProbe task; loop.unregister_task(task.task); }),
            "Loop::unregister_task: called with task not on a list");
  EXPECT_EQ(fatal_message_of([&] {
              Loop other({.clock = &clock, .backend = GetParam()});
              TimerProbe timer;
              other.register_timer(timer.timer);
              loop.unregister_timer(timer.timer);
            }),
            "Loop::unregister_timer: called with an object registered with another loop");
  EXPECT_EQ(fatal_message_of([&] {
              Loop other({.clock = &clock, .backend = GetParam()});
              TaskProbe task;
              other.register_task(task.task);
              loop.unregister_task(task.task);
            }),
            "Loop::unregister_task: called with an object registered with another loop");
}

TEST_P(Misuse, FATAL_004_a_kernel_refusal_at_the_lazy_flush_is_fatal_at_the_next_poll) {
  // [req:FATAL-004] [req:FD-002] [req:OS-122] A closed fd with a handler: registering succeeds; the next
  // poll reports it (epoll: the flush's EBADF; the poll family: POLLNVAL, FD-010).
  const std::string message = fatal_message_of([&] {
    FdPair pipe = FdPair::pipe();
    FdProbe closed(pipe.read_end);
    closed.want_in([] {});
    pipe.close_read();
    loop.register_fd(closed.fd);
    if (write(test::fatal_report_fd, "registered; ", 12) < 0) return;
    loop.run_once(RunMode::nowait);
  });
  EXPECT_EQ(message.rfind("registered; " + GetParam() + " backend: ", 0), 0u) << message;
  if (traits().closed_fd != BackendTraits::ClosedFd::at_wait) {
    // The interest call refuses the closed fd: EBADF (epoll_ctl), or EBADFD (port_associate(3C):
    // "the object is not a valid file descriptor").
    EXPECT_NE(message.find(std::string(traits().interest_call)), std::string::npos) << message;
    EXPECT_TRUE(message.find("failed: error 9[Bad file descriptor]") != std::string::npos ||
                message.find("failed: error 77[File descriptor in bad state]") != std::string::npos)
        << message;
  } else {
    EXPECT_EQ(message.rfind("registered; " + GetParam() + " backend: fd ", 0), 0u) << message;
  }
}

TEST(Fatal, FATAL_005_an_unavailable_backend_is_fatal_and_names_the_choices) {
  // [req:FATAL-005] [req:BACKEND-006]
  const std::string message = fatal_message_of([] { Loop loop({.backend = "kqueue"}); });
  EXPECT_EQ(message.rfind("Loop::Loop: backend \"kqueue\" is not available: it is not compiled in "
                          "(compiled in: ",
                          0),
            0u)
      << message;
  for (auto name : compiled_backends()) EXPECT_NE(message.find(name), std::string::npos);
}

TEST(Fatal, FATAL_005_a_compiled_backend_that_cannot_be_created_is_not_called_missing) {
  // [req:FATAL-005] poll's table withheld: poll is compiled in, but cannot be created.
  const std::string message = fatal_message_of([] {
    kernel::SysCalls without_poll = kernel::native_syscalls();
    without_poll.poll = nullptr;
    Loop loop({.backend = "poll", .sys = &without_poll});
  });
  EXPECT_EQ(message.rfind("Loop::Loop: backend \"poll\" is not available: it is compiled in but could "
                          "not be created here (compiled in: ",
                          0),
            0u)
      << message;
}

}  // namespace
}  // namespace refloop
