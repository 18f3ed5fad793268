// SPDX-License-Identifier: ISC
// The world of the OS-emulator fuzz targets (kqueue_ops_run, devpoll_ops_run, port_ops_run;
// spec/os.md): a set of emulators on a simulated clock over the native tables, and four real
// non-blocking pipes whose eight ends the operations name by index. Ends are closed through the
// set's fd table (so the emulators hear of it, OS-001) and pipes reopened (so descriptor numbers
// are reused), bytes are put and drained, and real_revents gives the real poll(2) answer for one
// fd alone, which the targets' obvious models compare the emulators against.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "os/emulators.hpp"

namespace refloop::fuzz {

class EmulatorWorld {
 public:
  explicit EmulatorWorld(const char* target) : target_(target) {
    // A byte put into a pipe whose read end an operation closed must fail with EPIPE, not end the
    // target with SIGPIPE (which a fuzzer would report as a crash).
    std::signal(SIGPIPE, SIG_IGN);
    for (int c = 0; c < 4; ++c) open_pipe(c);
  }
  ~EmulatorWorld() {
    for (int placeholder : placeholders_) emulators.close(placeholder);
    for (int end : ends_)
      if (end >= 0) ::close(end);
  }
  EmulatorWorld(const EmulatorWorld&) = delete;
  EmulatorWorld& operator=(const EmulatorWorld&) = delete;

  // A disagreement with the model: the target aborts, naming itself and what differed.
  void require(bool holds, const char* what) const {
    if (holds) return;
    std::fprintf(stderr, "%s: %s\n", target_, what);
    std::abort();
  }
  // End e (0..7; pipe c has ends 2c, read, and 2c + 1, write), or -1 once closed.
  [[nodiscard]] int end(int e) const { return ends_[e]; }
  void put(int c, std::size_t bytes) const {
    if (ends_[2 * c + 1] < 0) return;
    [[maybe_unused]] const auto written = ::write(ends_[2 * c + 1], "xy", bytes);
  }
  void drain(int c) const {
    char buffer[16];
    if (ends_[2 * c] >= 0) while (::read(ends_[2 * c], buffer, sizeof buffer) > 0) {}
  }
  // Closes end e through the set's fd table; returns the number it had, or -1 if already closed.
  int close_end(int e) {
    const int fd = ends_[e];
    if (fd < 0) return -1;
    require(emulators.close(fd) == 0, "close through the set failed");
    ends_[e] = -1;
    return fd;
  }
  // A fresh pipe for channel c, whose ends the caller has closed: it takes the lowest free
  // numbers, often the ones just closed.
  void open_pipe(int c) {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK) != 0) return;
    ends_[2 * c] = fds[0];
    ends_[2 * c + 1] = fds[1];
  }
  // An emulated kqueue, /dev/poll set or port: a real placeholder descriptor (OS-005), closed
  // through the emulators when the world ends, or a long fuzzing run runs out of descriptors.
  int placeholder(int fd) {
    if (fd >= 0) placeholders_.push_back(fd);
    return fd;
  }
  static short real_revents(int fd, int events) {
    pollfd alone{fd, static_cast<short>(events), 0};
    return ::poll(&alone, 1, 0) > 0 ? alone.revents : short{0};
  }

  SimulatedClock clock{tain_epoch};
  os::Emulators emulators{kernel::native_syscalls(), &clock};

 private:
  const char* target_;
  int ends_[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  std::vector<int> placeholders_;
};

}  // namespace refloop::fuzz
