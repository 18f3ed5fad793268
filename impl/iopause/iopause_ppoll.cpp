// SPDX-License-Identifier: ISC
// iopause over ppoll(2), nanosecond timeouts (spec/iopause.md, IOPAUSE-040). The relative wait
// converts exactly; only a wait beyond what a time_t holds is clamped (IOPAUSE-015).
#include "iopause_steps.hpp"

namespace refloop {

int iopause_ppoll(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock) {
  return iopause_wait(IopauseImpl::ppoll, fds, deadline, stamp, clock, kernel::native_syscalls());
}

// implements: IOPAUSE-040
int detail::ppoll_step(std::span<iopause_fd> fds, const kernel::WaitPlan& plan,
                       const kernel::SysCalls& calls, ReventsForm form) {
  kernel::PollCalls& sys = *calls.poll;
  timespec storage{};
  const timespec* timeout = kernel::timeout_timespec(plan, storage);
  // The ready count (IOPAUSE-024), or -1.
  return poll_family_wait(
      fds, form, [&] { return sys.ppoll(fds.data(), fds.size(), timeout, nullptr); });
}

}  // namespace refloop
