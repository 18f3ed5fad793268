// SPDX-License-Identifier: ISC
// Solaris/illumos event ports for file descriptors (port_create(3C), port_associate(3C),
// port_get(3C)) in user space (spec/os.md, OS-300..OS-399): a deterministic executable model
// behind the seam's PortCalls table, over the real readiness of real fds (RealReadiness: poll
// underneath). A port holds associations (fd -> events, cookie) and a queue of fired events. An
// association fires when the real poll(2) finds its fd ready: at association time and at every
// port_getn; its event then waits in the queue until retrieved, which ends the association
// (one-shot), or until a re-association or dissociation discards it.
//
// The fidelity gap (OS-001, OS-310): the kernel dissociates an fd when it is closed. A close
// through the set's fd table (Emulators) does the same here; an fd closed elsewhere is noticed at
// the next scan (POLLNVAL from the real poll(2)) and dropped then, silently, as the kernel would
// have done; if its number was reused before that scan, the emulator watches the new file.
//
// Knobs for the rare documented outcomes: EINTR is the common knob of RealReadiness (OS-002);
// time_out_next_getn() (ETIME although events are delivered) and keep_nget_on_etime() (ETIME
// leaves *nget as it was) are this emulator's (OS-311).
#pragma once

#include <deque>
#include <map>
#include <vector>

#include "os/real_readiness.hpp"
#include "refloop/kernel/port.hpp"
#include "refloop/kernel/syscalls.hpp"

namespace refloop::os {

class PortEmulator final : public kernel::PortCalls {
 public:
  explicit PortEmulator(RealReadiness& readiness) : readiness_(readiness) {}

  int port_create() override;
  int port_associate(int port, int source, std::uintptr_t object, int events, void* user) override;
  int port_dissociate(int port, int source, std::uintptr_t object) override;
  int port_getn(int port, kernel::port_event* list, unsigned max, unsigned* nget,
                const timespec* timeout) override;
  [[nodiscard]] bool emulated() const override { return true; }

  // close(fd) happened: if fd was a port, the port goes; otherwise fd is dissociated from every
  // port and its queued events dropped, as illumos does on close. Returns whether it was a port.
  bool closed(int fd);

  // Knob: the next port_getn that delivers events reports -1 with ETIME all the same, *nget
  // saying how many: the timeout ending as the events arrive (port_get(3C) ETIME).
  void time_out_next_getn() { time_out_next_getn_ = true; }
  // Knob: from now on an ETIME leaves *nget at the value the caller gave (port_get(3C): "original
  // value in nget"), whatever was delivered.
  void keep_nget_on_etime() { keep_nget_on_etime_ = true; }
  // How many events are queued on `port` (0 for an unknown port): for tests.
  [[nodiscard]] std::size_t queued(int port) const;

 private:
  struct Association {
    int events = 0;
    void* user = nullptr;
    int fired = 0;  // the events to deliver once fired (it is then in the queue), else 0
  };
  struct Port {
    std::map<int, Association> associations;  // by fd, ordered: every scan is deterministic
    std::deque<int> queue;                     // fds whose association fired, oldest first
  };

  int port_error(int port) const;
  int object_error(std::uintptr_t object) const;
  int request_error(int port, unsigned max, const unsigned* nget, const kernel::port_event* list,
                    const timespec* timeout) const;
  std::vector<pollfd> unfired(const Port& port) const;
  void fire_ready(Port& port, const std::vector<pollfd>& watched);
  void discard(Port& port, int fd);
  unsigned deliver(Port& port, kernel::port_event* list, unsigned max);
  int wait_for(Port& port, unsigned wanted, const timespec* timeout);

  RealReadiness& readiness_;
  std::map<int, Port> ports_;  // keyed by the descriptor port_create() returned
  bool time_out_next_getn_ = false;
  bool keep_nget_on_etime_ = false;
};

}  // namespace refloop::os
