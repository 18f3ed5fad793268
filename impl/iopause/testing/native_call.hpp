// SPDX-License-Identifier: ISC
// Test support: what a spy records about one poll, ppoll or select call, and a scripted answer.
// Shared by the kernel-table spy (spy_calls.hpp) and the link-time interposer (native_spy.hpp).
#pragma once

#include <poll.h>
#include <sys/select.h>

#include <ctime>

namespace refloop::testing {

enum class NativeKind { ppoll, poll, select };

struct NativeCall {
  NativeKind kind{};
  bool no_timeout = false;     // NULL timespec/timeval, or poll's -1
  timespec ppoll_timeout{};    // ppoll
  int poll_timeout = 0;        // poll
  timeval select_timeout{};    // select
  bool select_exceptfds = false;  // select was given a non-null exceptfds with some bit set
  bool ppoll_sigmask = false;     // ppoll was given a non-null sigmask
};

// A scripted answer: the call returns `result` with `error` as errno without reaching the kernel.
struct FakeAnswer {
  int result = 0;
  int error = 0;
};

}  // namespace refloop::testing
