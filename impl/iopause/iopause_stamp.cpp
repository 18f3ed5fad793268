// SPDX-License-Identifier: ISC
// Choosing an implementation, iopause_stamp and deepsleepuntil (spec/iopause.md, sections
// IMPL and STAMP). iopause_stamp follows skalibs 2.15.1.0: it loops until something is ready, a
// real error happens, or the refreshed stamp has reached the deadline, so callers never see a
// 0 that came early (rounding, a clamped native timeout, a spurious wake-up).
#include <cerrno>

#include "iopause_steps.hpp"

namespace refloop {

// implements: IOPAUSE-004
iopause_func iopause_function(IopauseImpl which) {
  switch (which) {
    case IopauseImpl::ppoll: return &iopause_ppoll;
    case IopauseImpl::poll: return &iopause_poll;
    case IopauseImpl::select: return &iopause_select;
  }
  return &iopause_ppoll;  // unreachable for a valid enum value
}

const char* iopause_impl_name(IopauseImpl which) {
  switch (which) {
    case IopauseImpl::ppoll: return "ppoll";
    case IopauseImpl::poll: return "poll";
    case IopauseImpl::select: return "select";
  }
  return "?";
}

std::optional<IopauseImpl> iopause_impl_from_name(std::string_view name) {
  for (IopauseImpl which : {IopauseImpl::ppoll, IopauseImpl::poll, IopauseImpl::select}) {
    if (name == iopause_impl_name(which)) return which;
  }
  return std::nullopt;
}

int iopause_wait(IopauseImpl which, std::span<iopause_fd> fds, const tain* deadline,
                 const tain& stamp, Clock& clock, const kernel::SysCalls& sys) {
  return detail::wait(which, fds, deadline, stamp, clock, sys, detail::ReventsForm::normalised);
}

int iopause_stamp(std::span<iopause_fd> fds, const tain* deadline, tain& stamp, Clock& clock,
                  IopauseImpl which) {
  return iopause_stamp(fds, deadline, stamp, clock, which, kernel::native_syscalls());
}

// implements: IOPAUSE-030, IOPAUSE-031, IOPAUSE-032, IOPAUSE-033
int iopause_stamp(std::span<iopause_fd> fds, const tain* deadline, tain& stamp, Clock& clock,
                  IopauseImpl which, const kernel::SysCalls& sys) {
  const int entry_errno = errno;
  for (;;) {
    const int result = iopause_wait(which, fds, deadline, stamp, clock, sys);
    const int call_errno = errno;
    stamp = clock.now();
    if (result < 0 && call_errno != EINTR) {
      errno = call_errno;
      return -1;
    }
    if (result < 0) continue;  // EINTR: wait again for what is left, from the fresh stamp
    errno = entry_errno;
    if (result > 0) return result;
    if (deadline != nullptr && !(stamp < *deadline)) return 0;
  }
}

// implements: IOPAUSE-034
void deepsleepuntil(const tain& deadline, tain& stamp, Clock& clock, IopauseImpl which,
                    const kernel::SysCalls& sys) {
  while (stamp < deadline) (void)iopause_stamp({}, &deadline, stamp, clock, which, sys);
}

void deepsleepuntil(const tain& deadline, tain& stamp, Clock& clock, IopauseImpl which) {
  deepsleepuntil(deadline, stamp, clock, which, kernel::native_syscalls());
}

}  // namespace refloop
