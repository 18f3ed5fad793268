// SPDX-License-Identifier: ISC
// The native timerfd table (refloop/kernel/syscalls.hpp), built only where the system has it.
#include <sys/timerfd.h>

#include "refloop/kernel/syscalls.hpp"

namespace refloop::kernel {

namespace {

class NativeTimerfdCalls final : public TimerfdCalls {
 public:
  int timerfd_create(int clock_id, int flags) override { return ::timerfd_create(clock_id, flags); }
  int timerfd_settime(int fd, int flags, const itimerspec* new_value, itimerspec* old_value) override {
    return ::timerfd_settime(fd, flags, new_value, old_value);
  }
};

}  // namespace

TimerfdCalls* native_timerfd_calls() {
  static NativeTimerfdCalls calls;
  return &calls;
}

}  // namespace refloop::kernel
