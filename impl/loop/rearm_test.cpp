// SPDX-License-Identifier: ISC
// Unit tests for the epoll backends' deferred removal and tagged events (spec/loop.md, FD-012 to
// FD-015, and FD-020: a re-arm's only call), on every compiled backend whose interest call is
// epoll_ctl. The kernel table is a
// FaultCalls with no plan: it only counts the calls, so a test can say how many a re-arm costs.
// The hazards are made with real descriptors: a closed fd number reused by another file before
// the flush, and a dup that keeps the unregistered file (and its epoll entry) alive.
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "loop_test_support.hpp"
#include "refloop/kernel/fault.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;

std::vector<std::string> epoll_backends() {
  std::vector<std::string> names;
  for (auto name : compiled_backends())
    if (backend_traits(name)->interest_call == "epoll_ctl") names.emplace_back(name);
  return names;
}

class Rearm : public ::testing::TestWithParam<std::string> {
 protected:
  SimulatedClock clock{tain_epoch};
  kernel::FaultCalls counter{kernel::native_syscalls()};
  kernel::SysCalls sys = counter.table();
  Loop loop{LoopOptions{.clock = &clock, .backend = GetParam(), .sys = &sys}};
  std::vector<std::string> log;

  std::function<void()> note(std::string what) {
    return [this, what] { log.push_back(what); };
  }
  // One non-blocking iteration; the callbacks it ran.
  std::vector<std::string> iterate() {
    EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
    return std::exchange(log, {});
  }
  // Starts counting calls afresh.
  void count_from_here() { counter.plan({}); }
  unsigned calls(const char* name) const { return counter.count(name); }
  // Registers `probe` for in, noting `what` when it runs, and looks once (so the kernel watches
  // it from now on): what that look ran.
  std::vector<std::string> watch_in(FdProbe& probe, const std::string& what) {
    probe.want_in(note(what));
    loop.register_fd(probe.fd);
    return iterate();
  }
  // unregister_fd and register_fd of the same Fd, as a callback re-arming its fd does.
  // FD-014's lingering entry: `first`'s read end is watched, then unregistered and freed while a
  // dup (`keep`) holds its file open, and dup2 makes its number `second`'s read end, registered
  // again wanting "second". The test closes the returned probe's number and `keep`.
  std::unique_ptr<FdProbe> linger(FdPair& first, FdPair& second, int& keep) {
    auto reader = std::make_unique<FdProbe>(first.read_end);
    EXPECT_EQ(watch_in(*reader, "first"), (std::vector<std::string>{}));
    const int number = first.read_end;
    keep = ::dup(number);
    loop.unregister_fd(reader->fd);
    reader.reset();
    EXPECT_EQ(::dup2(second.read_end, number), number);  // closes the old description at `number`
    first.read_end = -1;                                  // `number` is now the second pipe's
    auto again = std::make_unique<FdProbe>(number);
    again->want_in(note("second"));
    loop.register_fd(again->fd);
    return again;
  }
  void rearm(FdProbe& probe) {
    loop.unregister_fd(probe.fd);
    loop.register_fd(probe.fd);
  }
};

bool nonblocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }
bool cloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }
// Clears both of FD-009's flags, as a caller may do to its own fd.
void clear_flags(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  ::fcntl(fd, F_SETFD, 0);
}
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Rearm);
INSTANTIATE_TEST_SUITE_P(Backends, Rearm, ::testing::ValuesIn(epoll_backends()),
                         ::refloop::test::backend_test_name);

TEST_P(Rearm, FD_012_unregister_and_register_in_one_iteration_cost_one_call) {
  // [req:FD-012] The watch goes stale at unregister_fd (no call); the re-registration's ADD is
  // answered EEXIST, which proves the entry is this file's: no DEL, no MOD, and the fd is still
  // watched. Before FD-012 this was two calls (EPOLL_CTL_DEL at once, EPOLL_CTL_ADD at the flush).
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end);
  EXPECT_EQ(watch_in(reader, "in"), (std::vector<std::string>{"in"}));
  count_from_here();
  loop.unregister_fd(reader.fd);
  EXPECT_EQ(calls("epoll_ctl"), 0u);
  loop.register_fd(reader.fd);
  EXPECT_EQ(calls("epoll_ctl"), 1u);  // FD-020: the ADD is made at the registration
  EXPECT_EQ(iterate(), (std::vector<std::string>{"in"}));
  EXPECT_EQ(calls("epoll_ctl"), 1u);
  // Other bands: the same ADD, then one MOD.
  count_from_here();
  loop.unregister_fd(reader.fd);
  reader.fd.handler_in = nullptr;
  reader.want_err(note("err"));
  loop.register_fd(reader.fd);
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  EXPECT_EQ(calls("epoll_ctl"), 2u);
  loop.unregister_fd(reader.fd);
}

