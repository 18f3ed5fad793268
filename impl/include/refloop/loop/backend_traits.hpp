// SPDX-License-Identifier: ISC
// The facts in which backends legitimately differ (spec/loop.md, BACKEND), declared by each
// backend next to its factory (impl/backend). Tests, the model's judge, the conformance runners,
// CMake and ci/ ask these, and compiled_backends(), instead of comparing backend names: adding a
// backend is its file, one registry line, its traits and its own tests.
#pragma once

#include <string>
#include <string_view>

#include "refloop/time/tain.hpp"

namespace refloop {

struct BackendTraits {
  std::string_view name;
  // BACKEND-004: the native timeout's unit (a wait is rounded up to it) and the longest single
  // wait, after which the loop simply polls again.
  tain timeout_unit;
  tain timeout_cap;
  // BACKEND-009: how an fd with only handler_err is watched: for errors alone (unread data does
  // not wake the loop), or as readable (unread data wakes it, calling nothing).
  enum class ErrOnly { errors_only, as_readable } err_only;
  // BACKEND-011: whether the hangup of an fd that cannot be written (a pipe's read end after its
  // writer left), watched only for out, is seen.
  bool sees_hangup_of_unwritable_out_only_fd;
  // FATAL-004, FD-010: when a closed registered fd is detected: when the kernel is told about it
  // (its interest call fails, at the lazy flush or at unregister), at the next wait (POLLNVAL),
  // or only when the kernel is first told of it: once watched, the kernel drops a closed fd's
  // interest unreported, and unregistering makes no call (epoll, FD-012).
  enum class ClosedFd { when_told, at_wait, when_added } closed_fd;
  // BACKEND-008, FD-003: a regular file is refused (EPERM), accepted and always ready, or
  // readable while its offset is before its end and refused for out (kqueue, spec/os.md OS-113).
  enum class RegularFile { refused, always_ready, read_until_eof } regular_file;
  // BACKEND-010: fds at or above this are refused (EMFILE; fatal at the next wait when registered
  // without register_fd_try); 0 when the backend has no limit of its own.
  int fd_limit;
  // BACKEND-002: the kernel learns of an interest change only at the next wait (a batch flush);
  // false when the backend's own user-space set is the kernel's input at every wait.
  bool lazy_registration;
  // Whether the model must accept a timer-versus-task order that differs from the common one
  // (ivykis's epoll-timerfd and kqueue methods deliver timers as fd events); false for all so far:
  // refloop's loop core, not the backend, decides when timers run (BACKEND-013). The conformance
  // judge and the property tests take the model's leniency from it (spec/model.md MODEL-008).
  bool timer_task_order_may_vary;
  // The system calls (members of refloop/kernel/syscalls.hpp) it makes to wait, and to tell the
  // kernel of an interest change (empty when it keeps interest in user space); spec/fault.md
  // says what it does when each fails.
  std::string_view wait_call;
  std::string_view interest_call;
  // spec/os.md OS-003, OS-006: the backend waits through a user-space emulation of its OS
  // interface (model/os), so its name ends in "~emu", the default choice never takes it, and its
  // kernel table comes from os::Emulators (tests build one to reach it, e.g. under faults).
  bool emulated = false;
  // BACKEND-012: the call it waits with instead, for the rest of the loop's life, once the wait
  // call is missing or refused (spec/fault.md lists the errno values), and that call's timeout
  // unit; empty and zero when it has none.
  std::string_view fallback_wait_call;
  tain fallback_timeout_unit;
  // BACKEND-013: the call that sets the kernel timer the backend's deadlines are carried by (its
  // wait call then blocks with no timeout, or checks with a zero one); empty when the wait call
  // carries the timeout itself.
  std::string_view timer_call;
  // BACKEND-008, FAULT-006: the call that removes register_fd_try's trial registration of an fd
  // without handlers, when that removal is a call of its own (epoll_ctl's DEL, kevent's
  // EV_DELETE, port_dissociate): a failure of it is retried by the next flush, never ignored.
  // Empty when the check registers nothing (the pollfd backends) or one call makes the trial and
  // removes it again (/dev/poll: one write of the entry and its POLLREMOVE).
  std::string_view trial_removal_call = {};
  // FD-018: whether the end of a peer's input on a stream (a socket's FIN, which poll(2) reports
  // as POLLRDHUP without POLLHUP) is reported as a hangup, with all three bands (BACKEND-003).
  // kqueue marks it EV_EOF on EVFILT_READ, its mark of a hangup too (spec/os.md OS-121, OS-125);
  // the other interfaces leave such an fd readable and writable, with no err band.
  bool end_of_input_is_hangup = false;
};

// The traits of a compiled backend (compiled_backends() in refloop/loop/loop.hpp), or nullptr.
const BackendTraits* backend_traits(std::string_view name);

// A backend's name as an identifier (letters, digits and '_'), for test names: "epoll-timerfd"
// becomes "epoll_timerfd" and "port~emu" becomes "port_emu".
inline std::string backend_identifier(std::string_view name) {
  std::string identifier(name);
  for (char& c : identifier)
    if (c == '-' || c == '~') c = '_';
  return identifier;
}

}  // namespace refloop
