// SPDX-License-Identifier: ISC
// An executable model of Solaris/illumos event ports for file descriptors (port_create(3C),
// port_associate(3C), port_get(3C); spec/os.md OS-300..OS-399) behind the kernel seam's
// PortCalls table, for systems without them. A port holds associations (fd -> events, user) and
// a queue of fired events. An association fires when the real poll(2) of the table beneath
// (`underneath.poll`) finds its fd ready: at association time, and at every port_getn; it then
// waits in the queue until retrieved, which ends the association (one-shot), or until a
// re-association or dissociation discards it.
//
// Deterministic for a given sequence of calls and real fd states; single-threaded. No clock is
// read except by a port_getn waiting for more than one event with a finite timeout, which
// measures the remaining time on CLOCK_MONOTONIC (a Stopwatch).
//
// The fidelity gap (OS-310): the kernel dissociates an fd when it is closed; a user-space
// emulator hears of a close only through its own close(). An fd closed elsewhere is noticed at
// the next scan (POLLNVAL from the real poll(2)) and dropped then, silently, as the kernel would
// have; if its number was reused before that scan, the emulator watches the new file.
//
// Knobs for the rare documented behaviours: interrupt_next_getn() (EINTR), time_out_next_getn()
// (ETIME although events are delivered), keep_nget_on_etime() (ETIME leaves *nget as it was).
#pragma once

#include <deque>
#include <map>

#include "refloop/kernel/syscalls.hpp"

namespace refloop::model::os {

class PortEmulator final : public kernel::PortCalls {
 public:
  // `underneath` gives the real readiness (its poll table) and the checks and closes of real fds
  // (its fd table); it must outlive the emulator.
  explicit PortEmulator(const kernel::SysCalls& underneath) : underneath_(underneath) {}
  ~PortEmulator();
  PortEmulator(const PortEmulator&) = delete;
  PortEmulator& operator=(const PortEmulator&) = delete;

  int port_create() override;
  int port_associate(int port, int source, std::uintptr_t object, int events, void* user) override;
  int port_dissociate(int port, int source, std::uintptr_t object) override;
  int port_getn(int port, kernel::port_event* list, unsigned max, unsigned* nget,
                const timespec* timeout) override;
  int close(int fd) override;
  [[nodiscard]] bool emulated() const override { return true; }

  // Knob: the next port_getn returns -1 with EINTR, retrieving nothing (port_get(3C) ERRORS).
  void interrupt_next_getn() { interrupt_next_getn_ = true; }
  // Knob: the next port_getn that delivers events reports -1 with ETIME all the same, *nget
  // saying how many: the timeout expiring as the events arrive (port_get(3C) ETIME).
  void time_out_next_getn() { time_out_next_getn_ = true; }
  // Knob: from now on an ETIME leaves *nget at the value the caller gave (port_get(3C): "original
  // value in nget"), whatever was delivered.
  void keep_nget_on_etime() { keep_nget_on_etime_ = true; }
  // How many events are queued on `port` (0 for an unknown port), for tests.
  [[nodiscard]] std::size_t queued(int port) const;

 private:
  struct Association {
    int events = 0;
    void* user = nullptr;
    int fired = 0;  // the delivered events once fired (then it is in the queue), else 0
  };
  struct Port {
    std::map<int, Association> associations;  // by fd
    std::deque<int> queue;                     // fds whose association fired, oldest first
  };

  int port_error(int port) const;
  int object_error(std::uintptr_t object) const;
  int scan(Port& port, int timeout_ms);
  void fire(Port& port, int fd, short revents);
  void discard(Port& port, int fd);
  unsigned deliver(Port& port, kernel::port_event* list, unsigned max);
  int wait_for(Port& port, unsigned wanted, const timespec* timeout);

  kernel::SysCalls underneath_;
  std::map<int, Port> ports_;  // keyed by the descriptor port_create() returned
  bool interrupt_next_getn_ = false;
  bool time_out_next_getn_ = false;
  bool keep_nget_on_etime_ = false;
};

}  // namespace refloop::model::os