TEST_P(Rearm, FD_012_a_watch_still_stale_at_the_flush_is_removed) {
  // [req:FD-012] [req:FD-004] No re-registration: the flush removes the entry with one DEL, and
  // no handler of the unregistered fd runs, although its data is still there.
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end), other(pipe.write_end);
  other.want_err(note("err"));
  loop.register_fd(other.fd);
  EXPECT_EQ(watch_in(reader, "in"), (std::vector<std::string>{"in"}));
  count_from_here();
  loop.unregister_fd(reader.fd);
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  EXPECT_EQ(calls("epoll_ctl"), 1u);
  loop.unregister_fd(other.fd);
}

TEST_P(Rearm, FD_014_a_number_closed_and_reused_before_the_flush_watches_the_new_file) {
  // [req:FD-014] [req:FD-013] unregister, close, and the same number now names another pipe: the
  // ADD succeeds (a new entry, a fresh tag), the new file's data is reported, the old one's never.
  FdPair first = FdPair::pipe(), second = FdPair::pipe();
  auto reader = std::make_unique<FdProbe>(first.read_end);
  EXPECT_EQ(watch_in(*reader, "first"), (std::vector<std::string>{}));
  const int number = first.read_end;
  loop.unregister_fd(reader->fd);
  reader.reset();
  first.close_read();
  ASSERT_EQ(::dup2(second.read_end, number), number);
  FdProbe again(number);
  again.want_in(note("second"));
  loop.register_fd(again.fd);
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  second.put();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"second"}));
  loop.unregister_fd(again.fd);
  ::close(number);
}

TEST_P(Rearm, FD_014_a_dup_keeps_the_old_entry_and_its_events_reach_nobody) {
  // [req:FD-014] [req:FD-013] [req:FD-015] The unregistered file stays open through a dup, so its
  // entry lingers in the set under a number that now names another pipe. Its data must reach
  // neither the freed Fd (ASan would see it) nor the new one; the foreign event makes the set
  // afresh (one epoll_create1), after which the loop is quiet: no spin.
  FdPair first = FdPair::pipe(), second = FdPair::pipe();
  int keep = -1;
  const std::unique_ptr<FdProbe> again = linger(first, second, keep);
  ASSERT_GE(keep, 0);
  const int number = again->fd.fd;
  first.put();  // readable through `keep`: the lingering entry fires with the old tag
  count_from_here();
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  EXPECT_EQ(calls("epoll_create1"), 1u);
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  EXPECT_EQ(calls("epoll_create1"), 1u);  // the lingering entry went with the old set
  second.put();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"second"}));
  loop.unregister_fd(again->fd);
  ::close(number);
  ::close(keep);
}

TEST_P(Rearm, FD_014_a_closed_number_with_a_dup_and_no_new_registration_reaches_nobody) {
  // [req:FD-014] [req:FD-004] unregister, free, close: the flush's DEL fails (EBADF), the entry
  // lingers through the dup, and its event is dropped, then the set is made afresh.
  FdPair pipe = FdPair::pipe();
  FdPair other = FdPair::pipe();
  auto reader = std::make_unique<FdProbe>(pipe.read_end);
  reader->want_in(note("freed"));
  loop.register_fd(reader->fd);
  FdProbe watcher(other.read_end);
  EXPECT_EQ(watch_in(watcher, "other"), (std::vector<std::string>{}));
  const int keep = ::dup(pipe.read_end);
  ASSERT_GE(keep, 0);
  loop.unregister_fd(reader->fd);
  reader.reset();
  pipe.close_read();
  pipe.put();
  count_from_here();
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  EXPECT_EQ(calls("epoll_create1"), 1u);
  other.put();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"other"}));
  EXPECT_EQ(calls("epoll_create1"), 1u);
  loop.unregister_fd(watcher.fd);
  ::close(keep);
}

