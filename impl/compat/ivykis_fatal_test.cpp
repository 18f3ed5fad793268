// SPDX-License-Identifier: ISC
// Tests of fatal errors in the ivykis C API (spec/loop.md, IVAPI-020..022): iv_fatal,
// iv_set_fatal_msg_handler, and the core's fatal path renamed for C programs. Each runs in a
// child process on every compiled backend; the child's handler writes the message to a pipe.
#include <string>
#include <thread>

#include "ivykis_test_support.hpp"
#include "refloop/loop/fatal.hpp"

using namespace refloop::ivykis::testing;

namespace {

REFLOOP_IVYKIS_SUITE(IvFatal);

// [req:IVAPI-020] iv_fatal formats printf-style and hands the message to the handler.
TEST_P(IvFatal, IVAPI_020_formats_and_calls_handler) {
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_fatal("custom %d %s", 42, "text");
  }, "custom 42 text");
}

// [req:IVAPI-020] If the handler returns, the process aborts anyway; long messages are cut to
// 1023 bytes.
TEST_P(IvFatal, IVAPI_020_aborts_when_handler_returns) {
  ChildResult r = run_in_child(GetParam(), [&] {
    init_on(GetParam());
    const std::string long_text(3000, 'm');
    iv_fatal("%s", long_text.c_str());
  }, capture_and_return);
  EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT) << "status " << r.status;
  EXPECT_EQ(r.fatal_message, std::string(1023, 'm'));
}

// [req:IVAPI-021] The handler is process-wide (set in one thread, used in another), may be set
// before iv_init, and NULL restores the default: one line "refloop: <message>" on stderr.
TEST_P(IvFatal, IVAPI_021_handler_is_process_wide) {
  expect_fatal(GetParam(), [&] {
    std::thread([&] {
      init_on(GetParam());
      iv_fatal("from the other thread");
    }).join();
  }, "from the other thread");
  ChildResult r = run_in_child(GetParam(), [&] {
    dup2(fatal_pipe(), STDERR_FILENO);
    refloop::test::stderr_ends_at_abort();
    iv_set_fatal_msg_handler(nullptr);
    init_on(GetParam());
    iv_fatal("to stderr");
  });
  EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT) << "status " << r.status;
  EXPECT_EQ(r.fatal_message, "refloop: to stderr\n");
}

struct CrossThread {
  iv_fd fd{};
  iv_timer timer{};
};

// [req:IVAPI-022] Misuse only the loop can see (an object of another thread's loop) reaches the
// handler under the C function's name.
TEST_P(IvFatal, IVAPI_022_core_fatal_errors_are_renamed) {
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    static CrossThread x;
    static Pipe p;
    IV_FD_INIT(&x.fd);
    x.fd.fd = p.reader();
    iv_fd_register(&x.fd);
    std::thread([] {
      iv_init();
      iv_fd_unregister(&x.fd);
    }).join();
  }, "iv_fd_unregister: called with an object registered with another loop");
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    static CrossThread x;
    IV_TIMER_INIT(&x.timer);
    x.timer.expires = iv_now;
    iv_timer_register(&x.timer);
    std::thread([] {
      iv_init();
      iv_timer_unregister(&x.timer);
    }).join();
  }, "iv_timer_unregister: called with an object registered with another loop");
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    refloop::fatal("Loop::register_fd_try: called with invalid fd %d", -9);
  }, "iv_fd_register_try: called with invalid fd -9");
}

// [req:IVAPI-022] A backend that cannot be had is reported by iv_init.
TEST(IvFatalInit, IVAPI_022_unavailable_backend_is_reported_by_iv_init) {
  ChildResult r = run_in_child("no-such-backend", [] { iv_init(); });
  EXPECT_TRUE(r.died_fatally());
  EXPECT_EQ(r.fatal_message.rfind("iv_init: ", 0), 0u) << r.fatal_message;
  EXPECT_NE(r.fatal_message.find("\"no-such-backend\""), std::string::npos) << r.fatal_message;
}

}  // namespace
