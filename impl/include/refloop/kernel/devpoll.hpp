// SPDX-License-Identifier: ISC
// Solaris/illumos /dev/poll (poll(4D)): the argument type of ioctl(DP_POLL) and the constants the
// devpoll backend and its emulator (model/os/devpoll_emulator.hpp) use. Where the system has
// <sys/devpoll.h> these are the system's own; elsewhere refloop declares them with illumos's
// layout and values, so the backend compiles unchanged against the emulator. The constants carry
// refloop names because Linux's <poll.h> already defines a POLLREMOVE of its own (0x1000) with
// another meaning.
#pragma once

#include <poll.h>

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

}  // namespace refloop::kernel
