// SPDX-License-Identifier: ISC
// The steps shared by the three iopause implementations (spec/iopause.md, sections WAIT and
// REVENTS): checking the entries, turning deadline - stamp into a relative wait through the
// Clock, classifying what each entry asked for, normalising the kernel's answer, and counting.
// Each implementation file only converts the relative wait into its native timeout and makes
// its call, so the three cannot drift apart on anything else.
#pragma once

#include <cerrno>
#include <optional>
#include <span>
#include <vector>

#include "refloop/iopause/iopause.hpp"

namespace refloop::detail {

// What an entry asks for, read from its events (IOPAUSE-010).
struct Interest {
  bool read = false;
  bool write = false;
  [[nodiscard]] bool any() const { return read || write; }
};
Interest interest_of(const iopause_fd& entry);

// An entry the implementations look at: a non-negative fd asking for READ and/or WRITE.
bool is_watched(const iopause_fd& entry);

// IOPAUSE-011: -1/EINVAL when an entry's events has bits outside READ|WRITE|EXCEPT; also clears
// every revents (IOPAUSE-025). Returns 0 when the array is acceptable.
int check_and_clear(std::span<iopause_fd> fds);

// The relative wait a call should make (IOPAUSE-012..015).
struct WaitPlan {
  std::optional<tain> timeout;  // what the native call may block; nullopt = no timeout
  tain idle;                    // what to tell clock.waited_idle() if nothing was ready
};
WaitPlan plan_wait(const tain* deadline, const tain& stamp, Clock& clock);

// IOPAUSE-020..023: the normalised revents for an entry, from what a poll-family call reported.
short revents_from_poll(const iopause_fd& entry, short kernel_revents);
// The normalised revents for a closed fd (POLLNVAL plus the classes asked for).
short revents_for_closed(const iopause_fd& entry);
// The normalised revents for an entry select found readable and/or writable.
short revents_from_select(const iopause_fd& entry, bool readable, bool writable);

// The poll family's step 2 and 3 around `call` (which makes the native call on the array and
// returns its result): entries that are not watched are hidden from the kernel for the call by
// complementing their fd (poll ignores negative fds), then restored; revents are normalised.
template <class NativeCall>
int poll_family_wait(std::span<iopause_fd> fds, NativeCall call) {
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
  for (iopause_fd& entry : fds) entry.revents = revents_from_poll(entry, entry.revents);
  return result;
}

// The three implementations through a given kernel table (the public functions pass the native
// one; iopause_wait dispatches here).
int ppoll_wait(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock,
               const kernel::SysCalls& sys);
int poll_wait(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock,
              const kernel::SysCalls& sys);
int select_wait(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock,
                const kernel::SysCalls& sys);

// IOPAUSE-024: the number of entries with non-zero revents; tells the clock about an idle wait.
int finish(std::span<const iopause_fd> fds, const WaitPlan& plan, Clock& clock);

}  // namespace refloop::detail
