// SPDX-License-Identifier: ISC
// Unit tests for fds in the loop (spec/loop.md, FD), each run on every compiled backend. Real
// pipes and socket pairs provide readiness; the simulated clock keeps every wait non-blocking.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "loop_test_support.hpp"

namespace refloop {
namespace {

using test::FdPair;
using test::FdProbe;
using test::TaskProbe;
using test::TimerProbe;

class Fds : public test::OnEveryBackend {
 protected:
  // Runs iterations (non-blocking) and returns the log, cleared.
  std::vector<std::string> iterate(int times = 1) {
    for (int i = 0; i < times; ++i) EXPECT_EQ(loop.run_once(RunMode::nowait), Step::polled);
    return std::exchange(log, {});
  }
};
REFLOOP_ON_EVERY_BACKEND(Fds);

TEST_P(Fds, FD_001_cookie_may_change_while_registered) {
  // [req:FD-001]
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end);
  FdProbe other(pipe.read_end);
  other.want_in(note("other's body"));
  reader.want_in(note("reader's body"));
  loop.register_fd(reader.fd);
  reader.fd.cookie = &other;  // the handler receives the new cookie
  EXPECT_EQ(iterate(), std::vector<std::string>{"other's body"});
  loop.unregister_fd(reader.fd);
}

TEST_P(Fds, FD_002_registration_with_no_handlers_sends_nothing_to_the_kernel) {
  // [req:FD-002] Even a closed fd registers quietly while it has no handlers.
  FdPair pipe = FdPair::pipe();
  FdProbe reader(pipe.read_end);
  pipe.close_read();
  loop.register_fd(reader.fd);
  EXPECT_TRUE(Loop::registered(reader.fd));
  EXPECT_EQ(iterate(), std::vector<std::string>{});
  loop.unregister_fd(reader.fd);
  EXPECT_FALSE(Loop::registered(reader.fd));
}

TEST_P(Fds, FD_003_register_try_reports_a_closed_fd_as_EBADF) {
  // [req:FD-003]
  FdPair pipe = FdPair::pipe();
  FdProbe closed(pipe.read_end);
  closed.want_in(note("in"));
  pipe.close_read();
  EXPECT_EQ(loop.register_fd_try(closed.fd), EBADF);
  EXPECT_FALSE(Loop::registered(closed.fd));
  EXPECT_EQ(loop.registered_count(), 0u);
  FdProbe no_handlers(closed.fd.fd);
  EXPECT_EQ(loop.register_fd_try(no_handlers.fd), EBADF);

  FdPair good = FdPair::pipe();
  good.put();
  FdProbe reader(good.read_end);
  reader.want_in(note("in"));
  EXPECT_EQ(loop.register_fd_try(reader.fd), 0);
  EXPECT_EQ(loop.registered_count(), 1u);
  EXPECT_EQ(iterate(), std::vector<std::string>{"in"});
  loop.unregister_fd(reader.fd);
  FdProbe quiet(good.read_end);
  EXPECT_EQ(loop.register_fd_try(quiet.fd), 0);  // no handlers: checked, then nothing watched
  EXPECT_EQ(iterate(), std::vector<std::string>{});
  loop.unregister_fd(quiet.fd);
}

TEST_P(Fds, FD_004_unregister_stops_handlers_at_once_and_allows_close) {
  // [req:FD-004]
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end);
  reader.want_in(note("in"));
  loop.register_fd(reader.fd);
  EXPECT_EQ(iterate(), std::vector<std::string>{"in"});
  loop.unregister_fd(reader.fd);
  pipe.close_read();  // closing right after unregistering is fine on every backend
  TimerProbe keep_alive;
  keep_alive.timer.expires = at(1);
  loop.register_timer(keep_alive.timer);
  EXPECT_EQ(iterate(2), std::vector<std::string>{});
}

TEST_P(Fds, FD_004_a_handler_may_unregister_close_and_free_its_own_fd) {
  // [req:FD-004]
  FdPair pipe = FdPair::pipe();
  pipe.put();
  auto* reader = new FdProbe(pipe.read_end);
  reader->want_in([&] {
    log.push_back("in");
    loop.unregister_fd(reader->fd);
    pipe.close_read();
    delete reader;  // the loop must not touch it again
  });
  reader->fd.handler_out = FdProbe::on_out;  // a pipe's read end is never writable; harmless
  loop.register_fd(reader->fd);
  EXPECT_EQ(iterate(), std::vector<std::string>{"in"});
  EXPECT_EQ(loop.registered_count(), 0u);
}

