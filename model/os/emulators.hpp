// SPDX-License-Identifier: ISC
// The OS emulators of model/os as one set of kernel tables (spec/os.md, OS-001..OS-099): give
// `table()` to a loop (LoopOptions::sys), to a fault table, or to the OS-interface suite, and the
// interfaces this system lacks are there, emulated in user space over the real fds of
// `underneath`. Each emulated table says so (KqueueCalls::emulated, ...), so a backend on it names
// itself "<backend>~emu" (OS-003).
//
// The fd table of the set sees every close() made through it, so each emulator can do what its OS
// does when a descriptor is closed. A close() made anywhere else (straight to the kernel) is the
// fidelity gap of user-space emulation (OS-001): tell the set with closed_outside(), or each
// emulator finds out when it next looks at the fd, as its section of spec/os.md says.
#pragma once

#include "os/devpoll_emulator.hpp"
#include "os/kqueue_emulator.hpp"
#include "os/port_emulator.hpp"
#include "os/real_readiness.hpp"
#include "refloop/kernel/syscalls.hpp"
#include "refloop/time/clock.hpp"

namespace refloop::os {

class Emulators final : public kernel::FdCalls {
 public:
  // `underneath` must have the poll and fd tables and outlive the set; `clock` as RealReadiness.
  explicit Emulators(const kernel::SysCalls& underneath, Clock* clock = nullptr);
  Emulators(const Emulators&) = delete;
  Emulators& operator=(const Emulators&) = delete;
  ~Emulators() = default;

  // underneath's tables, this set's fd table in place of underneath's, and every emulated
  // interface; valid while the set lives.
  [[nodiscard]] kernel::SysCalls table();

  RealReadiness& readiness() { return readiness_; }
  KqueueEmulator& kqueue() { return kqueue_; }
  DevpollEmulator& devpoll() { return devpoll_; }
  PortEmulator& port() { return port_; }

  // implements the fidelity gap's explicit handling (OS-001): `fd` was closed outside the set.
  void closed_outside(int fd);

  // The fd table: close() is seen by every emulator, then made underneath; the rest passes through.
  int fcntl(int fd, int command, int argument) override;
  int close(int fd) override;
  int getrlimit(int resource, rlimit* limit) override;

 private:
  kernel::SysCalls underneath_;
  RealReadiness readiness_;
  KqueueEmulator kqueue_{readiness_};
  DevpollEmulator devpoll_{readiness_};
  PortEmulator port_{readiness_};
};

}  // namespace refloop::os
