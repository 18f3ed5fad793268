// SPDX-License-Identifier: ISC
// iopause: wait on a pollfd-like array until an ABSOLUTE deadline, given a stamp that says what
// time it is now (the skalibs model). Requirements: spec/iopause.md. Three implementations
// (ppoll, poll, select) share one contract: the same deadline arithmetic, the same normalised
// revents, the same return count; iopause_stamp adds EINTR handling, the stamp refresh and the
// "0 only at the deadline" rule. Time comes only from the injected Clock (CLOCK-007).
//
// How an event-loop backend should use this (one path for both layers):
//   - keep a std::vector<iopause_fd> of the fds it watches, events = iopause_read and/or
//     iopause_write (entries asking for neither are ignored, like negative fds);
//   - per iteration call iopause_function(which)(fds, deadline_or_nullptr, stamp, clock) for a
//     single wait (or iopause_stamp(...) to also get EINTR retry, the stamp refresh and the
//     no-early-timeout loop); nullptr deadline = wait forever;
//   - result > 0: scan revents: `revents & iopause_read` -> run the read handler, `& iopause_write`
//     -> the write handler, `& POLLNVAL` -> the fd was not open (a caller bug);
//     result == 0: nothing ready (after a single call the deadline may not have been reached if
//     the native timeout was clamped; re-read the clock); -1: errno (EINTR, EINVAL, EMFILE, ...).
// Nothing here keeps global state: every call is independent and works with any Clock. Every
// system call goes through a kernel::SysCalls table (refloop/kernel/syscalls.hpp): the overloads
// without one use kernel::native_syscalls(); the others use the table given, which needs `poll`
// (all three) and `fd` (select, for fcntl).
#pragma once

#include <poll.h>

#include <optional>
#include <span>
#include <string_view>

#include "refloop/kernel/syscalls.hpp"
#include "refloop/time/clock.hpp"
#include "refloop/time/tain.hpp"

namespace refloop {

// [IOPAUSE-001] The very struct pollfd: int fd; short events; short revents.
using iopause_fd = pollfd;

// [IOPAUSE-002] Interest and result masks, the values of skalibs' IOPAUSE_READ/WRITE/EXCEPT (the
// C API <skalibs/iopause.h> defines those macro names; C++ uses these constants so the two
// headers can be included together).
inline constexpr short iopause_read = POLLIN | POLLHUP;
inline constexpr short iopause_write = POLLOUT;
inline constexpr short iopause_except = POLLERR | POLLHUP | POLLNVAL;

// [IOPAUSE-003] The three implementations.
enum class IopauseImpl { ppoll, poll, select };
inline constexpr IopauseImpl iopause_default_impl = IopauseImpl::ppoll;

// One wait. Returns the number of entries with non-zero revents, 0 when nothing was ready, -1
// with errno. `deadline` nullptr waits forever; *deadline <= stamp is a non-blocking check.
using iopause_func = int (*)(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp,
                             Clock& clock);

int iopause_ppoll(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock);
int iopause_poll(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock);
int iopause_select(std::span<iopause_fd> fds, const tain* deadline, const tain& stamp, Clock& clock);

// One wait with the implementation `which`, through the kernel table `sys` instead of the
// native one.
int iopause_wait(IopauseImpl which, std::span<iopause_fd> fds, const tain* deadline,
                 const tain& stamp, Clock& clock, const kernel::SysCalls& sys);

// [IOPAUSE-004] Picking an implementation explicitly, by enum or by name ("ppoll", "poll",
// "select").
iopause_func iopause_function(IopauseImpl which);
const char* iopause_impl_name(IopauseImpl which);
std::optional<IopauseImpl> iopause_impl_from_name(std::string_view name);

// [IOPAUSE-030..] Waits with `which`, refreshing `stamp` from `clock` after every wait, retrying
// after EINTR with the fresh stamp, and returning 0 only once stamp >= *deadline. errno is left
// as it was on entry whenever the result is >= 0.
int iopause_stamp(std::span<iopause_fd> fds, const tain* deadline, tain& stamp, Clock& clock,
                  IopauseImpl which = iopause_default_impl);
int iopause_stamp(std::span<iopause_fd> fds, const tain* deadline, tain& stamp, Clock& clock,
                  IopauseImpl which, const kernel::SysCalls& sys);

// Waits with no fds until stamp >= deadline (skalibs' deepsleepuntil).
void deepsleepuntil(const tain& deadline, tain& stamp, Clock& clock,
                    IopauseImpl which = iopause_default_impl);
void deepsleepuntil(const tain& deadline, tain& stamp, Clock& clock, IopauseImpl which,
                    const kernel::SysCalls& sys);

}  // namespace refloop
