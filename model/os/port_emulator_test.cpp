// SPDX-License-Identifier: ISC
// The event-port emulator against spec/os.md OS-301..OS-313, on real pipes and the native poll(2)
// beneath a set of emulators (os::Emulators); real time, for the few 1 ms timeouts.
#include "os/emulators.hpp"
#include "os/test_pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <vector>

namespace refloop::os {
namespace {

using test::Pipe;

constexpr timespec zero{0, 0};
constexpr timespec one_ms{0, 1'000'000};
const auto fd_source = static_cast<unsigned short>(kernel::port_source_fd);
std::uintptr_t object(int fd) { return static_cast<std::uintptr_t>(fd); }
// An object too large for an fd. Where uintptr_t is wider than int it is `fd` plus 2^32, which a
// plain cast would truncate to the open `fd`, so only the range check can refuse it; where they
// are as wide (ILP32) every object above INT_MAX casts to a negative int. A template, so the
// branch the target does not take (a 32-bit shift of a 32-bit word) is never compiled.
template <class Word = std::uintptr_t>
Word beyond_int(int fd) {
  if constexpr (sizeof(Word) > sizeof(unsigned)) return (Word{1} << 32) | static_cast<Word>(fd);
  else return Word{INT_MAX} + 1;
}

class Ports : public ::testing::Test {
 protected:
  Emulators emulators{kernel::native_syscalls()};
  PortEmulator& emulator = emulators.port();
  int port = emulator.port_create();
  std::vector<kernel::port_event> events = std::vector<kernel::port_event>(8);
  int cookie = 0;

  int associate(int fd, int mask) {
    return emulator.port_associate(port, kernel::port_source_fd, object(fd), mask, &cookie);
  }
  // port_getn with nget = `wanted`; returns the result, `got` the final *nget.
  int getn(unsigned wanted, unsigned max, const timespec* timeout, unsigned& got) {
    got = wanted;
    return emulator.port_getn(port, events.data(), max, &got, timeout);
  }
};

TEST_F(Ports, OS_301_a_port_is_a_descriptor_and_its_close_destroys_it) {
  // [req:OS-301] [req:OS-005]
  ASSERT_GE(port, 0);
  EXPECT_TRUE(emulator.emulated());
  EXPECT_GE(::fcntl(port, F_GETFD), 0);
  EXPECT_EQ(emulators.close(port), 0);
  unsigned got = 1;
  errno = 0;
  EXPECT_EQ(emulator.port_getn(port, events.data(), 1, &got, &zero), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(Ports, OS_302_an_fd_already_ready_fires_at_association) {
  // [req:OS-302] [req:OS-303]
  Pipe pipe;
  pipe.put();
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  EXPECT_EQ(emulator.queued(port), 1u);
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);
  ASSERT_EQ(got, 1u);
  EXPECT_EQ(events[0].portev_events, POLLIN);
  EXPECT_EQ(events[0].portev_source, fd_source);
  EXPECT_EQ(events[0].portev_object, object(pipe.read_end));
  EXPECT_EQ(events[0].portev_user, &cookie);
}

TEST_F(Ports, OS_303_delivered_events_are_those_asked_for_plus_hangups_and_errors) {
  // [req:OS-303]
  Pipe pipe;
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  EXPECT_EQ(emulator.queued(port), 0u);
  ::close(pipe.write_end);
  pipe.write_end = -1;
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);  // fired by the scan of this port_getn
  ASSERT_EQ(got, 1u);
  EXPECT_EQ(events[0].portev_events, POLLHUP);
}

TEST_F(Ports, OS_304_reassociation_discards_a_queued_event_and_looks_again) {
  // [req:OS-304]
  Pipe pipe;
  pipe.put();
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  ASSERT_EQ(emulator.queued(port), 1u);
  ASSERT_EQ(associate(pipe.read_end, POLLOUT), 0);  // not writable: the queued event goes
  EXPECT_EQ(emulator.queued(port), 0u);
  int other = 0;
  ASSERT_EQ(emulator.port_associate(port, kernel::port_source_fd, object(pipe.read_end), POLLIN, &other), 0);
  EXPECT_EQ(emulator.queued(port), 1u);  // readable again: fired at once, with the new cookie
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);
  ASSERT_EQ(got, 1u);
  EXPECT_EQ(events[0].portev_user, &other);
}

TEST_F(Ports, OS_315_a_queued_event_is_delivered_as_it_fired) {
  // [req:OS-315] The fd was drained after its event fired: retrieval does not look again.
  Pipe pipe;
  pipe.put();
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  ASSERT_EQ(emulator.queued(port), 1u);
  char byte = 0;
  ASSERT_EQ(::read(pipe.read_end, &byte, 1), 1);
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);
  ASSERT_EQ(got, 1u);
  EXPECT_EQ(events[0].portev_events, POLLIN);  // stale: the pipe is empty now
  EXPECT_EQ(events[0].portev_object, object(pipe.read_end));
}

