// SPDX-License-Identifier: ISC
// The misuse suite of the ivykis C API, part 2 (spec/loop.md; issue 10): arguments ivykis does
// not document. NULL for every <iv.h> function taking an object pointer (IVAPI-028), fd numbers
// that are negative, huge or beyond the fd table (IVAPI-007, IVAPI-008, IVAPI-029, FD-003,
// BACKEND-010), and timer expiries at the ends of tv_sec's range (IVAPI-027). Part 1 is
// ivykis_misuse_test.cpp. Each test runs on every compiled backend in a child process.
#include <fcntl.h>
#include <sys/select.h>

#include <cerrno>
#include <climits>
#include <string>
#include <utility>

#include "ivykis_test_support.hpp"
#include "refloop/loop/backend_traits.hpp"

using namespace refloop::ivykis::testing;

namespace {

REFLOOP_IVYKIS_SUITE(IvNullArgument);
REFLOOP_IVYKIS_SUITE(IvFdNumber);
REFLOOP_IVYKIS_SUITE(IvExtremeExpiry);

void no_handler(void*) {}

// Every <iv.h> function that takes an object pointer, called with NULL, and the name its fatal
// message must carry.
const std::pair<const char*, void (*)()> null_calls[] = {
    {"IV_FD_INIT", [] { IV_FD_INIT(nullptr); }},
    {"iv_fd_register", [] { iv_fd_register(nullptr); }},
    {"iv_fd_register_try", [] { (void)iv_fd_register_try(nullptr); }},
    {"iv_fd_unregister", [] { iv_fd_unregister(nullptr); }},
    {"iv_fd_registered", [] { (void)iv_fd_registered(nullptr); }},
    {"iv_fd_set_handler_in", [] { iv_fd_set_handler_in(nullptr, no_handler); }},
    {"iv_fd_set_handler_out", [] { iv_fd_set_handler_out(nullptr, no_handler); }},
    {"iv_fd_set_handler_err", [] { iv_fd_set_handler_err(nullptr, no_handler); }},
    {"IV_TIMER_INIT", [] { IV_TIMER_INIT(nullptr); }},
    {"iv_timer_register", [] { iv_timer_register(nullptr); }},
    {"iv_timer_unregister", [] { iv_timer_unregister(nullptr); }},
    {"iv_timer_registered", [] { (void)iv_timer_registered(nullptr); }},
    {"IV_TASK_INIT", [] { IV_TASK_INIT(nullptr); }},
    {"iv_task_register", [] { iv_task_register(nullptr); }},
    {"iv_task_unregister", [] { iv_task_unregister(nullptr); }},
    {"iv_task_registered", [] { (void)iv_task_registered(nullptr); }},
};

// [req:IVAPI-028] NULL is fatal, naming the call, both in a thread with a loop and in one
// without (the NULL is the first thing checked). ivykis dereferences it (SIGSEGV).
TEST_P(IvNullArgument, IVAPI_028_null_object_is_fatal_naming_the_call) {
  for (const auto& [name, call] : null_calls) {
    SCOPED_TRACE(name);
    const std::string message = std::string(name) + ": called with NULL";
    expect_fatal(GetParam(), [call = call] {
      init_on(GetParam());
      call();
    }, message);
    expect_fatal(GetParam(), [call = call] {
      iv_init();  // fixes the backend, then leaves the thread without a loop
      iv_deinit();
      call();
    }, message);
  }
}

// The lowest fd number at or above `from` that is not open.
int unopened_from(int from) {
  for (int fd = from; fd < FD_SETSIZE; ++fd)
    if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) return fd;
  return -1;
}

// iv_fd_register_try on a number: its result, and errno when it failed.
std::pair<int, int> register_try_number(int number) {
  iv_fd fd;
  IV_FD_INIT(&fd);
  fd.fd = number;
  fd.handler_in = no_handler;
  errno = 0;
  const int result = iv_fd_register_try(&fd);
  const int error = errno;
  EXPECT_EQ(iv_fd_registered(&fd), 0);
  return {result, error};
}

