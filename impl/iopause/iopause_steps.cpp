// SPDX-License-Identifier: ISC
// The steps shared by the three iopause implementations (spec/iopause.md, WAIT and REVENTS); the
// per-entry normalisation is inline in iopause_steps.hpp.
#include "iopause_steps.hpp"

#include <sys/resource.h>
#include <sys/select.h>

#include <cerrno>

namespace refloop::detail {

namespace {

constexpr short known_event_bits = iopause_read | iopause_write | iopause_except;

}  // namespace

// implements: IOPAUSE-011, IOPAUSE-025 (one pass: every revents is cleared, even after a bad
// entry)
int check_and_clear(std::span<iopause_fd> fds) {
  short unknown = 0;
  for (iopause_fd& entry : fds) {
    entry.revents = 0;
    unknown = static_cast<short>(unknown | (entry.events & ~known_event_bits));
  }
  if (unknown != 0) {
    errno = EINVAL;
    return -1;
  }
  return 0;
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
