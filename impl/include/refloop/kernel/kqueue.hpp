// SPDX-License-Identifier: ISC
// kqueue(2) behind the kernel seam (refloop/kernel/syscalls.hpp): the KqueueCalls table, and the
// interface's C declarations. Where the system has <sys/event.h> (FreeBSD, macOS, OpenBSD,
// NetBSD) they are the system's own; elsewhere refloop declares `struct kevent` and the constants
// it uses itself, in namespace refloop::kernel, with the values and field order of the BSD
// headers, so code written against the C interface compiles unchanged on both.
//
// Code using the interface writes `struct kevent`, `EV_ADD`, `EVFILT_READ` unqualified, from
// inside refloop::kernel or after `using namespace refloop::kernel;` (natively the constants are
// the system's macros, so a qualified `kernel::EV_ADD` would not compile there). A header outside
// refloop::kernel writes `struct kernel::kevent`: an unqualified `struct kevent` there would
// declare a new, empty type of its own namespace.
#pragma once

#include <cstdint>
#include <ctime>

#if __has_include(<sys/event.h>)
#include <sys/types.h>
#include <sys/event.h>
#define REFLOOP_KERNEL_HAS_KQUEUE_HEADER 1
namespace refloop::kernel {
using ::kevent;  // so that `struct kernel::kevent` names the system's type in headers
}  // namespace refloop::kernel
#else
#define REFLOOP_KERNEL_HAS_KQUEUE_HEADER 0

namespace refloop::kernel {

// The fields of FreeBSD's, macOS's and OpenBSD's struct kevent that every one of them has.
struct kevent {
  std::uintptr_t ident;  // the fd, for the fd filters
  short filter;
  unsigned short flags;
  unsigned int fflags;
  std::intptr_t data;
  void* udata;  // passed through unchanged
};

// Filters.
inline constexpr short EVFILT_READ = -1;
inline constexpr short EVFILT_WRITE = -2;
// Flags given with a change.
inline constexpr unsigned short EV_ADD = 0x0001;
inline constexpr unsigned short EV_DELETE = 0x0002;
inline constexpr unsigned short EV_ENABLE = 0x0004;
inline constexpr unsigned short EV_DISABLE = 0x0008;
inline constexpr unsigned short EV_ONESHOT = 0x0010;
inline constexpr unsigned short EV_CLEAR = 0x0020;
inline constexpr unsigned short EV_RECEIPT = 0x0040;
inline constexpr unsigned short EV_DISPATCH = 0x0080;
// Flags the kernel sets on returned entries (and clears on entry).
inline constexpr unsigned short EV_SYSFLAGS = 0xF000;
inline constexpr unsigned short EV_ERROR = 0x4000;
inline constexpr unsigned short EV_EOF = 0x8000;

}  // namespace refloop::kernel
#endif

namespace refloop::kernel {

// kqueue(2) and kevent(2): the kqueue backend's calls.
class KqueueCalls {
 public:
  virtual int kqueue() = 0;
  virtual int kevent(int kq, const struct kevent* changes, int nchanges, struct kevent* events,
                     int nevents, const timespec* timeout) = 0;
  // True for a user-space emulation (model/os): a backend on such a table names itself with
  // "~emu" (spec/os.md, OS-003), and a native backend refuses it.
  [[nodiscard]] virtual bool emulated() const = 0;

 protected:
  ~KqueueCalls() = default;
};

}  // namespace refloop::kernel
