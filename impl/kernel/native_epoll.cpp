// SPDX-License-Identifier: ISC
// The native epoll table (refloop/kernel/syscalls.hpp), built only where the system has epoll.
#include <sys/epoll.h>

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
};

}  // namespace

EpollCalls* native_epoll_calls() {
  static NativeEpollCalls calls;
  return &calls;
}

}  // namespace refloop::kernel
