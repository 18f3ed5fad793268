// SPDX-License-Identifier: ISC
// Test support, linked only into test executables: native_spy.cpp defines poll, ppoll and select
// in the executable itself, so every caller in the process (refloop's static library and a
// dynamically linked libskarnet alike) goes through them (dlsym(RTLD_NEXT) reaches the real
// ones). The spy records the timeout each call was given and can answer instead of the kernel,
// which is how tests pin IOPAUSE-013/015/016/040..043 and provoke EINTR or an early 0.
#pragma once

#include <poll.h>
#include <sys/select.h>

#include <ctime>
#include <deque>
#include <vector>

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

struct NativeSpy {
  // Starts recording (clears calls and the script); the destructor stops.
  NativeSpy();
  ~NativeSpy();
  NativeSpy(const NativeSpy&) = delete;
  NativeSpy& operator=(const NativeSpy&) = delete;

  std::vector<NativeCall> calls;
  std::deque<FakeAnswer> script;  // consumed front first; empty = real calls
};

}  // namespace refloop::testing
