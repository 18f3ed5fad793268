// SPDX-License-Identifier: ISC
// Tests of struct iv_fd in the ivykis C API (spec/loop.md, IVAPI-006..011), each run on every
// compiled backend in a child process (ivykis_test_support.hpp).
#include <fcntl.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "ivykis_test_support.hpp"

using namespace refloop::ivykis::testing;

namespace {

REFLOOP_IVYKIS_SUITE(IvFd);

// A readable pipe whose handler counts calls and reads nothing (level-triggered re-calls), up
// to `limit` calls, then unregisters.
struct Counter {
  iv_fd fd{};
  int calls = 0;
  int limit = 3;
  std::vector<void*> cookies;  // the cookie each call received
};

void count_and_maybe_stop(void* cookie) {
  auto* c = static_cast<Counter*>(static_cast<Counter**>(cookie)[0]);
  c->cookies.push_back(cookie);
  if (++c->calls == c->limit) iv_fd_unregister(&c->fd);
}

// [req:IVAPI-006] IV_FD_INIT sets fd to -1 and the handlers to NULL, keeps the cookie, and
// leaves the struct unregistered.
TEST_P(IvFd, IVAPI_006_fd_init) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    int x = 0;
    iv_fd fd;
    fd.fd = 7;
    fd.cookie = &x;
    fd.handler_in = fd.handler_out = fd.handler_err = [](void*) {};
    IV_FD_INIT(&fd);
    EXPECT_EQ(fd.fd, -1);
    EXPECT_EQ(fd.cookie, &x);
    EXPECT_EQ(fd.handler_in, nullptr);
    EXPECT_EQ(fd.handler_out, nullptr);
    EXPECT_EQ(fd.handler_err, nullptr);
    EXPECT_EQ(iv_fd_registered(&fd), 0);
    iv_deinit();
  });
}

// [req:IVAPI-007] A registered fd is level-triggered, its handler gets the cookie as it is at
// call time, and registration sets O_NONBLOCK and FD_CLOEXEC, which stay after unregistering.
TEST_P(IvFd, IVAPI_007_register_level_triggered_cookie_flags) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    Pipe p;
    ASSERT_EQ(write(p.writer(), "x", 1), 1);
    Counter counter;
    Counter* first[1] = {&counter};
    Counter* second[1] = {&counter};
    IV_FD_INIT(&counter.fd);
    counter.fd.fd = p.reader();
    counter.fd.cookie = first;
    counter.fd.handler_in = count_and_maybe_stop;
    iv_fd_register(&counter.fd);
    EXPECT_EQ(iv_fd_registered(&counter.fd), 1);
    EXPECT_NE(fcntl(p.reader(), F_GETFL) & O_NONBLOCK, 0);
    EXPECT_NE(fcntl(p.reader(), F_GETFD) & FD_CLOEXEC, 0);
    counter.fd.cookie = second;  // cookies may change any time
    iv_main();                   // the unread byte re-calls the handler until it unregisters
    EXPECT_EQ(counter.calls, 3);
    EXPECT_EQ(counter.cookies, (std::vector<void*>{second, second, second}));
    EXPECT_EQ(iv_fd_registered(&counter.fd), 0);
    EXPECT_NE(fcntl(p.reader(), F_GETFL) & O_NONBLOCK, 0);
    EXPECT_NE(fcntl(p.reader(), F_GETFD) & FD_CLOEXEC, 0);
    iv_deinit();
  });
}

// [req:IVAPI-007] Misuse is fatal with a message naming the call and the cause.
TEST_P(IvFd, IVAPI_007_register_misuse_is_fatal) {
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_fd fd;
    IV_FD_INIT(&fd);
    iv_fd_register(&fd);  // fd is still -1
  }, "iv_fd_register: called with invalid fd -1");
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    Pipe p;
    iv_fd fd;
    IV_FD_INIT(&fd);
    fd.fd = p.reader();
    iv_fd_register(&fd);
    iv_fd_register(&fd);
  }, "iv_fd_register: called with fd which is still registered");
}

// [req:IVAPI-008] iv_fd_register_try: 0 and registered for a pipe; -1 with errno set, and not
// registered (nothing keeps iv_main running), for a closed fd; misuse is fatal as for
// iv_fd_register.
TEST_P(IvFd, IVAPI_008_register_try) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    Pipe p;
    iv_fd good;
    IV_FD_INIT(&good);
    good.fd = p.reader();
    EXPECT_EQ(iv_fd_register_try(&good), 0);
    EXPECT_EQ(iv_fd_registered(&good), 1);
    EXPECT_NE(fcntl(p.reader(), F_GETFL) & O_NONBLOCK, 0);
    iv_fd_unregister(&good);

    int closed = dup(p.reader());
    close(closed);
    iv_fd bad;
    IV_FD_INIT(&bad);
    bad.fd = closed;
    bad.handler_in = [](void*) {};
    errno = 0;
    EXPECT_EQ(iv_fd_register_try(&bad), -1);
    EXPECT_EQ(errno, EBADF);
    EXPECT_EQ(iv_fd_registered(&bad), 0);
    iv_main();  // returns at once: the refused fd is not counted
    iv_deinit();
  });
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_fd fd;
    IV_FD_INIT(&fd);
    fd.fd = -3;
    iv_fd_register_try(&fd);
  }, "iv_fd_register_try: called with invalid fd -3");
}

