// SPDX-License-Identifier: ISC
// Test support: a kernel table (refloop/kernel/syscalls.hpp) that records the timeout each poll,
// ppoll or select call was given and can answer instead of the kernel; unscripted calls go on to
// the native table. Tests hand spy.sys() to iopause_wait / iopause_stamp / deepsleepuntil, which is
// how they pin IOPAUSE-013/015/016/040..043 and provoke EINTR or an early 0 without link-time
// interposition.
#pragma once

#include <cerrno>
#include <deque>
#include <vector>

#include "native_call.hpp"
#include "refloop/kernel/syscalls.hpp"

namespace refloop::testing {

class SpyCalls final : public kernel::PollCalls {
 public:
  SpyCalls() = default;
  SpyCalls(const SpyCalls&) = delete;
  SpyCalls& operator=(const SpyCalls&) = delete;

  // The native tables with this spy in place of the poll family.
  [[nodiscard]] kernel::SysCalls sys() {
    kernel::SysCalls table = kernel::native_syscalls();
    table.poll = this;
    return table;
  }

  int poll(pollfd* fds, nfds_t count, int timeout_ms) override {
    NativeCall call{NativeKind::poll};
    call.no_timeout = timeout_ms < 0;
    call.poll_timeout = timeout_ms;
    calls.push_back(call);
    int result = 0;
    if (scripted(result)) return result;
    return native_.poll(fds, count, timeout_ms);
  }

  int ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) override {
    NativeCall call{NativeKind::ppoll};
    call.no_timeout = timeout == nullptr;
    if (timeout != nullptr) call.ppoll_timeout = *timeout;
    call.ppoll_sigmask = mask != nullptr;
    calls.push_back(call);
    int result = 0;
    if (scripted(result)) return result;
    return native_.ppoll(fds, count, timeout, mask);
  }

  int select(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional,
             timeval* timeout) override {
    NativeCall call{NativeKind::select};
    call.no_timeout = timeout == nullptr;
    if (timeout != nullptr) call.select_timeout = *timeout;
    call.select_exceptfds = any_bit(exceptional, nfds);
    calls.push_back(call);
    int result = 0;
    if (scripted(result)) return result;
    return native_.select(nfds, readable, writable, exceptional, timeout);
  }

  std::vector<NativeCall> calls;
  std::deque<FakeAnswer> script;  // consumed front first; empty = real calls

 private:
  bool scripted(int& result) {
    if (script.empty()) return false;
    result = script.front().result;
    errno = script.front().error;
    script.pop_front();
    return true;
  }

  static bool any_bit(const fd_set* set, int nfds) {
    if (set == nullptr) return false;
    for (int fd = 0; fd < nfds; ++fd) {
      if (FD_ISSET(fd, set)) return true;
    }
    return false;
  }

  kernel::PollCalls& native_ = *kernel::native_syscalls().poll;
};

}  // namespace refloop::testing
