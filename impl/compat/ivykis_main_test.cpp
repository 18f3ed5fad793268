// SPDX-License-Identifier: ISC
// Tests of the ivykis C API's header, initialisation, method choice and main loop (spec/loop.md,
// IVAPI-001..005, 019, 023, 024), each run on every compiled backend in a child process (see
// ivykis_test_support.hpp). Timing is real but only ever checked on the late side.
#include <sys/resource.h>
#include <sys/syscall.h>

#include <cstddef>
#include <thread>
#include <type_traits>

#include "ivykis_test_support.hpp"
#include "refloop/loop/backend_traits.hpp"

using namespace refloop::ivykis::testing;

extern "C" {
// ivykis_c_header_test.c: a C translation unit using the header as a C program would.
std::size_t refloop_iv_c_sizeof(int which);
int refloop_iv_c_timer_roundtrip(void);
}

namespace {

REFLOOP_IVYKIS_SUITE(IvMain);

// [req:IVAPI-001] The header compiles as C (ivykis_c_header_test.c, C99) and as C++, with C
// linkage: a C function using iv_now, iv_validate_now() and the struct fields runs a timer.
TEST_P(IvMain, IVAPI_001_header_serves_c_programs) {
  expect_passes(GetParam(), [&] { EXPECT_EQ(refloop_iv_c_timer_roundtrip(), 1); });
}

// [req:IVAPI-002] Field names, order and struct sizes are ivykis's (LP64: 128 / 64 / 64).
TEST(IvLayout, IVAPI_002_struct_layout_matches_ivykis) {
  EXPECT_EQ(offsetof(iv_fd, fd), 0u);
  EXPECT_LT(offsetof(iv_fd, cookie), offsetof(iv_fd, handler_in));
  EXPECT_LT(offsetof(iv_fd, handler_in), offsetof(iv_fd, handler_out));
  EXPECT_LT(offsetof(iv_fd, handler_out), offsetof(iv_fd, handler_err));
  EXPECT_EQ(offsetof(iv_timer, expires), 0u);
  EXPECT_LT(offsetof(iv_timer, cookie), offsetof(iv_timer, handler));
  EXPECT_EQ(offsetof(iv_task, cookie), 0u);
  EXPECT_LT(offsetof(iv_task, cookie), offsetof(iv_task, handler));
  static_assert(std::is_same_v<decltype(iv_timer::expires), timespec>);
  if (sizeof(void*) == 8) {
    EXPECT_EQ(sizeof(iv_fd), 128u);
    EXPECT_EQ(sizeof(iv_timer), 64u);
    EXPECT_EQ(sizeof(iv_task), 64u);
  } else {  // ILP32 (armhf): the pads are 64-bit words
    EXPECT_EQ(sizeof(iv_fd), 112u);
    EXPECT_EQ(sizeof(iv_task), 56u);
    EXPECT_EQ(alignof(iv_fd), 8u);
    EXPECT_EQ(alignof(iv_task), 8u);
  }
  EXPECT_EQ(refloop_iv_c_sizeof(0), sizeof(iv_fd));  // the C compiler agrees
  EXPECT_EQ(refloop_iv_c_sizeof(1), sizeof(iv_timer));
  EXPECT_EQ(refloop_iv_c_sizeof(2), sizeof(iv_task));
}

// [req:IVAPI-003] iv_inited follows iv_init / iv_deinit, and iv_init works again afterwards.
TEST_P(IvMain, IVAPI_003_init_deinit_inited) {
  expect_passes(GetParam(), [&] {
    EXPECT_EQ(iv_inited(), 0);
    init_on(GetParam());
    EXPECT_EQ(iv_inited(), 1);
    iv_deinit();
    EXPECT_EQ(iv_inited(), 0);
    iv_init();
    EXPECT_EQ(iv_inited(), 1);
    iv_deinit();
  });
}

void count_call(void* cookie) { ++*static_cast<int*>(cookie); }

// [req:IVAPI-003] iv_deinit forgets registered objects: they read as unregistered, a new loop
// has nothing to run, and they can be registered with it.
TEST_P(IvMain, IVAPI_003_deinit_forgets_registered_objects) {
  expect_passes(GetParam(), [&] {
    Pipe p;
    int calls = 0;
    iv_fd fd;
    iv_timer timer;
    iv_task task;
    init_on(GetParam());
    IV_FD_INIT(&fd);
    fd.fd = p.reader();
    iv_fd_register(&fd);
    IV_TIMER_INIT(&timer);
    timer.expires = {0, 0};
    timer.cookie = &calls;
    timer.handler = count_call;
    iv_timer_register(&timer);
    IV_TASK_INIT(&task);
    task.cookie = &calls;
    task.handler = count_call;
    iv_task_register(&task);
    iv_deinit();
    EXPECT_FALSE(iv_fd_registered(&fd) || iv_timer_registered(&timer) || iv_task_registered(&task));
    iv_init();
    iv_main();  // nothing registered: returns at once
    EXPECT_EQ(calls, 0);
    iv_timer_register(&timer);
    iv_task_register(&task);
    iv_main();
    EXPECT_EQ(calls, 2);
    iv_deinit();
  });
}

// [req:IVAPI-003] [req:IVAPI-007] [req:IVAPI-015] The thread's lists of registered fds and tasks
// (no hashing: each object keeps its index) stay right through unregistrations from the middle,
// re-registrations and tasks that ran: iv_deinit then forgets exactly the registered ones.
TEST_P(IvMain, IVAPI_003_deinit_forgets_what_is_registered_after_churn) {
  expect_passes(GetParam(), [&] {
    Pipe pipes[4];
    iv_fd fds[4];
    iv_task tasks[4];
    int calls = 0;
    init_on(GetParam());
    for (int i = 0; i < 4; ++i) {
      IV_FD_INIT(&fds[i]);
      fds[i].fd = pipes[i].reader();
      iv_fd_register(&fds[i]);
      IV_TASK_INIT(&tasks[i]);
      tasks[i].cookie = &calls;
      tasks[i].handler = count_call;
      iv_task_register(&tasks[i]);
    }
    iv_fd_unregister(&fds[0]);  // the last one takes its place
    iv_fd_unregister(&fds[3]);  // ...and is removed from there
    iv_fd_register(&fds[0]);
    iv_fd_unregister(&fds[1]);
    iv_task_unregister(&tasks[1]);
    iv_task_unregister(&tasks[3]);
    iv_deinit();
    iv_init();
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(iv_fd_registered(&fds[i]), 0) << i;
      EXPECT_EQ(iv_task_registered(&tasks[i]), 0) << i;
    }
    for (iv_task& task : tasks) iv_task_register(&task);
    iv_task_unregister(&tasks[0]);
    iv_main();  // runs tasks 1, 2 and 3, each removed from the list as it runs
    EXPECT_EQ(calls, 3);
    iv_task_register(&tasks[2]);
    iv_deinit();
    EXPECT_EQ(iv_task_registered(&tasks[2]), 0);
  });
}