// [req:IVAPI-009] A handler may unregister, close and free its own fd; unregistering an
// unregistered fd is fatal.
TEST_P(IvFd, IVAPI_009_unregister_close_free_in_handler) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    Pipe p;
    ASSERT_EQ(write(p.writer(), "x", 1), 1);
    auto* fd = new iv_fd;
    IV_FD_INIT(fd);
    fd->fd = dup(p.reader());
    fd->cookie = fd;
    fd->handler_in = [](void* c) {
      auto* self = static_cast<iv_fd*>(c);
      iv_fd_unregister(self);
      close(self->fd);
      delete self;
    };
    fd->handler_out = [](void*) { ADD_FAILURE() << "not asked for"; };
    iv_fd_register(fd);
    iv_main();  // returns once the handler removed the only object
    iv_deinit();
  });
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_fd fd;
    IV_FD_INIT(&fd);
    iv_fd_unregister(&fd);
  }, "iv_fd_unregister: called with fd which is not registered");
}

struct SetterCase {
  iv_fd fd{};
  iv_task task{};
  iv_timer stop{};
  int in_calls = 0;
};

// [req:IVAPI-010] A handler set later (here from a task) on an already readable fd fires; set
// back to NULL it is no longer called, and the fd with no handlers just stays registered.
TEST_P(IvFd, IVAPI_010_setters_take_effect) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    Pipe p;
    ASSERT_EQ(write(p.writer(), "x", 1), 1);
    SetterCase s;
    IV_FD_INIT(&s.fd);
    s.fd.fd = p.reader();
    s.fd.cookie = &s;
    iv_fd_register(&s.fd);
    IV_TASK_INIT(&s.task);
    s.task.cookie = &s;
    s.task.handler = [](void* c) {
      iv_fd_set_handler_in(&static_cast<SetterCase*>(c)->fd, [](void* c2) {
        auto* sc = static_cast<SetterCase*>(c2);
        if (++sc->in_calls < 2) return;
        iv_fd_set_handler_in(&sc->fd, nullptr);  // still readable, no longer called
        sc->stop.expires = after_ms(iv_now, 30);
        iv_timer_register(&sc->stop);
      });
    };
    iv_task_register(&s.task);
    IV_TIMER_INIT(&s.stop);
    s.stop.cookie = &s;
    s.stop.handler = [](void* c) { iv_fd_unregister(&static_cast<SetterCase*>(c)->fd); };
    iv_main();
    EXPECT_EQ(s.in_calls, 2);
    iv_deinit();
  });
}

// [req:IVAPI-010] The setters are fatal on an unregistered fd.
TEST_P(IvFd, IVAPI_010_setter_on_unregistered_fd_is_fatal) {
  using Setter = void (*)(iv_fd*, void (*)(void*));
  const struct {
    Setter setter;
    const char* name;
  } setters[] = {{iv_fd_set_handler_in, "iv_fd_set_handler_in"},
                 {iv_fd_set_handler_out, "iv_fd_set_handler_out"},
                 {iv_fd_set_handler_err, "iv_fd_set_handler_err"}};
  for (const auto& s : setters) {
    expect_fatal(GetParam(), [&] {
      init_on(GetParam());
      iv_fd fd;
      IV_FD_INIT(&fd);
      s.setter(&fd, [](void*) {});
    }, std::string(s.name) + ": called with fd which is not registered");
  }
}

// [req:IVAPI-011] An fd the backend refuses after a lazy registration (here: closed before the
// loop polls) ends in iv_fatal's handler, with a message naming the fd.
TEST_P(IvFd, IVAPI_011_refused_fd_reaches_fatal_handler) {
  ChildResult r = run_in_child(GetParam(), [&] {
    init_on(GetParam());
    Pipe p;
    int doomed = dup(p.reader());
    iv_fd fd;
    IV_FD_INIT(&fd);
    fd.fd = doomed;
    fd.handler_in = [](void*) {};
    iv_fd_register(&fd);
    close(doomed);
    iv_main();
  });
  EXPECT_TRUE(r.died_fatally()) << "status " << r.status;
  EXPECT_NE(r.fatal_message.find("fd "), std::string::npos) << r.fatal_message;
}

}  // namespace
