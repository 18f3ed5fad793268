// SPDX-License-Identifier: ISC
// The steps shared by the three iopause implementations (spec/iopause.md, WAIT and REVENTS).
// Normalisation follows what Linux's own select() derives from a driver's poll mask: readable
// means POLLIN, POLLHUP or POLLERR; writable means POLLOUT or POLLERR. Mapping the poll family's
// answer through the same rule is what makes the three implementations agree.
#include "iopause_steps.hpp"

#include <sys/resource.h>
#include <sys/select.h>

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
int count_ready(std::span<const iopause_fd> fds) {
  int ready = 0;
  for (const iopause_fd& entry : fds) {
    if (entry.revents != 0) ++ready;
  }
  return ready;
}

// implements: IOPAUSE-042
bool fits_fd_set(std::span<const iopause_fd> fds) {
  for (const iopause_fd& entry : fds) {
    if (is_watched(entry) && entry.fd >= FD_SETSIZE) return false;
  }
  return true;
}

namespace {

// implements: IOPAUSE-026. The kernel's poll and ppoll refuse more entries than RLIMIT_NOFILE's
// soft limit with EINVAL themselves; select has no such limit, so for select the same length is
// refused here (one getrlimit per select wait; the poll family pays nothing). A limit that cannot
// be read refuses nothing.
bool longer_than_fd_limit(std::span<const iopause_fd> fds, kernel::FdCalls& sys) {
  if (fds.empty()) return false;
  const int saved_errno = errno;
  rlimit limit{};
  const bool known = sys.getrlimit(RLIMIT_NOFILE, &limit) == 0;
  errno = saved_errno;
  return known && limit.rlim_cur != RLIM_INFINITY && fds.size() > limit.rlim_cur;
}

// IOPAUSE-011, IOPAUSE-025, IOPAUSE-026, IOPAUSE-042: what is refused before the clock is asked
// anything.
int check_array(IopauseImpl which, std::span<iopause_fd> fds, const kernel::SysCalls& sys) {
  if (check_and_clear(fds) < 0) return -1;
  if (which == IopauseImpl::select && longer_than_fd_limit(fds, *sys.fd)) {
    errno = EINVAL;
    return -1;
  }
  if (which == IopauseImpl::select && !fits_fd_set(fds)) {
    errno = EMFILE;
    return -1;
  }
  return 0;
}

int step(IopauseImpl which, std::span<iopause_fd> fds, const kernel::WaitPlan& plan,
         const kernel::SysCalls& sys, ReventsForm form) {
  switch (which) {
    case IopauseImpl::ppoll: return ppoll_step(fds, plan, sys, form);
    case IopauseImpl::poll: return poll_step(fds, plan, sys, form);
    case IopauseImpl::select: return select_step(fds, plan, sys, form);
  }
  return ppoll_step(fds, plan, sys, form);  // unreachable for a valid enum value
}

}  // namespace

int wait(IopauseImpl which, std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
         Clock& clock, const kernel::SysCalls& sys, ReventsForm form) {
  if (check_array(which, fds, sys) < 0) return -1;
  const kernel::WaitPlan plan = kernel::plan_wait(deadline, stamp, clock);
  const int ready = step(which, fds, plan, sys, form);
  if (ready >= 0) kernel::finish_wait(plan, ready, clock);
  return ready;
}

int check_now(IopauseImpl which, std::span<iopause_fd> fds, const kernel::SysCalls& sys,
              ReventsForm form) {
  if (check_array(which, fds, sys) < 0) return -1;
  return step(which, fds, kernel::check_only(), sys, form);
}

}  // namespace refloop::detail
