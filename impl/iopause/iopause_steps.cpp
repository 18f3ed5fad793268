// SPDX-License-Identifier: ISC
// The steps shared by the three iopause implementations (spec/iopause.md, WAIT and REVENTS).
// Normalisation follows what Linux's own select() derives from a driver's poll mask: readable
// means POLLIN, POLLHUP or POLLERR; writable means POLLOUT or POLLERR. Mapping the poll family's
// answer through the same rule is what makes the three implementations agree.
#include "iopause_steps.hpp"

#include <cerrno>

namespace refloop::detail {

namespace {

constexpr short known_event_bits = iopause_read | iopause_write | iopause_except;
constexpr short readable_bits = POLLIN | POLLHUP | POLLERR;
constexpr short writable_bits = POLLOUT | POLLERR;
constexpr short exception_bits = POLLHUP | POLLERR;

short class_masks(Interest interest, bool readable, bool writable) {
  short revents = 0;
  if (interest.read && readable) revents |= iopause_read;
  if (interest.write && writable) revents |= iopause_write;
  return revents;
}

}  // namespace

// implements: IOPAUSE-010
Interest interest_of(const iopause_fd& entry) {
  return Interest{(entry.events & POLLIN) != 0, (entry.events & POLLOUT) != 0};
}

bool is_watched(const iopause_fd& entry) { return entry.fd >= 0 && interest_of(entry).any(); }

// implements: IOPAUSE-011, IOPAUSE-025
int check_and_clear(std::span<iopause_fd> fds) {
  for (iopause_fd& entry : fds) entry.revents = 0;
  for (const iopause_fd& entry : fds) {
    if ((entry.events & ~known_event_bits) != 0) {
      errno = EINVAL;
      return -1;
    }
  }
  return 0;
}

// implements: IOPAUSE-012, IOPAUSE-013, IOPAUSE-014. The clock decides how long the kernel may
// really block (a simulated clock says 0); "forever" is tain_infinite_relative to the clock.
WaitPlan plan_wait(const tain* deadline, const tain& stamp, Clock& clock) {
  if (deadline == nullptr) {
    const tain allowed = clock.kernel_timeout(tain_infinite_relative);
    if (allowed >= tain_infinite_relative) return WaitPlan{std::nullopt, tain_infinite_relative};
    return WaitPlan{allowed, tain_infinite_relative};
  }
  const tain wanted = stamp < *deadline ? *deadline - stamp : tain_zero;
  return WaitPlan{clock.kernel_timeout(wanted), wanted};
}

// implements: IOPAUSE-020, IOPAUSE-021, IOPAUSE-023
short revents_from_poll(const iopause_fd& entry, short kernel_revents) {
  if ((kernel_revents & POLLNVAL) != 0) return revents_for_closed(entry);
  const short classes = class_masks(interest_of(entry), (kernel_revents & readable_bits) != 0,
                                    (kernel_revents & writable_bits) != 0);
  if (classes != 0) return classes;
  // An error or hangup that makes no requested class ready (a pipe's read end watched for
  // WRITE after the writer left): reported as it is, so the call does not return an empty
  // result before the deadline. select cannot see this (IOPAUSE-023).
  return static_cast<short>(kernel_revents & exception_bits);
}

// implements: IOPAUSE-022
short revents_for_closed(const iopause_fd& entry) {
  return static_cast<short>(POLLNVAL | class_masks(interest_of(entry), true, true));
}

short revents_from_select(const iopause_fd& entry, bool readable, bool writable) {
  return class_masks(interest_of(entry), readable, writable);
}

// implements: IOPAUSE-024
int finish(std::span<const iopause_fd> fds, const WaitPlan& plan, Clock& clock) {
  int ready = 0;
  for (const iopause_fd& entry : fds) {
    if (entry.revents != 0) ++ready;
  }
  if (ready == 0) clock.waited_idle(plan.idle);
  return ready;
}

}  // namespace refloop::detail
