// SPDX-License-Identifier: ISC
// The native epoll table (refloop/kernel/syscalls.hpp), built only where the system has epoll.
#include <sys/epoll.h>

#include <cerrno>

#include "refloop/kernel/syscalls.hpp"

namespace refloop::kernel {

namespace {

class NativeEpollCalls final : public EpollCalls {
 public:
  int epoll_create1(int flags) override { return ::epoll_create1(flags); }
  int epoll_ctl(int epfd, int op, int fd, epoll_event* event) override {
    return ::epoll_ctl(epfd, op, fd, event);
  }
  int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms) override {
    return ::epoll_wait(epfd, events, max_events, timeout_ms);
  }
  int epoll_pwait2(int epfd, epoll_event* events, int max_events, const timespec* timeout,
                   const sigset_t* mask) override {
#if REFLOOP_HAVE_EPOLL_PWAIT2
    return ::epoll_pwait2(epfd, events, max_events, timeout, mask);
#else
    // This C library has no wrapper (glibc < 2.35): the call is missing, as on a kernel < 5.11.
    static_cast<void>(epfd), static_cast<void>(events), static_cast<void>(max_events);
    static_cast<void>(timeout), static_cast<void>(mask);
    errno = ENOSYS;
    return -1;
#endif
  }
};

}  // namespace

EpollCalls* native_epoll_calls() {
  static NativeEpollCalls calls;
  return &calls;
}

}  // namespace refloop::kernel
