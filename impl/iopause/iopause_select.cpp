// SPDX-License-Identifier: ISC
// iopause over select(2), microsecond timeouts (spec/iopause.md, IOPAUSE-042..044). The relative
// wait rounds UP to the microsecond (skalibs rounds to nearest and can wake 500 ns early). An fd
// at or above FD_SETSIZE is refused with EMFILE before any FD_SET. select fails as a whole with
// EBADF on a closed fd (and ignores one beyond the fd table); this file finds the closed fds and
// reports them as poll would (POLLNVAL), checking the others without waiting, so all three agree.
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <limits>

#include "iopause_steps.hpp"

namespace refloop {

namespace {

// implements: IOPAUSE-043
timeval native_timeout(const tain& relative) {
  const auto rounded_up = timeval_from_tain_relative(relative);
  if (rounded_up) return *rounded_up;
  return timeval{std::numeric_limits<time_t>::max(), 999'999};
}

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

// implements: IOPAUSE-044. Linux's select ignores a set bit beyond the process's fd table instead
// of failing with EBADF, so such a closed fd would never be reported. The table always covers the
// first BITS_PER_LONG fds (its initial size; it only grows), where select's own EBADF is enough,
// so only fds from there on are checked before the call. True when one was closed.
bool mark_closed_beyond_small_table(std::span<iopause_fd> fds, kernel::FdCalls& sys) {
  constexpr int always_in_fd_table = static_cast<int>(sizeof(long) * CHAR_BIT);
  const int saved_errno = errno;
  bool found = false;
  for (iopause_fd& entry : fds) {
    if (!detail::is_watched(entry) || entry.fd < always_in_fd_table) continue;
    if (sys.fcntl(entry.fd, F_GETFD, 0) < 0 && errno == EBADF) {
      entry.revents = detail::revents_for_closed(entry);
      found = true;
    }
  }
  errno = saved_errno;
  return found;
}

// implements: IOPAUSE-042
bool fits_fd_set(std::span<const iopause_fd> fds) {
  return std::none_of(fds.begin(), fds.end(), [](const iopause_fd& entry) {
    return detail::is_watched(entry) && entry.fd >= FD_SETSIZE;
  });
}

}  // namespace

int iopause_select(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
                   Clock& clock) {
  return detail::select_wait(fds, deadline, stamp, clock, kernel::native_syscalls());
}

int detail::select_wait(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
                        Clock& clock, const kernel::SysCalls& sys) {
  if (detail::check_and_clear(fds) < 0) return -1;
  if (!fits_fd_set(fds)) {
    errno = EMFILE;
    return -1;
  }
  const detail::WaitPlan plan = detail::plan_wait(deadline, stamp, clock);
  timeval timeout{};
  if (plan.timeout) timeout = native_timeout(*plan.timeout);
  timeval no_wait{0, 0};  // a closed fd is ready: check the others without waiting
  const bool closed_found = mark_closed_beyond_small_table(fds, *sys.fd);
  int result =
      select_once(fds, closed_found ? &no_wait : plan.timeout ? &timeout : nullptr, *sys.poll);
  if (result < 0 && errno == EBADF) result = report_closed_fds(fds, sys);
  if (result < 0) {
    const int saved_errno = errno;
    for (iopause_fd& entry : fds) entry.revents = 0;
    errno = saved_errno;
    return -1;
  }
  return detail::finish(fds, plan, clock);
}

}  // namespace refloop