// [req:IVAPI-029] [req:IVAPI-008] [req:FD-003] [req:BACKEND-010] A number that is not open is
// refused with -1 and errno, however large: EBADF, or EMFILE on select at or above FD_SETSIZE;
// the loop stays usable. ivykis is fatal ("invalid fd N (maxfd=M)") from its RLIMIT_NOFILE on.
TEST_P(IvFdNumber, IVAPI_029_huge_and_unopened_numbers_are_refused) {
  expect_passes(GetParam(), [] {
    init_on(GetParam());
    // A backend with an fd limit (select's FD_SETSIZE) refuses a number at or above it first.
    const bool has_fd_limit = refloop::backend_traits(GetParam())->fd_limit != 0;
    EXPECT_EQ(register_try_number(INT_MAX), std::make_pair(-1, has_fd_limit ? EMFILE : EBADF));
    const int beyond_table = unopened_from(FD_SETSIZE - 1);
    ASSERT_EQ(beyond_table, FD_SETSIZE - 1) << "expected the last select-able number to be free";
    EXPECT_EQ(register_try_number(beyond_table), std::make_pair(-1, EBADF));
    iv_main();  // nothing is registered: returns at once
    iv_deinit();
  });
}

// [req:IVAPI-007] [req:IVAPI-008] Negative numbers, -1 and INT_MIN, are fatal for both calls.
TEST_P(IvFdNumber, IVAPI_007_negative_numbers_are_fatal) {
  for (int number : {-1, INT_MIN}) {
    for (const char* call : {"iv_fd_register", "iv_fd_register_try"}) {
      const std::string message = std::string(call) + ": called with invalid fd " + std::to_string(number);
      expect_fatal(GetParam(), [number, try_it = std::string(call) == "iv_fd_register_try"] {
        init_on(GetParam());
        iv_fd fd;
        IV_FD_INIT(&fd);
        fd.fd = number;
        if (try_it) (void)iv_fd_register_try(&fd);
        else iv_fd_register(&fd);
      }, message);
    }
  }
}

std::string fired;  // the timers that fired, in order (one per child)

void fire(void* name) {
  fired += static_cast<const char*>(name);
  fired += ' ';
}

void fire_and_quit(void* name) {
  fire(name);
  iv_quit();
}

void register_at(iv_timer& timer, timespec expires, void (*handler)(void*), const char* name) {
  IV_TIMER_INIT(&timer);
  timer.expires = expires;
  timer.handler = handler;
  timer.cookie = const_cast<char*>(name);
  iv_timer_register(&timer);
}

// [req:IVAPI-027] A tv_sec of LONG_MAX means never: the timer does not fire and does not keep
// iv_main from returning when another timer or an fd handler quits.
TEST_P(IvExtremeExpiry, IVAPI_027_long_max_never_fires) {
  expect_passes(GetParam(), [] {
    init_on(GetParam());
    iv_timer never, soon;
    register_at(never, {LONG_MAX, 999'999'999}, fire, "never");
    iv_validate_now();
    register_at(soon, after_ms(iv_now, 5), fire_and_quit, "soon");
    iv_main();
    EXPECT_EQ(fired, "soon ");
    EXPECT_EQ(iv_timer_registered(&never), 1);
    Pipe pipe;
    ASSERT_EQ(write(pipe.writer(), "x", 1), 1);
    iv_fd readable;
    IV_FD_INIT(&readable);
    readable.fd = pipe.reader();
    readable.cookie = const_cast<char*>("fd");
    readable.handler_in = fire_and_quit;
    iv_fd_register(&readable);
    iv_main();
    EXPECT_EQ(fired, "soon fd ");
    iv_fd_unregister(&readable);
    iv_timer_unregister(&never);
    iv_deinit();
  });
}

// [req:IVAPI-027] A tv_sec of LONG_MIN is long past: the timer fires at the next pass, before a
// timer due in a minute, while an idle fd keeps the loop from being empty.
TEST_P(IvExtremeExpiry, IVAPI_027_long_min_fires_at_the_next_pass) {
  expect_passes(GetParam(), [] {
    init_on(GetParam());
    Pipe pipe;
    iv_fd idle;
    IV_FD_INIT(&idle);
    idle.fd = pipe.reader();
    idle.handler_in = fire;
    iv_fd_register(&idle);
    iv_timer past, minute;
    iv_validate_now();
    register_at(minute, after_ms(iv_now, 60'000), fire, "minute");
    register_at(past, {LONG_MIN, 0}, fire_and_quit, "past");
    iv_main();
    EXPECT_EQ(fired, "past ");
    EXPECT_EQ(iv_timer_registered(&minute), 1);
    iv_timer_unregister(&minute);
    iv_fd_unregister(&idle);
    iv_deinit();
  });
}

}  // namespace
