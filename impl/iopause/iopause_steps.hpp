// SPDX-License-Identifier: ISC
// The steps shared by the three iopause implementations (spec/iopause.md, sections WAIT and
// REVENTS): checking the entries, classifying what each entry asked for, normalising the kernel's
// answer, and counting. The wait itself (deadline - stamp through the Clock, the native timeout,
// the idle report) is the one wait path of refloop/kernel/wait_plan.hpp. Each implementation file
// only makes its native call, so the three cannot drift apart on anything else.
//
// The loop's pollfd backends use the same steps one level down: detail::wait with
// ReventsForm::raw leaves revents as the kernel reported them (POLLERR and POLLHUP included), so
// a backend learns the err band from the one wait instead of asking the kernel again.
#pragma once

#include <poll.h>

#include <cerrno>
#include <span>
#include <vector>

#include "refloop/iopause/iopause.hpp"
#include "refloop/kernel/wait_plan.hpp"

namespace refloop::detail {

// The per-entry helpers are defined here, inline, because every wait runs them once or twice
// per entry: a call into another file for each would cost more than the work itself.

// What an entry asks for, read from its events (IOPAUSE-010).
struct Interest {
  bool read = false;
  bool write = false;
  [[nodiscard]] bool any() const { return read || write; }
};
// implements: IOPAUSE-010
inline Interest interest_of(const iopause_fd& entry) {
  return Interest{(entry.events & POLLIN) != 0, (entry.events & POLLOUT) != 0};
}

// An entry the implementations look at: a non-negative fd asking for READ and/or WRITE.
inline bool is_watched(const iopause_fd& entry) {
  return entry.fd >= 0 && interest_of(entry).any();
}

// IOPAUSE-011: -1/EINVAL when an entry's events has bits outside READ|WRITE|EXCEPT; also clears
// every revents (IOPAUSE-025). Returns 0 when the array is acceptable.
int check_and_clear(std::span<iopause_fd> fds);

// Normalisation follows what Linux's own select() derives from a driver's poll mask: readable
// means POLLIN, POLLHUP or POLLERR; writable means POLLOUT or POLLERR. Mapping the poll family's
// answer through the same rule is what makes the three implementations agree.
inline constexpr short readable_bits = POLLIN | POLLHUP | POLLERR;
inline constexpr short writable_bits = POLLOUT | POLLERR;
inline constexpr short exception_bits = POLLHUP | POLLERR;

// The READ and WRITE classes an entry asked for that are ready.
inline short class_masks(Interest interest, bool readable, bool writable) {
  short revents = 0;
  if (interest.read && readable) revents |= iopause_read;
  if (interest.write && writable) revents |= iopause_write;
  return revents;
}

// implements: IOPAUSE-022. The normalised revents for a closed fd (POLLNVAL plus the classes
// asked for).
inline short revents_for_closed(const iopause_fd& entry) {
  return static_cast<short>(POLLNVAL | class_masks(interest_of(entry), true, true));
}

// implements: IOPAUSE-020, IOPAUSE-021, IOPAUSE-023. The normalised revents for an entry, from
// what a poll-family call reported.
inline short revents_from_poll(const iopause_fd& entry, short kernel_revents) {
  if (kernel_revents == 0) return 0;
  if ((kernel_revents & POLLNVAL) != 0) return revents_for_closed(entry);
  const short classes = class_masks(interest_of(entry), (kernel_revents & readable_bits) != 0,
                                    (kernel_revents & writable_bits) != 0);
  if (classes != 0) return classes;
  // An error or hangup that makes no requested class ready (a pipe's read end watched for
  // WRITE after the writer left): reported as it is, so the call does not return an empty
  // result before the deadline. select cannot see this (IOPAUSE-023).
  return static_cast<short>(kernel_revents & exception_bits);
}

// The normalised revents for an entry select found readable and/or writable.
inline short revents_from_select(const iopause_fd& entry, bool readable, bool writable) {
  return class_masks(interest_of(entry), readable, writable);
}

// What revents hold after a wait: skalibs' normalised classes (the iopause API), or what the
// kernel reported (poll and ppoll; select has only its read and write sets, reported as classes).
enum class ReventsForm { normalised, raw };

// The poll family's step 2 and 3 around `call` (which makes the native call on the array and
// returns its result): entries that are not watched are hidden from the kernel for the call by
// complementing their fd (poll ignores negative fds), then restored; revents are normalised
// unless the raw form was asked for.
// Returns count_ready's answer (IOPAUSE-024), counted in the same pass that normalises.
template <class NativeCall>
int poll_family_wait(std::span<iopause_fd> fds, ReventsForm form, NativeCall call) {
  std::vector<std::size_t> hidden;  // stays empty (no allocation) in the usual case
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].fd >= 0 && !interest_of(fds[i]).any()) {
      fds[i].fd = ~fds[i].fd;
      hidden.push_back(i);
    }
  }
  const int result = call();
  const int saved_errno = errno;
  for (std::size_t i : hidden) fds[i].fd = ~fds[i].fd;
  if (result < 0) {
    for (iopause_fd& entry : fds) entry.revents = 0;
    errno = saved_errno;
    return -1;
  }
  if (result == 0) return 0;  // poll left every revents at 0: nothing to normalise or count
  int ready = 0;
  for (iopause_fd& entry : fds) {
    if (form == ReventsForm::normalised) entry.revents = revents_from_poll(entry, entry.revents);
    if (entry.revents != 0) ++ready;
  }
  return ready;
}

// The native step of each implementation: one call through `sys` with the plan's timeout, on an
// array already checked; fills revents in `form` and returns count_ready, or -1 with errno (and
// every revents cleared).
int ppoll_step(std::span<iopause_fd> fds, const kernel::WaitPlan& plan,
               const kernel::SysCalls& sys, ReventsForm form);
int poll_step(std::span<iopause_fd> fds, const kernel::WaitPlan& plan, const kernel::SysCalls& sys,
              ReventsForm form);
int select_step(std::span<iopause_fd> fds, const kernel::WaitPlan& plan,
                const kernel::SysCalls& sys, ReventsForm form);

// One whole wait (iopause_wait is this with the normalised form): check the array, plan the wait
// through the clock, make the native step, report an idle wait to the clock.
int wait(IopauseImpl which, std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
         Clock& clock, const kernel::SysCalls& sys, ReventsForm form);
// A zero-timeout check of the array that no clock hears about.
int check_now(IopauseImpl which, std::span<iopause_fd> fds, const kernel::SysCalls& sys,
              ReventsForm form);

// IOPAUSE-024: the number of entries with non-zero revents.
int count_ready(std::span<const iopause_fd> fds);

// IOPAUSE-042: select refuses (EMFILE) an array with a watched fd at or above FD_SETSIZE.
bool fits_fd_set(std::span<const iopause_fd> fds);

}  // namespace refloop::detail
