// SPDX-License-Identifier: ISC
// The native kernel tables (refloop/kernel/syscalls.hpp): each member calls the OS function of
// the same name and nothing else. The epoll and timerfd tables are in native_epoll.cpp and
// native_timerfd.cpp, the kqueue table in native_kqueue.cpp, and the /dev/poll and event-port
// tables in native_devpoll.cpp and native_port.cpp, each built only where the system has the
// interface.
#include <fcntl.h>
#include <unistd.h>

#include "refloop/kernel/syscalls.hpp"

namespace refloop::kernel {

#if REFLOOP_HAVE_EPOLL
EpollCalls* native_epoll_calls();  // native_epoll.cpp
#endif
#if REFLOOP_HAVE_DEVPOLL
DevpollCalls* native_devpoll_calls();  // native_devpoll.cpp
#endif
#if REFLOOP_HAVE_PORT
PortCalls* native_port_calls();  // native_port.cpp
#endif
#if REFLOOP_HAVE_KQUEUE
KqueueCalls* native_kqueue_calls();  // native_kqueue.cpp
#endif
#if REFLOOP_HAVE_TIMERFD
TimerfdCalls* native_timerfd_calls();  // native_timerfd.cpp
#endif

namespace {

class NativePollCalls final : public PollCalls {
 public:
  int poll(pollfd* fds, nfds_t count, int timeout_ms) override {
    return ::poll(fds, count, timeout_ms);
  }
  int ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) override {
    return ::ppoll(fds, count, timeout, mask);
  }
  int select(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional,
             timeval* timeout) override {
    return ::select(nfds, readable, writable, exceptional, timeout);
  }
};

class NativeFdCalls final : public FdCalls {
 public:
  int fcntl(int fd, int command, int argument) override { return ::fcntl(fd, command, argument); }
  int close(int fd) override { return ::close(fd); }
  int getrlimit(int resource, rlimit* limit) override {
    return ::getrlimit(static_cast<__rlimit_resource_t>(resource), limit);
  }
};

SysCalls make_native_table() {
  static NativePollCalls poll_calls;
  static NativeFdCalls fd_calls;
  SysCalls table;
  table.poll = &poll_calls;
  table.fd = &fd_calls;
#if REFLOOP_HAVE_EPOLL
  table.epoll = native_epoll_calls();
#endif
#if REFLOOP_HAVE_DEVPOLL
  table.devpoll = native_devpoll_calls();
#endif
#if REFLOOP_HAVE_PORT
  table.port = native_port_calls();
#endif
#if REFLOOP_HAVE_KQUEUE
  table.kqueue = native_kqueue_calls();
#endif
#if REFLOOP_HAVE_TIMERFD
  table.timerfd = native_timerfd_calls();
#endif
  return table;
}

}  // namespace

const SysCalls& native_syscalls() {
  static const SysCalls table = make_native_table();  // the tables are stateless and immutable
  return table;
}

}  // namespace refloop::kernel
