// SPDX-License-Identifier: ISC
// Solaris/illumos /dev/poll (poll(4D)) behind the kernel seam (refloop/kernel/syscalls.hpp): the
// DevpollCalls table, the argument type of ioctl(DP_POLL) and the constants the devpoll backend
// and its emulator (model/os/devpoll_emulator.hpp) use. Where the system has <sys/devpoll.h> these
// are the system's own; elsewhere refloop declares them with illumos's layout and values, so the
// backend compiles unchanged against the emulator. The constants carry refloop names because
// Linux's <poll.h> already defines a POLLREMOVE of its own (0x1000) with another meaning.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstddef>

#if __has_include(<sys/devpoll.h>)
#include <sys/devpoll.h>
#define REFLOOP_KERNEL_HAS_DEVPOLL_HEADER 1
#else
#define REFLOOP_KERNEL_HAS_DEVPOLL_HEADER 0
#endif

namespace refloop::kernel {

#if REFLOOP_KERNEL_HAS_DEVPOLL_HEADER
using dvpoll = ::dvpoll;
inline constexpr int dp_poll = DP_POLL;
inline constexpr int dp_ispolled = DP_ISPOLLED;
inline constexpr short pollremove = POLLREMOVE;
#else
// poll(4D): the set's ready entries are written to dp_fds, at most dp_nfds of them; dp_timeout
// is in milliseconds (-1: no timeout, 0: do not wait).
struct dvpoll {
  pollfd* dp_fds;
  int dp_nfds;
  int dp_timeout;
};
inline constexpr int dp_poll = 0xD001;      // DPIOC | 1
inline constexpr int dp_ispolled = 0xD002;  // DPIOC | 2
inline constexpr short pollremove = 0x0800;
#endif

// open(2) of "/dev/poll", write(2) of pollfd entries, and ioctl(2) with DP_POLL and DP_ISPOLLED.
// The set's descriptor is closed through the fd table (FdCalls::close), as any descriptor.
class DevpollCalls {
 public:
  virtual int open(const char* path, int flags) = 0;
  virtual ssize_t write(int fd, const void* buffer, std::size_t bytes) = 0;
  virtual int ioctl(int fd, int request, dvpoll* arg) = 0;  // DP_POLL
  virtual int ioctl(int fd, int request, pollfd* arg) = 0;  // DP_ISPOLLED
  // True for a user-space emulation (model/os): a backend on such a table names itself with
  // "~emu" (spec/os.md, OS-003), and the native backend refuses it.
  [[nodiscard]] virtual bool emulated() const = 0;

 protected:
  ~DevpollCalls() = default;
};

}  // namespace refloop::kernel
