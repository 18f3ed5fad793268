// SPDX-License-Identifier: ISC
// A kernel table with the OS emulators of model/os/ in place of the interfaces the system lacks:
// `base`'s own tables, plus the /dev/poll and event-port emulators (each over `base`). Tests that
// wrap a backend's kernel table (a fault table, a recorder) wrap this one when the backend's
// traits say it is emulated, so the wrapper sees the emulated calls too. The emulated backends
// take the emulated interface from the table they are given (spec/os.md OS-200).
#pragma once

#include "devpoll_emulator.hpp"
#include "port_emulator.hpp"

namespace refloop::model::os {

class EmulatedKernel {
 public:
  explicit EmulatedKernel(const kernel::SysCalls& base) : base_(base), devpoll_(base), port_(base) {}
  EmulatedKernel(const EmulatedKernel&) = delete;
  EmulatedKernel& operator=(const EmulatedKernel&) = delete;

  [[nodiscard]] kernel::SysCalls table() {
    kernel::SysCalls with_emulators = base_;
    with_emulators.devpoll = &devpoll_;
    with_emulators.port = &port_;
    return with_emulators;
  }
  DevpollEmulator& devpoll() { return devpoll_; }
  PortEmulator& port() { return port_; }

 private:
  kernel::SysCalls base_;
  DevpollEmulator devpoll_;
  PortEmulator port_;
};

}  // namespace refloop::model::os
