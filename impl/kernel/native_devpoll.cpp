// SPDX-License-Identifier: ISC
// The native /dev/poll table (refloop/kernel/syscalls.hpp), built only where the system has
// <sys/devpoll.h> (Solaris, illumos). Elsewhere the devpoll interface exists only as the
// emulator of model/os/devpoll_emulator.hpp.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/devpoll.h>
#include <unistd.h>

#include "refloop/kernel/devpoll.hpp"

namespace refloop::kernel {

namespace {

class NativeDevpollCalls final : public DevpollCalls {
 public:
  int open(const char* path, int flags) override { return ::open(path, flags); }
  ssize_t write(int fd, const void* buffer, std::size_t bytes) override {
    return ::write(fd, buffer, bytes);
  }
  int ioctl(int fd, int request, dvpoll* arg) override { return ::ioctl(fd, request, arg); }
  int ioctl(int fd, int request, pollfd* arg) override { return ::ioctl(fd, request, arg); }
  [[nodiscard]] bool emulated() const override { return false; }
};

}  // namespace

DevpollCalls* native_devpoll_calls() {
  static NativeDevpollCalls calls;
  return &calls;
}

}  // namespace refloop::kernel
