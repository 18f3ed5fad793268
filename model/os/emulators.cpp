// SPDX-License-Identifier: ISC
// The set of OS emulators (emulators.hpp).
#include "os/emulators.hpp"

namespace refloop::os {

Emulators::Emulators(const kernel::SysCalls& underneath, Clock* clock)
    : underneath_(underneath), readiness_(underneath, clock) {}

kernel::SysCalls Emulators::table() {
  kernel::SysCalls tables = underneath_;
  tables.fd = this;
  tables.kqueue = &kqueue_;
  tables.devpoll = &devpoll_;
  tables.port = &port_;
  return tables;
}

// implements: OS-001
void Emulators::closed_outside(int fd) {
  kqueue_.closed(fd);
  devpoll_.closed(fd);
  port_.closed(fd);
}

int Emulators::fcntl(int fd, int command, int argument) {
  return underneath_.fd->fcntl(fd, command, argument);
}

// implements: OS-001 (a close made through the set is seen by every emulator)
int Emulators::close(int fd) {
  kqueue_.closed(fd);
  devpoll_.closed(fd);
  port_.closed(fd);
  return underneath_.fd->close(fd);
}

int Emulators::getrlimit(int resource, rlimit* limit) {
  return underneath_.fd->getrlimit(resource, limit);
}

}  // namespace refloop::os