TEST_P(Fds, FD_005_a_handler_set_later_on_a_ready_fd_fires) {
  // [req:FD-005]
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end);
  reader.in = note("in");
  loop.register_fd(reader.fd);
  EXPECT_EQ(iterate(), std::vector<std::string>{});
  TaskProbe setter([&] { loop.set_handler_in(reader.fd, FdProbe::on_in); });
  loop.register_task(setter.task);
  EXPECT_EQ(iterate(), std::vector<std::string>{"in"});  // same iteration: task, then poll
  loop.set_handler_in(reader.fd, nullptr);
  EXPECT_EQ(iterate(), std::vector<std::string>{});
  loop.set_handler_in(reader.fd, nullptr);  // unchanged: nothing to tell the backend
  loop.unregister_fd(reader.fd);
}

TEST_P(Fds, FD_006_readiness_is_level_triggered) {
  // [req:FD-006]
  FdPair pipe = FdPair::pipe();
  pipe.put();
  FdProbe reader(pipe.read_end);
  reader.want_in(note("in"));
  loop.register_fd(reader.fd);
  EXPECT_EQ(iterate(5), std::vector<std::string>(5, "in"));
  pipe.drain();
  EXPECT_EQ(iterate(2), std::vector<std::string>{});
  loop.unregister_fd(reader.fd);
}

TEST_P(Fds, FD_007_a_hung_up_socket_runs_err_then_in_then_out) {
  // [req:FD-007] [req:BACKEND-003]
  FdPair sockets = FdPair::sockets();
  FdProbe end(sockets.read_end);
  end.want_in(note("in")).want_out(note("out")).want_err(note("err"));
  loop.register_fd(end.fd);
  sockets.close_write();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"err", "in", "out"}));
  loop.unregister_fd(end.fd);
}

TEST_P(Fds, FD_007_handlers_are_read_at_call_time) {
  // [req:FD-007]
  FdPair sockets = FdPair::sockets();
  FdProbe end(sockets.read_end);
  end.want_in(note("in")).want_out(note("out"));
  end.want_err([&] {
    log.push_back("err");
    loop.set_handler_in(end.fd, nullptr);              // suppressed before its turn
    end.out = note("new out");                         // switching bodies: takes effect now
  });
  loop.register_fd(end.fd);
  sockets.close_write();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"err", "new out"}));
  loop.unregister_fd(end.fd);
}

TEST_P(Fds, FD_008_self_unregister_skips_the_remaining_handlers) {
  // [req:FD-008]
  FdPair sockets = FdPair::sockets();
  FdProbe end(sockets.read_end);
  end.want_in(note("in")).want_out(note("out"));
  end.want_err([&] { log.push_back("err"); loop.unregister_fd(end.fd); });
  loop.register_fd(end.fd);
  sockets.close_write();
  EXPECT_EQ(iterate(), std::vector<std::string>{"err"});
}

TEST_P(Fds, FD_008_unregistering_another_pending_fd_drops_its_callbacks) {
  // [req:FD-008] Whichever fd runs first unregisters the other; exactly one handler runs.
  FdPair a = FdPair::pipe();
  FdPair b = FdPair::pipe();
  a.put();
  b.put();
  FdProbe first(a.read_end);
  FdProbe second(b.read_end);
  first.want_in([&] { log.push_back("first"); loop.unregister_fd(second.fd); });
  second.want_in([&] { log.push_back("second"); loop.unregister_fd(first.fd); });
  loop.register_fd(first.fd);
  loop.register_fd(second.fd);
  EXPECT_EQ(iterate().size(), 1u);
  EXPECT_EQ(loop.registered_count(), 1u);
  if (Loop::registered(first.fd)) loop.unregister_fd(first.fd);
  if (Loop::registered(second.fd)) loop.unregister_fd(second.fd);
}

TEST_P(Fds, FD_008_another_fd_unregistered_and_freed_mid_round_is_never_touched) {
  // [req:FD-008] Run under ASan: touching the freed Fd would be a use after free.
  FdPair a = FdPair::pipe();
  FdPair b = FdPair::pipe();
  a.put();
  b.put();
  FdProbe* probes[2] = {new FdProbe(a.read_end), new FdProbe(b.read_end)};
  for (int i = 0; i < 2; ++i) {
    FdProbe*& other = probes[1 - i];
    probes[i]->want_in([this, i, &other] {
      log.push_back("ran " + std::to_string(i));
      loop.unregister_fd(other->fd);
      delete other;
      other = nullptr;
    });
    loop.register_fd(probes[i]->fd);
  }
  EXPECT_EQ(iterate().size(), 1u);
  for (FdProbe* survivor : probes) {
    if (survivor == nullptr) continue;
    loop.unregister_fd(survivor->fd);
    delete survivor;
  }
}

