// SPDX-License-Identifier: ISC
// What the loop does on each emulated backend when the emulated interface takes one of its rare
// documented turns (spec/os.md), forced through the emulator's knobs: the loop runs on a table
// with the emulators (os::Emulators, model/os/emulators.hpp) so the test can reach them. Backends are
// chosen by their traits (emulated, and the call they wait with), never by name. The knobs that
// every backend meets in some form (EINTR, ETIME, closes outside) are in os_knob_test.cpp.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <deque>

#include "backend/backend.hpp"
#include "loop_test_support.hpp"
#include "os/emulators.hpp"
#include "refloop/kernel/fault.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;

std::vector<std::string> emulated_backends() {
  std::vector<std::string> names;
  for (auto name : compiled_backends())
    if (backend_traits(name)->emulated) names.emplace_back(name);
  return names;
}

class OnEmulated : public ::testing::TestWithParam<std::string> {
 protected:
  SimulatedClock clock{tain_epoch};
  os::Emulators emulated{kernel::native_syscalls()};
  kernel::SysCalls sys = emulated.table();
  Loop loop{LoopOptions{.clock = &clock, .backend = GetParam(), .sys = &sys}};
  std::vector<std::string> log;

  static const BackendTraits& traits() { return *backend_traits(GetParam()); }
  static bool waits_with(std::string_view call) { return traits().wait_call == call; }
  std::function<void()> note(std::string what) {
    return [this, what] { log.push_back(what); };
  }
  // DP_ISPOLLED on the loop's one /dev/poll set: the mask it caches for fd, or -1.
  short devpoll_mask(int fd) {
    for (int set = 0; set < 1024; ++set) {
      pollfd query{fd, 0, 0};
      const int result = sys.devpoll->ioctl(set, kernel::dp_ispolled, &query);
      if (result >= 0) return result == 1 ? query.revents : short{-1};
    }
    return -2;
  }
  // The loop's one /dev/poll set, or -1.
  int devpoll_set() {
    pollfd query{0, 0, 0};
    for (int set = 0; set < 1024; ++set)
      if (sys.devpoll->ioctl(set, kernel::dp_ispolled, &query) >= 0) return set;
    return -1;
  }
  // Sends a user event to the loop's one event port (port_send refuses every other descriptor
  // with EBADF or EBADFD); whether one took it.
  bool send_to_the_port() {
    for (int port = 0; port < 1024; ++port)
      if (sys.port->port_send(port, 1, nullptr) == 0) return true;
    return false;
  }
};

INSTANTIATE_TEST_SUITE_P(Emulated, OnEmulated, ::testing::ValuesIn(emulated_backends()),
                         test::backend_test_name);

TEST_P(OnEmulated, OS_200_an_emulated_backend_says_so_and_runs_on_the_emulator_it_is_given) {
  // [req:OS-200] [req:OS-250] [req:OS-350]
  EXPECT_EQ(loop.backend_name(), GetParam());
  EXPECT_TRUE(GetParam().ends_with("~emu"));
  // The /dev/poll set it opened (if it waits with DP_POLL) is the given emulator's.
  EXPECT_EQ(emulated.devpoll().open_sets(), waits_with("ioctl") ? 1u : 0u);
  // The native factories refuse an emulated table; the emulated ones refuse a table with
  // neither the interface nor poll(2) to build an emulator on.
  EXPECT_EQ(detail::make_devpoll_backend(sys), nullptr);
  EXPECT_EQ(detail::make_port_backend(sys), nullptr);
  EXPECT_EQ(detail::make_backend(GetParam(), kernel::SysCalls{}), nullptr);
  EXPECT_NE(detail::make_backend(GetParam(), kernel::native_syscalls()), nullptr);  // its own
}

TEST(EmulatedBackends, OS_200_never_the_default_choice) {
  // [req:OS-200] [req:BACKEND-006] Every native backend excluded: fatal, not an emulated one.
  for (auto name : compiled_backends())
    EXPECT_EQ(backend_traits(name)->emulated, name.ends_with("~emu")) << name;
  std::string natives;
  for (auto name : compiled_backends())
    if (!backend_traits(name)->emulated) (natives += ' ') += name;
  const std::string message = test::fatal_message_of([&] {
    ::unsetenv("REFLOOP_BACKEND");
    ::setenv("IV_EXCLUDE_POLL_METHOD", natives.c_str(), 1);
    Loop loop;
  });
  EXPECT_EQ(message.rfind("Loop::Loop: no usable backend", 0), 0u) << message;
}