TEST_P(Rearm, FD_014_a_lingering_entry_taken_back_by_its_number_is_adopted) {
  // [req:FD-014] [req:FD-020] The file whose entry lingers comes back to its old number (dup2
  // from the dup, which makes a descriptor without FD_CLOEXEC) and is registered again: the ADD
  // says EEXIST for an entry refloop gave up on; one MOD gives it a fresh tag and the bands, its
  // data is reported to the new Fd, and, the watch being no proof of the flags, FD-009 sets them.
  FdPair pipe = FdPair::pipe();
  auto reader = std::make_unique<FdProbe>(pipe.read_end);
  EXPECT_EQ(watch_in(*reader, "old"), (std::vector<std::string>{}));
  const int number = pipe.read_end;
  const int keep = ::dup(number);
  ASSERT_GE(keep, 0);
  loop.unregister_fd(reader->fd);
  reader.reset();
  pipe.close_read();
  FdProbe other(pipe.write_end);
  other.want_err(note("err"));
  loop.register_fd(other.fd);  // keeps the loop polling
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));  // the DEL fails: the entry lingers
  ASSERT_EQ(::dup2(keep, number), number);
  ASSERT_FALSE(cloexec(number));
  FdProbe back(number);
  back.want_in(note("back"));
  loop.register_fd(back.fd);
  EXPECT_TRUE(cloexec(number));
  pipe.put();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"back"}));
  loop.unregister_fd(back.fd);
  loop.unregister_fd(other.fd);
  ::close(number);
  ::close(keep);
}

TEST_P(Rearm, FD_020_a_rearm_is_one_epoll_ctl_and_no_fcntl) {
  // [req:FD-020] [req:FD-012] [req:FD-009] Round after round, a callback-style re-arm (unregister
  // and register, by register_fd or register_fd_try) costs the ADD answered EEXIST and nothing
  // else: the flags were set by the first registration and are still set.
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end);
  EXPECT_EQ(watch_in(reader, "in"), (std::vector<std::string>{"in"}));
  ASSERT_TRUE(nonblocking(pipe.read_end) && cloexec(pipe.read_end));
  count_from_here();
  constexpr unsigned rounds = 3;
  for (unsigned round = 0; round < rounds; ++round) {
    rearm(reader);
    EXPECT_EQ(iterate(), (std::vector<std::string>{"in"}));
  }
  for (unsigned round = 0; round < rounds; ++round) {
    loop.unregister_fd(reader.fd);
    EXPECT_EQ(loop.register_fd_try(reader.fd), 0);
    EXPECT_EQ(iterate(), (std::vector<std::string>{"in"}));
  }
  EXPECT_EQ(calls("epoll_ctl"), 2 * rounds);
  EXPECT_EQ(calls("fcntl"), 0u);
  EXPECT_TRUE(nonblocking(pipe.read_end) && cloexec(pipe.read_end));
  loop.unregister_fd(reader.fd);
}

TEST_P(Rearm, FD_020_another_file_under_a_stale_number_gets_its_flags) {
  // [req:FD-020] [req:FD-009] The number was closed and now names another file, without either
  // flag: the ADD made at the registration succeeds (no proof), and the flags are set after it.
  FdPair first = FdPair::pipe(), second = FdPair::pipe();
  auto reader = std::make_unique<FdProbe>(first.read_end);
  EXPECT_EQ(watch_in(*reader, "first"), (std::vector<std::string>{}));
  const int number = first.read_end;
  loop.unregister_fd(reader->fd);
  reader.reset();
  ASSERT_EQ(::dup2(second.read_end, number), number);  // closes the first pipe's read end
  first.read_end = -1;
  ASSERT_FALSE(nonblocking(number) || cloexec(number));
  count_from_here();
  FdProbe again(number);
  again.want_in(note("second"));
  loop.register_fd(again.fd);
  EXPECT_EQ(calls("epoll_ctl"), 1u);
  EXPECT_GE(calls("fcntl"), 2u);
  EXPECT_TRUE(nonblocking(number));
  EXPECT_TRUE(cloexec(number));
  second.put();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"second"}));
  EXPECT_EQ(calls("epoll_ctl"), 1u);
  loop.unregister_fd(again.fd);
  ::close(number);
}