TEST_F(Ports, OS_305_associate_errors) {
  // [req:OS-305]
  Pipe pipe;
  errno = 0;
  EXPECT_EQ(emulator.port_associate(port + 100, kernel::port_source_fd, object(pipe.read_end), POLLIN, nullptr), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(emulator.port_associate(pipe.read_end, kernel::port_source_fd, object(pipe.read_end), POLLIN, nullptr), -1);
  EXPECT_EQ(errno, EBADFD);  // an open descriptor that is not a port
  EXPECT_EQ(emulator.port_associate(port, kernel::port_source_user, object(pipe.read_end), POLLIN, nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.port_associate(port, kernel::port_source_fd, object(port + 100), POLLIN, nullptr), -1);
  EXPECT_EQ(errno, EBADFD);
  EXPECT_EQ(emulator.port_associate(port, kernel::port_source_fd, beyond_int(pipe.read_end), POLLIN, nullptr), -1);
  EXPECT_EQ(errno, EBADFD);
}

TEST_F(Ports, OS_306_dissociate_removes_and_says_ENOENT_once_retrieved) {
  // [req:OS-306]
  Pipe pipe;
  pipe.put();
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  ASSERT_EQ(emulator.queued(port), 1u);
  EXPECT_EQ(emulator.port_dissociate(port, kernel::port_source_fd, object(pipe.read_end)), 0);
  EXPECT_EQ(emulator.queued(port), 0u);
  errno = 0;
  EXPECT_EQ(emulator.port_dissociate(port, kernel::port_source_fd, object(pipe.read_end)), -1);
  EXPECT_EQ(errno, ENOENT);
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);
  EXPECT_EQ(emulator.port_dissociate(port, kernel::port_source_fd, object(pipe.read_end)), -1);
  EXPECT_EQ(errno, ENOENT);  // retrieved: no active association
  EXPECT_EQ(emulator.port_dissociate(port, kernel::port_source_user, object(pipe.read_end)), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.port_dissociate(port + 100, kernel::port_source_fd, object(pipe.read_end)), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(Ports, OS_307_retrieval_ends_the_association) {
  // [req:OS-307]
  Pipe pipe;
  pipe.put();
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);
  ASSERT_EQ(got, 1u);
  ASSERT_EQ(getn(1, 8, &zero, got), 0);  // still readable, but no longer associated
  EXPECT_EQ(got, 0u);
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  ASSERT_EQ(getn(1, 8, &zero, got), 0);
  EXPECT_EQ(got, 1u);
}

TEST_F(Ports, OS_308_the_nget_and_max_rules) {
  // [req:OS-308]
  Pipe a, b, c;
  a.put();
  b.put();
  c.put();
  int first = 1, second = 2, third = 3;
  emulator.port_associate(port, kernel::port_source_fd, object(a.read_end), POLLIN, &first);
  emulator.port_associate(port, kernel::port_source_fd, object(b.read_end), POLLIN, &second);
  emulator.port_associate(port, kernel::port_source_fd, object(c.read_end), POLLIN, &third);
  unsigned got = 0;
  errno = 0;
  EXPECT_EQ(getn(3, 2, &zero, got), -1);  // *nget > max
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.port_getn(port, events.data(), 1, nullptr, &zero), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.port_getn(port, nullptr, 1, &got, &zero), -1);
  EXPECT_EQ(errno, EINVAL);
  const timespec negative{-1, 0};
  const timespec too_many_ns{0, 1'000'000'001};
  EXPECT_EQ(getn(1, 8, &negative, got), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(getn(1, 8, &too_many_ns, got), -1);
  EXPECT_EQ(errno, EINVAL);
  ASSERT_EQ(getn(7, 0, &zero, got), 0);  // max == 0: how many are queued, nothing retrieved
  EXPECT_EQ(got, 3u);
  ASSERT_EQ(getn(0, 8, nullptr, got), 0);  // *nget == 0: at once
  EXPECT_EQ(got, 0u);
  ASSERT_EQ(getn(1, 2, nullptr, got), 0);  // at least one; up to max, oldest first
  ASSERT_EQ(got, 2u);
  EXPECT_EQ(events[0].portev_user, &first);
  EXPECT_EQ(events[1].portev_user, &second);
  ASSERT_EQ(getn(1, 8, &one_ms, got), 0);
  ASSERT_EQ(got, 1u);
  EXPECT_EQ(events[0].portev_user, &third);
  unsigned queued = 9;
  EXPECT_EQ(emulator.port_getn(a.read_end, events.data(), 1, &queued, &zero), -1);
  EXPECT_EQ(errno, EBADFD);  // a descriptor that is not a port
}

TEST_F(Ports, OS_309_ETIME_delivers_what_is_queued_and_a_zero_timeout_does_not_time_out) {
  // [req:OS-309]
  Pipe a, b;
  a.put();
  associate(a.read_end, POLLIN);
  associate(b.read_end, POLLIN);
  unsigned got = 0;
  errno = 0;
  EXPECT_EQ(getn(2, 8, &one_ms, got), -1);  // one of two ready when the millisecond ends
  EXPECT_EQ(errno, ETIME);
  ASSERT_EQ(got, 1u);
  EXPECT_EQ(events[0].portev_object, object(a.read_end));
  ASSERT_EQ(getn(1, 8, &zero, got), 0);  // a poll: 0, not ETIME, although nothing came
  EXPECT_EQ(got, 0u);
  b.put();
  ASSERT_EQ(getn(1, 8, &one_ms, got), 0);
  EXPECT_EQ(got, 1u);
}

TEST_F(Ports, OS_310_closing_through_the_emulator_dissociates_and_a_close_elsewhere_is_seen_late) {
  // [req:OS-310]
  Pipe told, untold;
  told.put();
  associate(told.read_end, POLLIN);
  ASSERT_EQ(emulator.queued(port), 1u);
  EXPECT_EQ(emulators.close(told.read_end), 0);  // dissociated, its queued event dropped
  const int told_number = told.read_end;
  told.read_end = -1;
  EXPECT_EQ(emulator.queued(port), 0u);
  errno = 0;
  EXPECT_EQ(emulator.port_dissociate(port, kernel::port_source_fd, object(told_number)), -1);
  EXPECT_EQ(errno, EBADFD);  // the number is not open any more
  associate(untold.read_end, POLLIN);
  ::close(untold.read_end);  // behind the emulator's back
  const int untold_number = untold.read_end;
  untold.read_end = -1;
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);  // the scan finds POLLNVAL: dropped, nothing delivered
  EXPECT_EQ(got, 0u);
  Pipe reused;  // takes the lowest free numbers: the two just closed
  ASSERT_TRUE(reused.read_end == untold_number || reused.read_end == told_number);
  EXPECT_EQ(emulator.port_dissociate(port, kernel::port_source_fd, object(untold_number)), -1);
  EXPECT_EQ(errno, ENOENT);  // the association is gone, as the kernel would have made it
}

TEST_F(Ports, OS_311_knobs_EINTR_ETIME_with_events_and_the_kept_nget) {
  // [req:OS-311]
  Pipe pipe;
  pipe.put();
  associate(pipe.read_end, POLLIN);
  unsigned got = 0;
  Pipe idle;
  associate(idle.read_end, POLLIN);
  emulators.readiness().interrupt_wait();  // OS-002: fires at a wait, so only with too few queued
  errno = 0;
  EXPECT_EQ(getn(2, 8, &zero, got), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(got, 0u);
  EXPECT_EQ(emulator.queued(port), 1u);  // nothing retrieved
  emulator.port_dissociate(port, kernel::port_source_fd, object(idle.read_end));
  emulator.time_out_next_getn();
  EXPECT_EQ(getn(1, 8, &one_ms, got), -1);
  EXPECT_EQ(errno, ETIME);
  EXPECT_EQ(got, 1u);  // delivered all the same
  EXPECT_EQ(events[0].portev_object, object(pipe.read_end));
  emulator.keep_nget_on_etime();
  associate(pipe.read_end, POLLIN);
  emulator.time_out_next_getn();
  events[0] = kernel::port_event{};
  EXPECT_EQ(getn(1, 8, &one_ms, got), -1);
  EXPECT_EQ(errno, ETIME);
  EXPECT_EQ(got, 1u);  // the caller's value, whatever was delivered
  EXPECT_EQ(events[0].portev_source, fd_source);
  associate(idle.read_end, POLLIN);
  events[0] = kernel::port_event{};
  EXPECT_EQ(getn(2, 8, &one_ms, got), -1);  // nothing ready: the pipe's event was retrieved
  EXPECT_EQ(errno, ETIME);
  EXPECT_EQ(got, 2u);  // kept, although nothing was delivered
  EXPECT_EQ(events[0].portev_source, 0);
}

TEST_F(Ports, OS_312_port_get_retrieves_one_event_by_port_getn_rules) {
  // [req:OS-312] [req:OS-307] [req:OS-308] [req:OS-309]
  kernel::port_event event{};
  errno = 0;
  EXPECT_EQ(emulator.port_get(port, nullptr, &zero), -1);
  EXPECT_EQ(errno, EFAULT);
  constexpr timespec invalid{0, -1};
  EXPECT_EQ(emulator.port_get(port, &event, &invalid), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(emulator.port_get(-1, &event, &zero), -1);
  EXPECT_EQ(errno, EBADF);
  Pipe first, second;
  ASSERT_EQ(associate(first.read_end, POLLIN), 0);
  EXPECT_EQ(emulator.port_get(port, &event, &zero), 0);  // a poll: nothing, no ETIME
  EXPECT_EQ(event.portev_source, 0);                      // and *event as it was
  EXPECT_EQ(emulator.port_get(port, &event, &one_ms), -1);
  EXPECT_EQ(errno, ETIME);
  EXPECT_EQ(event.portev_source, 0);
  second.put();
  ASSERT_EQ(associate(second.read_end, POLLIN), 0);  // fires at once: queued first
  first.put();
  ASSERT_EQ(emulator.port_get(port, &event, nullptr), 0);  // the oldest of two
  EXPECT_EQ(event.portev_object, object(second.read_end));
  EXPECT_EQ(event.portev_source, fd_source);
  EXPECT_EQ(event.portev_events, POLLIN);
  EXPECT_EQ(event.portev_user, &cookie);
  EXPECT_EQ(emulator.queued(port), 1u);  // the other waits for the next call
  errno = 0;
  EXPECT_EQ(emulator.port_dissociate(port, kernel::port_source_fd, object(second.read_end)), -1);
  EXPECT_EQ(errno, ENOENT);  // one-shot: retrieved, so no longer associated
}

TEST_F(Ports, OS_312_port_get_is_interrupted_at_a_wait_and_ignores_the_getn_knobs) {
  // [req:OS-312] [req:OS-002] [req:OS-311]
  Pipe pipe;
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  kernel::port_event event{};
  emulators.readiness().interrupt_wait();
  errno = 0;
  EXPECT_EQ(emulator.port_get(port, &event, &one_ms), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(event.portev_source, 0);
  emulator.time_out_next_getn();
  pipe.put();
  EXPECT_EQ(emulator.port_get(port, &event, &one_ms), 0);  // the knob is port_getn's
  EXPECT_EQ(event.portev_object, object(pipe.read_end));
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  unsigned got = 0;
  EXPECT_EQ(getn(1, 8, &one_ms, got), -1);  // still armed for the next port_getn
  EXPECT_EQ(errno, ETIME);
  EXPECT_EQ(got, 1u);
}

TEST_F(Ports, OS_313_port_send_queues_a_user_event_in_order_with_fd_events) {
  // [req:OS-313] [req:OS-305]
  errno = 0;
  EXPECT_EQ(emulator.port_send(-1, 1, nullptr), -1);
  EXPECT_EQ(errno, EBADF);
  Pipe pipe;
  EXPECT_EQ(emulator.port_send(pipe.read_end, 1, nullptr), -1);
  EXPECT_EQ(errno, EBADFD);
  pipe.put();
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  int other = 0;
  ASSERT_EQ(emulator.port_send(port, 7, &other), 0);
  EXPECT_EQ(emulator.queued(port), 2u);
  unsigned got = 0;
  ASSERT_EQ(getn(2, 8, nullptr, got), 0);  // enough queued: no wait, even with no timeout
  ASSERT_EQ(got, 2u);
  EXPECT_EQ(events[0].portev_source, fd_source);
  EXPECT_EQ(events[1].portev_source, static_cast<unsigned short>(kernel::port_source_user));
  EXPECT_EQ(events[1].portev_events, 7);
  EXPECT_EQ(events[1].portev_user, &other);
  EXPECT_EQ(events[1].portev_object, 0u);
}

TEST_F(Ports, OS_313_user_events_outlive_fd_changes_and_go_with_the_port) {
  // [req:OS-313] [req:OS-304] [req:OS-306] [req:OS-310] Re-associating, dissociating or closing
  // an fd discards that fd's queued event only; closing the port discards everything.
  Pipe pipe;
  pipe.put();
  ASSERT_EQ(emulator.port_send(port, 1, nullptr), 0);
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  ASSERT_EQ(emulator.port_send(port, 2, nullptr), 0);
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);  // its event goes to the back: after the 2
  ASSERT_EQ(emulator.port_dissociate(port, kernel::port_source_fd, object(pipe.read_end)), 0);
  EXPECT_EQ(emulator.queued(port), 2u);
  ASSERT_EQ(associate(pipe.read_end, POLLIN), 0);
  EXPECT_EQ(emulators.close(pipe.read_end), 0);
  pipe.read_end = -1;
  EXPECT_EQ(emulator.queued(port), 2u);
  unsigned got = 0;
  ASSERT_EQ(getn(1, 8, &zero, got), 0);
  ASSERT_EQ(got, 2u);
  EXPECT_EQ(events[0].portev_events, 1);
  EXPECT_EQ(events[1].portev_events, 2);
  ASSERT_EQ(emulator.port_send(port, 3, nullptr), 0);
  EXPECT_EQ(emulators.close(port), 0);
  EXPECT_EQ(emulator.queued(port), 0u);
  port = -1;
}

// Whether a port table could be asked to enter alert mode.
template <class Table>
concept offers_port_alert = requires(Table& table) { table.port_alert(0, 0, 0, nullptr); };

TEST(PortTable, OS_314_port_alert_is_not_offered) {
  // [req:OS-314] Neither the seam's table nor the emulator has the call, so no emulated alert
  // mode can pass for a native one; adding it means writing its requirement first.
  static_assert(!offers_port_alert<kernel::PortCalls>);
  static_assert(!offers_port_alert<PortEmulator>);
  SUCCEED();
}

}  // namespace
}  // namespace refloop::os