TEST_P(OnEmulated, OS_251_devpoll_narrows_with_POLLREMOVE_and_removes_at_unregister) {
  // [req:OS-251] [req:OS-203] [req:BACKEND-009]
  if (!waits_with("ioctl")) GTEST_SKIP() << "not a /dev/poll backend";
  FdPair pipe = FdPair::sockets();
  FdProbe end(pipe.read_end);
  end.want_in(note("in")).want_out([] {});
  loop.register_fd(end.fd);
  EXPECT_EQ(devpoll_mask(end.fd.fd), -1);  // lazy: nothing written before the wait
  loop.run_once(RunMode::nowait);
  EXPECT_EQ(devpoll_mask(end.fd.fd), POLLIN | POLLOUT);
  loop.set_handler_out(end.fd, nullptr);
  loop.run_once(RunMode::nowait);
  EXPECT_EQ(devpoll_mask(end.fd.fd), POLLIN);  // not POLLIN | POLLOUT: removed, then re-added
  loop.set_handler_in(end.fd, nullptr);
  loop.set_handler_err(end.fd, FdProbe::on_err);
  loop.run_once(RunMode::nowait);
  EXPECT_EQ(devpoll_mask(end.fd.fd), POLLHUP);  // errors only
  loop.unregister_fd(end.fd);
  EXPECT_EQ(devpoll_mask(end.fd.fd), -1);  // at once
}

TEST_P(OnEmulated, OS_251_a_second_fd_with_the_same_number_is_refused) {
  // [req:OS-251] [req:BACKEND-008] The set holds a number once: register_fd_try says EEXIST, and
  // a second lazy registration is fatal at the flush, as on epoll.
  if (!waits_with("ioctl")) GTEST_SKIP() << "not a /dev/poll backend";
  FdPair pipe = FdPair::pipe();
  FdProbe first(pipe.read_end);
  FdProbe second(pipe.read_end);
  first.want_in([] {});
  second.want_in([] {});
  ASSERT_EQ(loop.register_fd_try(first.fd), 0);
  EXPECT_EQ(loop.register_fd_try(second.fd), EEXIST);
  const std::string message = test::fatal_message_of([&] {
    loop.register_fd(second.fd);
    loop.run_once(RunMode::nowait);
  });
  EXPECT_EQ(message, GetParam() + " backend: fd " + std::to_string(pipe.read_end) + " is registered twice");
  loop.unregister_fd(first.fd);
}

TEST_P(OnEmulated, OS_200_an_emulated_table_without_the_fd_table_makes_no_backend) {
  // [req:OS-200] [req:OS-250] [req:OS-350] The set's fd table is how the backend closes its
  // object and how the emulators hear of closes: without it there is no backend.
  kernel::SysCalls partial = sys;
  partial.fd = nullptr;
  EXPECT_EQ(detail::make_backend(GetParam(), partial), nullptr);
}

TEST_P(OnEmulated, OS_351_one_shot_associations_are_renewed_so_the_loop_stays_level_triggered) {
  // [req:OS-351] [req:OS-307]
  if (!waits_with("port_getn")) GTEST_SKIP() << "not an event-port backend";
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe end(pipe.read_end);
  end.want_in(note("in"));
  loop.register_fd(end.fd);
  for (int round = 0; round < 3; ++round) loop.run_once(RunMode::nowait);
  EXPECT_EQ(log, (std::vector<std::string>{"in", "in", "in"}));  // the byte stays unread
  loop.unregister_fd(end.fd);  // dissociates the renewed association
  pipe.put();
  loop.run_once(RunMode::nowait);
  EXPECT_EQ(log.size(), 3u);
}

