// SPDX-License-Identifier: ISC
// iopause over select(2), microsecond timeouts (spec/iopause.md, IOPAUSE-042..044). The relative
// wait rounds UP to the microsecond (skalibs rounds to nearest and can wake 500 ns early). An fd
// at or above FD_SETSIZE is refused with EMFILE before any FD_SET (detail::wait checks it). select fails as a whole with
// EBADF on a closed fd (and ignores one beyond the fd table); this file finds the closed fds and
// reports them as poll would (POLLNVAL), checking the others without waiting, so all three agree.
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "iopause_steps.hpp"

namespace refloop {

namespace {

// Entries select should look at: watched, and not already found closed (revents still 0).
bool takes_part(const iopause_fd& entry) { return detail::is_watched(entry) && entry.revents == 0; }

// One select() over the entries that take part; fills their revents. Returns select's result.
int select_once(std::span<iopause_fd> fds, timeval* timeout, kernel::PollCalls& sys) {
  fd_set readable;
  fd_set writable;
  FD_ZERO(&readable);
  FD_ZERO(&writable);
  int nfds = 0;
  for (const iopause_fd& entry : fds) {
    if (!takes_part(entry)) continue;
    const detail::Interest interest = detail::interest_of(entry);
    if (interest.read) FD_SET(entry.fd, &readable);
    if (interest.write) FD_SET(entry.fd, &writable);
    nfds = std::max(nfds, entry.fd + 1);
  }
  const int result = sys.select(nfds, &readable, &writable, nullptr, timeout);
  if (result <= 0) return result;
  for (iopause_fd& entry : fds) {
    if (!takes_part(entry)) continue;
    entry.revents = detail::revents_from_select(entry, FD_ISSET(entry.fd, &readable) != 0,
                                                FD_ISSET(entry.fd, &writable) != 0);
  }
  return result;
}

// implements: IOPAUSE-044. After select's EBADF: mark each closed fd, then check the rest
// without waiting (the closed ones make the call return at once, as with poll).
int report_closed_fds(std::span<iopause_fd> fds, const kernel::SysCalls& sys) {
  bool found = false;
  for (iopause_fd& entry : fds) {
    if (!detail::is_watched(entry)) continue;
    if (sys.fd->fcntl(entry.fd, F_GETFD, 0) < 0 && errno == EBADF) {
      entry.revents = detail::revents_for_closed(entry);
      found = true;
    }
  }
  if (!found) {
    errno = EBADF;
    return -1;
  }
  timeval no_wait{0, 0};
  return select_once(fds, &no_wait, *sys.poll);
}

// The largest watched fd at or above `floor` that has not been found closed yet, or -1.
int highest_unmarked_fd(std::span<const iopause_fd> fds, int floor) {
  int highest = -1;
  for (const iopause_fd& entry : fds)
    if (takes_part(entry) && entry.fd >= floor) highest = std::max(highest, entry.fd);
  return highest;
}

// implements: IOPAUSE-044. Linux's select ignores a set bit beyond the process's fd table instead
// of failing with EBADF, so such a closed fd would never be reported. The table always covers the
// first BITS_PER_LONG fds (its initial size), and it covers every open fd, so one open fd covers
// every fd below it: only the highest watched fd needs a check before the call (one fcntl per
// wait, not one per fd), and the next one down only when that was closed. Below the first open
// one, select's own EBADF is enough. True when one was closed.
bool mark_closed_beyond_small_table(std::span<iopause_fd> fds, kernel::FdCalls& sys) {
  constexpr int always_in_fd_table = static_cast<int>(sizeof(long) * CHAR_BIT);
  const int saved_errno = errno;
  bool found = false;
  for (int fd = highest_unmarked_fd(fds, always_in_fd_table); fd >= 0;
       fd = highest_unmarked_fd(fds, always_in_fd_table)) {
    if (sys.fcntl(fd, F_GETFD, 0) >= 0 || errno != EBADF) break;
    for (iopause_fd& entry : fds)
      if (takes_part(entry) && entry.fd == fd) entry.revents = detail::revents_for_closed(entry);
    found = true;
  }
  errno = saved_errno;
  return found;
}

}  // namespace

int iopause_select(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
                   Clock& clock) {
  return iopause_wait(IopauseImpl::select, fds, deadline, stamp, clock, kernel::native_syscalls());
}

// implements: IOPAUSE-043 (the plan's timeout rounded up to the microsecond). select has no raw
// form beyond its read and write sets: `form` changes nothing here.
int detail::select_step(std::span<iopause_fd> fds, const kernel::WaitPlan& plan,
                        const kernel::SysCalls& sys, ReventsForm /*form*/) {
  timeval storage{};
  timeval* timeout = kernel::timeout_timeval(plan, storage);
  timeval no_wait{0, 0};  // a closed fd is ready: check the others without waiting
  const bool closed_found = mark_closed_beyond_small_table(fds, *sys.fd);
  int result = select_once(fds, closed_found ? &no_wait : timeout, *sys.poll);
  if (result < 0 && errno == EBADF) result = report_closed_fds(fds, sys);
  if (result < 0) {
    const int saved_errno = errno;
    for (iopause_fd& entry : fds) entry.revents = 0;
    errno = saved_errno;
    return -1;
  }
  return count_ready(fds);
}

}  // namespace refloop
