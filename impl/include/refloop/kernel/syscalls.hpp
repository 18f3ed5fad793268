// SPDX-License-Identifier: ISC
// The kernel seam: every system call that impl/backend and impl/iopause make goes through one of
// these tables, one per OS interface (ivykis's method-table idea applied to the kernel). Members
// keep the real call names and argument lists, so a backend reads `sys.epoll_ctl(...)` where it
// would have read `epoll_ctl(...)`, with errno set exactly as the real call sets it.
//
// The contract:
//   - A table is an object implementing one interface. kernel::native_syscalls() points at the
//     process-wide native tables, which call the OS and nothing else; a native table exists only
//     where the OS has the interface (its pointer is null elsewhere).
//   - Anything else (a test spy, an OS emulator, a fault injector wrapping another table) is
//     another implementation, given to a loop through LoopOptions::sys or to one iopause call
//     through the overloads taking a SysCalls. No link-time interposition is needed for refloop's
//     own calls (it is still how tests watch a foreign library such as libskarnet).
//   - Ownership: the caller owns every table and must keep it alive, unchanged, for as long as
//     any loop or call that was given it may use it. refloop never copies, frees or mutates a
//     table; it only calls its members, from the thread that runs the loop or the iopause call.
//   - Who calls what: only impl/backend (through its backend objects) and impl/iopause call
//     these members; the loop core (impl/loop) never makes a system call of its own (FD-009's
//     fcntl is the backends' prepare_flags; ci/kernel-seam checks impl/loop too).
//   - A member returns what the real call returns and reports errors in errno; an emulator must
//     follow the same documented contract (POSIX or the OS manual), so an emulated result is
//     indistinguishable to the caller, but never presented as native (kernel::native_syscalls
//     is the only source of native tables).
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>

#include <ctime>

#if __has_include(<sys/epoll.h>)
#include <sys/epoll.h>
#define REFLOOP_KERNEL_HAS_EPOLL_HEADER 1
#else
#define REFLOOP_KERNEL_HAS_EPOLL_HEADER 0
#endif

#if __has_include(<sys/timerfd.h>)
#include <sys/timerfd.h>
#define REFLOOP_KERNEL_HAS_TIMERFD_HEADER 1
#else
#define REFLOOP_KERNEL_HAS_TIMERFD_HEADER 0
#endif

namespace refloop::kernel {

// poll(2), ppoll(2) and select(2): the pollfd family that impl/iopause waits with.
class PollCalls {
 public:
  virtual int poll(pollfd* fds, nfds_t count, int timeout_ms) = 0;
  virtual int ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) = 0;
  virtual int select(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional,
                     timeval* timeout) = 0;

 protected:
  ~PollCalls() = default;
};

// Calls on one descriptor: fcntl(2) (only the int-argument commands, such as F_GETFD) and close(2).
class FdCalls {
 public:
  virtual int fcntl(int fd, int command, int argument) = 0;
  virtual int close(int fd) = 0;
  // getrlimit(2): iopause compares an array's length with RLIMIT_NOFILE (IOPAUSE-026).
  virtual int getrlimit(int resource, rlimit* limit) = 0;

 protected:
  ~FdCalls() = default;
};

#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
// epoll(7): the epoll backend's calls.
class EpollCalls {
 public:
  virtual int epoll_create1(int flags) = 0;
  virtual int epoll_ctl(int epfd, int op, int fd, epoll_event* event) = 0;
  virtual int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms) = 0;
  // epoll_pwait2(2) (Linux 5.11): epoll_wait with a timespec timeout. The native table reports
  // ENOSYS when the C library has no wrapper for it, as a kernel without it does.
  virtual int epoll_pwait2(int epfd, epoll_event* events, int max_events, const timespec* timeout,
                           const sigset_t* mask) = 0;

 protected:
  ~EpollCalls() = default;
};
#else
class EpollCalls;  // declared where <sys/epoll.h> exists; the pointer below stays null elsewhere
#endif

#if REFLOOP_KERNEL_HAS_TIMERFD_HEADER
// timerfd_create(2): the epoll-timerfd backend's kernel timer.
class TimerfdCalls {
 public:
  virtual int timerfd_create(int clock_id, int flags) = 0;
  virtual int timerfd_settime(int fd, int flags, const itimerspec* new_value,
                              itimerspec* old_value) = 0;

 protected:
  ~TimerfdCalls() = default;
};
#else
class TimerfdCalls;  // declared where <sys/timerfd.h> exists; the pointer below stays null elsewhere
#endif
// Solaris/illumos /dev/poll (poll(4D)) and event ports (port_create(3C)): the devpoll and port
// backends' calls (refloop/kernel/devpoll.hpp, refloop/kernel/port.hpp). Native only where the
// system has them; everywhere, an emulation from model/os can fill the slot.
class DevpollCalls;
class PortCalls;
// kqueue(2): the kqueue backend's calls (refloop/kernel/kqueue.hpp). Native only where the system
// has <sys/event.h>; everywhere, an emulation from model/os can fill the slot.
class KqueueCalls;

// One table per interface; a null pointer means "this system has no such interface", and a
// backend needing it is then not available (make_backend returns nullptr).
struct SysCalls {
  PollCalls* poll = nullptr;
  FdCalls* fd = nullptr;
  EpollCalls* epoll = nullptr;
  DevpollCalls* devpoll = nullptr;
  PortCalls* port = nullptr;
  KqueueCalls* kqueue = nullptr;
  TimerfdCalls* timerfd = nullptr;
};

// The native tables of this system (impl/kernel/native*.cpp), valid for the whole process.
const SysCalls& native_syscalls();

}  // namespace refloop::kernel
