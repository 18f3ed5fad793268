// SPDX-License-Identifier: ISC
// An executable model of Solaris/illumos /dev/poll (poll(4D); spec/os.md OS-200..OS-299) behind
// the kernel seam's DevpollCalls table, for systems without it. Each open of "/dev/poll" is an
// independent interest set: a map from fd number to the OR of the events written for it. DP_POLL
// asks the real poll(2) of the table beneath (`underneath.poll`) about the real fds of the set,
// so readiness, POLLHUP, POLLERR and POLLNVAL are the real kernel's; the emulator adds only what
// /dev/poll adds: the cached set, OR-on-write, POLLREMOVE, the resumed (round-robin) scan, and
// the result layout. It keeps no clock: DP_POLL's timeout is poll(2)'s.
//
// Deterministic for a given sequence of calls and real fd states. Single-threaded, like the
// loop that uses it. A closed fd left in a set is reported as POLLNVAL, and a reused number is
// silently polled, exactly as poll(4D) documents (nothing to emulate: the real poll(2) beneath
// does it). Knob: interrupt_next_poll() makes the next DP_POLL fail with EINTR (OS-207).
#pragma once

#include <map>

#include "refloop/kernel/syscalls.hpp"

namespace refloop::model::os {

class DevpollEmulator final : public kernel::DevpollCalls {
 public:
  // `underneath` gives the real readiness (its poll table) and the fd limit and closes of other
  // fds (its fd table); it must outlive the emulator.
  explicit DevpollEmulator(const kernel::SysCalls& underneath) : underneath_(underneath) {}
  ~DevpollEmulator();
  DevpollEmulator(const DevpollEmulator&) = delete;
  DevpollEmulator& operator=(const DevpollEmulator&) = delete;

  int open(const char* path, int flags) override;
  ssize_t write(int fd, const void* buffer, std::size_t bytes) override;
  int ioctl(int fd, int request, kernel::dvpoll* arg) override;
  int ioctl(int fd, int request, pollfd* arg) override;
  int close(int fd) override;
  [[nodiscard]] bool emulated() const override { return true; }

  // Knob: the next DP_POLL returns -1 with EINTR before looking at the set (poll(4D) ERRORS).
  void interrupt_next_poll() { interrupt_next_poll_ = true; }
  // How many interest sets are open (each open until its close).
  [[nodiscard]] std::size_t open_sets() const { return sets_.size(); }

 private:
  struct InterestSet {
    std::map<int, short> events;  // fd number -> the OR of every mask written since its addition
    int last_reported = -1;       // the scan after a DP_POLL resumes past this fd number
  };

  [[nodiscard]] long open_max() const;
  int poll_set(InterestSet& set, kernel::dvpoll& request);

  kernel::SysCalls underneath_;
  std::map<int, InterestSet> sets_;  // keyed by the descriptor open() returned
  bool interrupt_next_poll_ = false;
};

}  // namespace refloop::model::os
