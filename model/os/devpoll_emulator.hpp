// SPDX-License-Identifier: ISC
// Solaris/illumos /dev/poll (poll(4D)) in user space (spec/os.md, OS-200..OS-299): a
// deterministic executable model behind the seam's DevpollCalls table, over the real readiness of
// real fds (RealReadiness: poll underneath). Each open of "/dev/poll" is an independent interest
// set: a map from fd number to the OR of the events written for it. DP_POLL asks the real poll(2)
// about the real fds of the set, so readiness, POLLHUP, POLLERR and POLLNVAL are the real
// kernel's; the emulator adds only what /dev/poll adds: the cached set, OR-on-write, POLLREMOVE,
// the resumed (round-robin) scan, and the result layout.
//
// A closed fd left in a set is reported as POLLNVAL, and a reused number is silently polled,
// exactly as poll(4D) documents: the real poll(2) beneath does both, so /dev/poll has no fidelity
// gap (OS-210). Not reproduced: the EACCES of a forked child, the rounding of a timeout to a
// clock tick, and the illumos extensions POLLET, POLLONESHOT, DP_PPOLL and DP_EPOLLCOMPAT.
#pragma once

#include <map>

#include "os/real_readiness.hpp"
#include "refloop/kernel/devpoll.hpp"
#include "refloop/kernel/syscalls.hpp"

namespace refloop::os {

class DevpollEmulator final : public kernel::DevpollCalls {
 public:
  explicit DevpollEmulator(RealReadiness& readiness) : readiness_(readiness) {}

  int open(const char* path, int flags) override;
  ssize_t write(int fd, const void* buffer, std::size_t bytes) override;
  int ioctl(int fd, int request, kernel::dvpoll* arg) override;
  int ioctl(int fd, int request, pollfd* arg) override;
  [[nodiscard]] bool emulated() const override { return true; }

  // close(fd) happened: if fd was a set, the set goes; any other fd stays in every set that holds
  // it (poll(4D) NOTES). Returns whether it was a set.
  bool closed(int fd);
  // How many interest sets are open: for tests.
  [[nodiscard]] std::size_t open_sets() const { return sets_.size(); }

 private:
  struct InterestSet {
    std::map<int, short> events;  // fd number -> the OR of every mask written since its addition
    int last_reported = -1;       // the next scan resumes past this fd number
  };

  [[nodiscard]] long open_max() const;
  int poll_set(InterestSet& set, kernel::dvpoll& request);

  RealReadiness& readiness_;
  std::map<int, InterestSet> sets_;  // keyed by the descriptor open() returned
};

}  // namespace refloop::os