TEST_P(Rearm, FD_020_a_watch_that_may_have_a_lingering_entry_proves_nothing) {
  // [req:FD-020] [req:FD-014] The first file's entry lingers (a dup keeps it) while a second file
  // is registered and unregistered under its number; then the first file comes back to the
  // number through dup2, a descriptor without FD_CLOEXEC. Its ADD is answered EEXIST (its own
  // lingering entry), which is no proof of the flags: FD-009 sets them.
  FdPair first = FdPair::pipe(), second = FdPair::pipe();
  FdProbe reader(first.read_end);
  EXPECT_EQ(watch_in(reader, "first"), (std::vector<std::string>{}));
  const int number = first.read_end;
  const int keep = ::dup(number);
  ASSERT_GE(keep, 0);
  loop.unregister_fd(reader.fd);
  ASSERT_EQ(::dup2(second.read_end, number), number);  // the first file's entry lingers
  FdProbe other(number);
  other.want_in(note("second"));
  loop.register_fd(other.fd);  // a new entry: the watch may have a lingering one
  loop.unregister_fd(other.fd);
  ASSERT_EQ(::dup2(keep, number), number);
  ASSERT_FALSE(cloexec(number));
  loop.register_fd(reader.fd);
  EXPECT_TRUE(cloexec(number));
  first.put();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"first"}));
  loop.unregister_fd(reader.fd);
  ::close(keep);
}

TEST_P(Rearm, FD_020_flags_cleared_between_unregister_and_rearm_stay_cleared) {
  // [req:FD-020] The accepted limitation, pinned: the caller clears both flags in the window
  // between unregister_fd and the re-registration; the ADD's EEXIST proves the file, not its
  // flags, and refloop treats the fd as one that stayed registered. A registration after the
  // flush that removed the watch is a first one again and sets them.
  FdPair pipe = FdPair::pipe(), other = FdPair::pipe();
  FdProbe keeper(other.read_end);  // keeps the loop polling while `reader` is unregistered
  keeper.want_in(note("other"));
  loop.register_fd(keeper.fd);
  FdProbe reader(pipe.read_end);
  EXPECT_EQ(watch_in(reader, "in"), (std::vector<std::string>{}));
  loop.unregister_fd(reader.fd);
  clear_flags(pipe.read_end);
  loop.register_fd(reader.fd);
  EXPECT_FALSE(nonblocking(pipe.read_end));
  EXPECT_FALSE(cloexec(pipe.read_end));
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  loop.unregister_fd(reader.fd);
  count_from_here();
  EXPECT_EQ(iterate(), (std::vector<std::string>{}));
  EXPECT_EQ(calls("epoll_ctl"), 1u);  // the flush removed the stale watch
  loop.register_fd(reader.fd);
  EXPECT_TRUE(nonblocking(pipe.read_end));
  EXPECT_TRUE(cloexec(pipe.read_end));
  loop.unregister_fd(reader.fd);
  loop.unregister_fd(keeper.fd);
}

TEST_P(Rearm, FD_015_a_wait_ended_only_by_a_lingering_entry_waits_again_until_its_deadline) {
  // [req:FD-015] [req:TIME-005] A lingering entry (its file kept open by a dup, its number now
  // another pipe's) is ready when the loop waits for a timer: the wait's only event is dropped,
  // the set made afresh, and the wait made again until the timer's deadline, so the simulated
  // clock hears of one idle wait reaching it and the timer runs. A wait that ended there would
  // leave the clock short of the deadline and the timer unrun.
  FdPair first = FdPair::pipe(), second = FdPair::pipe();
  int keep = -1;
  const std::unique_ptr<FdProbe> again = linger(first, second, keep);
  ASSERT_GE(keep, 0);
  const int number = again->fd.fd;
  first.put();  // the lingering entry is ready, with the old tag
  test::TimerProbe timer(note("timer"));
  timer.timer.expires = clock.now() + tain::normalised(1, 0);
  loop.register_timer(timer.timer);
  count_from_here();
  ASSERT_EQ(loop.run_once(RunMode::wait), Step::polled);
  EXPECT_EQ(calls("epoll_create1"), 1u);
  EXPECT_EQ(clock.now(), timer.timer.expires);
  ASSERT_EQ(loop.run_once(RunMode::nowait), Step::polled);
  EXPECT_EQ(log, (std::vector<std::string>{"timer"}));
  loop.unregister_fd(again->fd);
  ::close(number);
  ::close(keep);
}

}  // namespace
}  // namespace refloop