// [req:IVAPI-003] Each thread has its own loop: a timer registered in a second thread fires
// there; a thread ending without iv_deinit releases its loop (the asan build checks for leaks).
TEST_P(IvMain, IVAPI_003_one_loop_per_thread) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    unsigned long main_id = iv_get_thread_id();
    unsigned long fired_in = 0;
    std::thread worker([&] {
      EXPECT_EQ(iv_inited(), 0);
      iv_init();
      iv_timer timer;
      IV_TIMER_INIT(&timer);
      timer.expires = iv_now;
      timer.cookie = &fired_in;
      timer.handler = [](void* c) { *static_cast<unsigned long*>(c) = iv_get_thread_id(); };
      iv_timer_register(&timer);
      iv_main();
      iv_task never;
      IV_TASK_INIT(&never);
      never.handler = [](void*) {};
      iv_task_register(&never);  // left registered: the thread exits without iv_deinit
    });
    worker.join();
    EXPECT_NE(fired_in, 0u);
    EXPECT_NE(fired_in, main_id);
    EXPECT_EQ(iv_inited(), 1);
    iv_deinit();
  });
}

// [req:IVAPI-003] A second iv_init in a thread is an error, not a silent leak.
TEST_P(IvMain, IVAPI_003_double_init_is_fatal) {
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_init();
  }, "iv_init: called twice in this thread without iv_deinit");
}

// [req:IVAPI-004] The method is process-wide: NULL before the first iv_init, then fixed, even
// after iv_deinit and in other threads; the first iv_init also ignores SIGPIPE and SIGURG.
TEST_P(IvMain, IVAPI_004_method_is_process_wide) {
  expect_passes(GetParam(), [&] {
    EXPECT_EQ(iv_poll_method_name(), nullptr);
    signal(SIGPIPE, SIG_DFL);
    init_on(GetParam());
    EXPECT_EQ(signal(SIGPIPE, SIG_DFL), SIG_IGN);
    EXPECT_EQ(signal(SIGURG, SIG_DFL), SIG_IGN);
    iv_deinit();
    EXPECT_STREQ(iv_poll_method_name(), GetParam().c_str());
    setenv("REFLOOP_BACKEND", "no-such-backend", 1);  // read only by the first iv_init
    std::thread other([&] {
      iv_init();
      EXPECT_STREQ(iv_poll_method_name(), GetParam().c_str());
      iv_deinit();
    });
    other.join();
  });
}

// [req:IVAPI-004] IV_EXCLUDE_POLL_METHOD skips methods at the first iv_init.
TEST(IvMethod, IVAPI_004_exclude_poll_method) {
  // [req:OS-006] [req:OS-200] The default choice never takes an emulated backend, so only the
  // native ones take their turn.
  std::vector<std::string> names;
  for (const std::string& name : backends())
    if (!refloop::backend_traits(name)->emulated) names.push_back(name);
  for (std::size_t skip = 0; skip + 1 < names.size(); ++skip) {
    std::string excluded;
    for (std::size_t i = 0; i <= skip; ++i) excluded += names[i] + " ";
    expect_passes(names[skip + 1], [&] {
      unsetenv("REFLOOP_BACKEND");
      setenv("IV_EXCLUDE_POLL_METHOD", excluded.c_str(), 1);
      iv_init();
      iv_deinit();
    });
  }
}

