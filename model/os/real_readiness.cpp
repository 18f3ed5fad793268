// SPDX-License-Identifier: ISC
// The real readiness underneath the OS emulators (real_readiness.hpp).
#include "os/real_readiness.hpp"

#include <fcntl.h>

#include <cerrno>

#include "refloop/time/tain.hpp"

namespace refloop::os {

bool RealReadiness::knob_fires() {
  if (interrupt_countdown_ == 0) return false;
  return --interrupt_countdown_ == 0;
}

// implements: OS-002, OS-004
int RealReadiness::wait(std::span<pollfd> fds, const timespec* timeout) {
  if (knob_fires()) {
    errno = EINTR;
    return -1;
  }
  if (clock_ == nullptr) return underneath_.poll->ppoll(fds.data(), fds.size(), timeout, nullptr);
  tain wanted = tain_infinite_relative;
  if (timeout != nullptr) {
    const auto asked = tain_from_timespec_relative(*timeout);
    if (asked && *asked < tain_infinite_relative) wanted = *asked;
  }
  const tain allowed = clock_->kernel_timeout(wanted);
  timespec storage{};
  const timespec* blocking = nullptr;
  if (allowed < tain_infinite_relative) {
    const auto converted = timespec_from_tain_relative(allowed);
    storage = converted ? *converted : timespec{0, 0};
    blocking = &storage;
  }
  const int ready = underneath_.poll->ppoll(fds.data(), fds.size(), blocking, nullptr);
  if (ready == 0) clock_->waited_idle(wanted);
  return ready;
}

int RealReadiness::look(std::span<pollfd> fds) {
  const timespec zero{0, 0};
  return underneath_.poll->ppoll(fds.data(), fds.size(), &zero, nullptr);
}

bool RealReadiness::is_open(int fd) {
  const int saved = errno;
  const bool open = underneath_.fd->fcntl(fd, F_GETFD, 0) >= 0 || errno != EBADF;
  errno = saved;
  return open;
}

}  // namespace refloop::os

namespace refloop::os {

// implements: OS-005
int open_placeholder_descriptor() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace refloop::os
