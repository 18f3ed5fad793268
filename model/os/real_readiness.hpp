// SPDX-License-Identifier: ISC
// The real readiness underneath every OS emulator of model/os (spec/os.md, OS-001..OS-099): an
// emulator keeps its interest sets in user space and asks the real kernel, through the seam's
// poll table, which of the real fds are ready. This helper is the one place an emulator waits, so
// every emulator waits the same way: one ppoll(2) underneath, as long as the clock allows
// (OS-004), interrupted on purpose by the EINTR knob (OS-002).
#pragma once

#include <poll.h>

#include <ctime>
#include <span>

#include "refloop/kernel/syscalls.hpp"
#include "refloop/time/clock.hpp"

namespace refloop::os {

class RealReadiness {
 public:
  // `underneath` must have the poll and fd tables and outlive this helper. `clock` may be null:
  // the timeout then passes to ppoll unchanged (real time); otherwise the clock decides how long
  // ppoll may block and hears about a wait that found nothing, as any refloop waiter does.
  RealReadiness(const kernel::SysCalls& underneath, Clock* clock)
      : underneath_(underneath), clock_(clock) {}

  // Waits until at least one of `fds` is ready or `timeout` has passed (null: no timeout) and
  // returns ppoll's answer: the number of entries with revents, 0, or -1 with errno. When the
  // EINTR knob fires it returns -1/EINTR at once, before waiting.
  int wait(std::span<pollfd> fds, const timespec* timeout);
  // A zero-timeout look: never interrupted by the knob, never reported to the clock.
  int look(std::span<pollfd> fds);
  // Whether `fd` is an open descriptor now (fcntl(F_GETFD) underneath).
  bool is_open(int fd);

  // The EINTR knob (OS-002): the nth wait() from now returns -1/EINTR; 0 disarms it.
  void interrupt_wait(unsigned nth = 1) { interrupt_countdown_ = nth; }

  [[nodiscard]] const kernel::SysCalls& underneath() const { return underneath_; }

 private:
  bool knob_fires();

  kernel::SysCalls underneath_;
  Clock* clock_;
  unsigned interrupt_countdown_ = 0;
};

}  // namespace refloop::os

namespace refloop::os {

// An emulated kernel object (a kqueue, a /dev/poll set, an event port) is a real descriptor open
// on /dev/null (OS-005): its number is unique in the process, no real fd can take it while it
// lives, and closing it releases it. Returns the descriptor, or -1 with errno from open(2).
int open_placeholder_descriptor();

}  // namespace refloop::os