// [req:IVAPI-005] iv_main returns when nothing is registered; an fd with no handlers keeps it
// running; iv_quit before iv_main has no effect; after iv_quit objects stay registered and
// iv_main resumes them.
TEST_P(IvMain, IVAPI_005_main_returns_when_empty_or_quit) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    iv_main();  // empty: returns at once
    Pipe p;
    iv_fd idle;
    IV_FD_INIT(&idle);
    idle.fd = p.reader();
    iv_fd_register(&idle);
    iv_timer quitter;
    IV_TIMER_INIT(&quitter);
    quitter.expires = after_ms(iv_now, 20);
    quitter.handler = [](void*) { iv_quit(); };
    iv_timer_register(&quitter);
    iv_quit();  // before iv_main: cleared on entry
    iv_main();
    EXPECT_FALSE(iv_timer_registered(&quitter));  // so it was the timer that ended iv_main
    EXPECT_TRUE(iv_fd_registered(&idle));
    quitter.expires = after_ms(iv_now, 10);
    quitter.cookie = &idle;
    quitter.handler = [](void* fd) { iv_fd_unregister(static_cast<iv_fd*>(fd)); };
    iv_timer_register(&quitter);
    iv_main();  // resumes; returns once the timer has unregistered the fd
    EXPECT_FALSE(iv_fd_registered(&idle));
    iv_deinit();
  });
}

// [req:IVAPI-019] Calls that need a loop are fatal, naming the call, in a thread without one.
TEST_P(IvMain, IVAPI_019_calls_without_init_are_fatal) {
  expect_fatal(GetParam(), [] { iv_main(); }, "iv_main: called in a thread without iv_init");
  expect_fatal(GetParam(), [] { iv_quit(); }, "iv_quit: called in a thread without iv_init");
  expect_fatal(GetParam(), [] { iv_deinit(); }, "iv_deinit: called in a thread without iv_init");
  expect_fatal(GetParam(), [] { iv_invalidate_now(); },
               "iv_invalidate_now: called in a thread without iv_init");
  expect_fatal(GetParam(), [] { [[maybe_unused]] timespec t = iv_now; },
               "iv_now: called in a thread without iv_init");
  expect_fatal(GetParam(), [] {
    iv_timer t;
    IV_TIMER_INIT(&t);
    iv_timer_register(&t);
  }, "iv_timer_register: called in a thread without iv_init");
  expect_fatal(GetParam(), [] {
    Pipe p;
    iv_fd fd;
    IV_FD_INIT(&fd);
    fd.fd = p.reader();
    iv_fd_register(&fd);
  }, "iv_fd_register: called in a thread without iv_init");
}

// [req:IVAPI-019] iv_deinit from inside iv_main is fatal.
TEST_P(IvMain, IVAPI_019_deinit_inside_main_is_fatal) {
  expect_fatal(GetParam(), [&] {
    init_on(GetParam());
    iv_task task;
    IV_TASK_INIT(&task);
    task.handler = [](void*) { iv_deinit(); };
    iv_task_register(&task);
    iv_main();
  }, "iv_deinit: called from inside iv_main");
}

// [req:IVAPI-023] refloop leaves RLIMIT_NOFILE and SO_OOBINLINE alone.
TEST_P(IvMain, IVAPI_023_no_rlimit_or_oobinline_changes) {
  expect_passes(GetParam(), [&] {
    rlimit before{}, after{};
    getrlimit(RLIMIT_NOFILE, &before);
    init_on(GetParam());
    getrlimit(RLIMIT_NOFILE, &after);
    EXPECT_EQ(before.rlim_cur, after.rlim_cur);
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    iv_fd fd;
    IV_FD_INIT(&fd);
    fd.fd = sv[0];
    fd.handler_in = [](void*) {};
    iv_fd_register(&fd);
    int inline_oob = -1;
    socklen_t len = sizeof inline_oob;
    ASSERT_EQ(getsockopt(sv[0], SOL_SOCKET, SO_OOBINLINE, &inline_oob, &len), 0);
    EXPECT_EQ(inline_oob, 0);
    iv_fd_unregister(&fd);
    close(sv[0]);
    close(sv[1]);
    iv_deinit();
  });
}

// [req:IVAPI-024] iv_get_thread_id is the kernel thread id, different in each thread.
TEST_P(IvMain, IVAPI_024_thread_id) {
  expect_passes(GetParam(), [&] {
    init_on(GetParam());
    EXPECT_EQ(iv_get_thread_id(), static_cast<unsigned long>(syscall(SYS_gettid)));
    unsigned long other = 0;
    std::thread([&] { other = iv_get_thread_id(); }).join();
    EXPECT_NE(other, iv_get_thread_id());
    iv_deinit();
  });
}

}  // namespace