TEST_P(OnEmulated, OS_120_OS_251_OS_354_more_than_1024_fds_take_one_wait_and_batched_changes) {
  // [req:OS-120] [req:OS-251] [req:OS-354] [req:BACKEND-002] ivykis's notes: its kqueue method
  // sends at most 1024 changes with the waiting kevent (more take extra calls), its dev_poll
  // method writes at most 1024 entries per write, and its port method retrieves at most 1024
  // events per port_getn, polling again while the list comes back full. refloop: every change
  // rides in the one waiting kevent, /dev/poll gets writes of at most 1024 entries, and one wait
  // retrieves every ready fd. 1100 ready fds (copies of one pipe end), registered between two
  // waits; the calls counted through a fault table with nothing planned.
  kernel::FaultCalls counting(sys);
  const kernel::SysCalls counted = counting.table();
  Loop batched{LoopOptions{.clock = &clock, .backend = GetParam(), .sys = &counted}};
  FdPair pipe = FdPair::pipe();
  pipe.put();
  constexpr int copies = 1100;
  std::deque<FdProbe> probes;
  int called = 0;
  for (int i = 0; i < copies; ++i) {
    const int copy = ::dup(pipe.read_end);
    if (copy < 0) break;
    probes.emplace_back(copy).want_in([&called] { ++called; });
    batched.register_fd(probes.back().fd);
  }
  if (probes.size() == copies) {
    counting.plan({});
    EXPECT_EQ(batched.run_once(RunMode::nowait), Step::polled);
    EXPECT_EQ(called, copies);
    EXPECT_EQ(counting.count(traits().wait_call), 1u);
    if (waits_with("kevent")) { EXPECT_EQ(counting.count("kevent"), 1u); }  // the changes rode in it
    if (waits_with("ioctl")) { EXPECT_EQ(counting.count("write"), 2u); }    // 1024 + 76 entries
    if (waits_with("port_getn")) { EXPECT_EQ(counting.count("port_associate"), static_cast<unsigned>(copies)); }
  }
  for (FdProbe& probe : probes) {
    batched.unregister_fd(probe.fd);
    ::close(probe.fd.fd);
  }
  if (probes.size() != copies) GTEST_SKIP() << "cannot open " << copies << " descriptors here";
}

TEST_P(OnEmulated, OS_251_an_entry_for_an_fd_the_backend_does_not_know_is_fatal) {
  // [req:OS-251] As in ivykis's dev_poll method: DP_POLL names fds by number only, so an entry
  // for a number the loop did not register (written to the set behind its back) is fatal.
  if (!waits_with("ioctl")) GTEST_SKIP() << "not a /dev/poll backend";
  FdPair pipe = FdPair::pipe(), idle = FdPair::pipe();
  pipe.put();
  FdProbe registered(idle.read_end);  // something to poll for
  registered.want_in(note("in"));
  loop.register_fd(registered.fd);
  const int set = devpoll_set();
  ASSERT_GE(set, 0);
  const pollfd stranger{pipe.read_end, POLLIN, 0};
  ASSERT_EQ(sys.devpoll->write(set, &stranger, sizeof stranger), static_cast<ssize_t>(sizeof stranger));
  const std::string message = test::fatal_message_of([&] { loop.run_once(RunMode::nowait); });
  EXPECT_NE(message.find(std::to_string(pipe.read_end) + ", which is not registered"), std::string::npos)
      << message;
}

TEST_P(OnEmulated, OS_353_an_event_of_another_source_is_fatal) {
  // [req:OS-353] [req:OS-313] As in ivykis's port method: a user event sent to the loop's port
  // carries no Fd, so the backend stops with a message instead of dispatching it.
  if (!waits_with("port_getn")) GTEST_SKIP() << "not an event-port backend";
  FdPair idle = FdPair::pipe();
  FdProbe registered(idle.read_end);  // something to poll for
  registered.want_in(note("in"));
  loop.register_fd(registered.fd);
  ASSERT_TRUE(send_to_the_port());
  const std::string message = test::fatal_message_of([&] { loop.run_once(RunMode::nowait); });
  EXPECT_EQ(message.rfind(GetParam() + " backend: ", 0), 0u) << message;
  EXPECT_NE(message.find("source " + std::to_string(kernel::port_source_user)), std::string::npos) << message;
}

}  // namespace
}  // namespace refloop