TEST_P(Fds, FD_008_fds_unregistered_mid_round_are_never_read_again_wherever_they_are_listed) {
  // [req:FD-008] The first handler to run unregisters every other ready fd and at once reuses
  // its memory (all bytes 0xff, as another object freed and allocated there might leave them).
  // With more fds than the ready list's first size (16) and its second, some were listed where
  // it grew; if unregistering any of them left its entry behind, the dispatch would read the
  // garbage and call a handler at address ~0, a crash even without ASan.
  constexpr int count = 40;
  std::vector<FdPair> pipes;
  std::vector<std::unique_ptr<FdProbe>> probes;
  int runner = -1;  // the fd whose handler ran first, the only one still registered after it
  for (int i = 0; i < count; ++i) {
    pipes.push_back(FdPair::pipe());
    pipes.back().put();
    probes.push_back(std::make_unique<FdProbe>(pipes.back().read_end));
  }
  for (int i = 0; i < count; ++i) {
    probes[i]->want_in([this, i, &probes, &runner] {
      log.push_back("ran " + std::to_string(i));
      if (runner >= 0) return;
      runner = i;
      for (int other = 0; other < count; ++other) {
        if (other == i) continue;
        loop.unregister_fd(probes[other]->fd);
        std::memset(static_cast<void*>(&probes[other]->fd), 0xff, sizeof(Fd));
      }
    });
    loop.register_fd(probes[i]->fd);
  }
  EXPECT_EQ(iterate().size(), 1u);
  EXPECT_EQ(loop.registered_count(), 1u);
  if (runner < 0)
    for (auto& probe : probes) loop.unregister_fd(probe->fd);
  else
    loop.unregister_fd(probes[runner]->fd);
}

TEST_P(Fds, FD_009_registration_sets_nonblocking_and_cloexec_and_keeps_them) {
  // [req:FD-009]
  FdPair pipe = FdPair::pipe();
  ASSERT_EQ(fcntl(pipe.read_end, F_GETFL) & O_NONBLOCK, 0);
  ASSERT_EQ(fcntl(pipe.read_end, F_GETFD) & FD_CLOEXEC, 0);
  FdProbe reader(pipe.read_end);
  errno = 0;
  loop.register_fd(reader.fd);
  EXPECT_EQ(errno, 0);
  EXPECT_NE(fcntl(pipe.read_end, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(pipe.read_end, F_GETFD) & FD_CLOEXEC, 0);
  loop.unregister_fd(reader.fd);
  EXPECT_NE(fcntl(pipe.read_end, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(pipe.read_end, F_GETFD) & FD_CLOEXEC, 0);
}

TEST_P(Fds, FD_010_closing_a_registered_fd_is_fatal_not_a_silent_spin) {
  // [req:FD-010] On the poll family at the next poll; on kqueue and the port backends at
  // unregister; epoll is told of no removal (FD-012), and the kernel dropped the interest with the
  // file, so the loop stays quiet: no spin, no callback, and unregistering is not fatal.
  if (traits().closed_fd == BackendTraits::ClosedFd::when_added) {
    FdPair pipe = FdPair::pipe();
    pipe.put();
    FdProbe reader(pipe.read_end);
    reader.want_in(note("in"));
    loop.register_fd(reader.fd);
    EXPECT_EQ(iterate(), (std::vector<std::string>{"in"}));
    pipe.close_read();
    EXPECT_EQ(iterate(2), (std::vector<std::string>{}));
    loop.unregister_fd(reader.fd);
    return;
  }
  const std::string message = test::fatal_message_of([&] {
    FdPair pipe = FdPair::pipe();
    FdProbe reader(pipe.read_end);
    reader.want_in([] {});
    loop.register_fd(reader.fd);
    loop.run_once(RunMode::nowait);
    pipe.close_read();
    loop.run_once(RunMode::nowait);
    loop.unregister_fd(reader.fd);
  });
  EXPECT_NE(message.find("was closed while registered"), std::string::npos) << message;
  EXPECT_EQ(message.rfind(GetParam() + " backend: fd ", 0), 0u) << message;
}

TEST_P(Fds, FD_011_fds_in_one_round_all_run_in_some_order) {
  // [req:FD-011] The order across fds is unspecified; each ready fd runs once per round.
  std::vector<FdPair> pipes;
  std::vector<std::unique_ptr<FdProbe>> probes;
  for (int i = 0; i < 5; ++i) {
    pipes.push_back(FdPair::pipe());
    pipes.back().put();
    probes.push_back(std::make_unique<FdProbe>(pipes.back().read_end));
    probes.back()->want_in(note(std::to_string(i)));
    loop.register_fd(probes.back()->fd);
  }
  auto seen = iterate();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  for (auto& probe : probes) loop.unregister_fd(probe->fd);
}

TEST_P(Fds, FD_011_pipe_write_end_with_reader_gone_runs_err_and_out) {
  // [req:FD-011] [req:BACKEND-003] (ivykis: err, out)
  FdPair pipe = FdPair::pipe();
  FdProbe writer(pipe.write_end);
  writer.want_out(note("out")).want_err(note("err"));
  loop.register_fd(writer.fd);
  pipe.close_read();
  EXPECT_EQ(iterate(), (std::vector<std::string>{"err", "out"}));
  loop.unregister_fd(writer.fd);
}

}  // namespace
}  // namespace refloop
