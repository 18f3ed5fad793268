// SPDX-License-Identifier: ISC
// FD-009's flags, made by the backends through their fd table (the kernel seam), so a fault plan
// can fail each fcntl and spec/fault.md FAULT-008 says what a registration does then.
#include <fcntl.h>

#include <cerrno>

#include "backend.hpp"

namespace refloop::detail {

namespace {

// Sets `flag` in the flags F_GET* reads and F_SET* writes, only when it is missing: 0 or errno.
int add_flag(kernel::FdCalls& calls, int fd, int get, int set, int flag) {
  const int flags = calls.fcntl(fd, get, 0);
  if (flags < 0) return errno;
  if ((flags & flag) != 0) return 0;
  return calls.fcntl(fd, set, flags | flag) < 0 ? errno : 0;
}

}  // namespace

int set_nonblocking_and_cloexec(kernel::FdCalls& calls, int fd) {
  if (const int error = add_flag(calls, fd, F_GETFL, F_SETFL, O_NONBLOCK); error != 0) return error;
  return add_flag(calls, fd, F_GETFD, F_SETFD, FD_CLOEXEC);
}

}  // namespace refloop::detail
