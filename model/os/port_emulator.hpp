// SPDX-License-Identifier: ISC
// Solaris/illumos event ports for file descriptors and user events (port_create(3C),
// port_associate(3C), port_get(3C), port_send(3C)) in user space (spec/os.md, OS-300..OS-399): a
// deterministic executable model behind the seam's PortCalls table, over the real readiness of
// real fds (RealReadiness: poll underneath). A port holds associations (fd -> events, cookie) and
// a queue of events. An association fires when the real poll(2) finds its fd ready: at
// association time and at every port_get or port_getn; its event then waits in the queue until
// retrieved, which ends the association (one-shot), or until a re-association or dissociation
// discards it. port_send queues a PORT_SOURCE_USER event, which waits only to be retrieved.
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
  int port_get(int port, kernel::port_event* event, const timespec* timeout) override;
  int port_send(int port, int events, void* user) override;
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
  // A queued event: an fd whose association fired (its events and cookie are the association's),
  // or a user event, which carries its own.
  struct Queued {
    int source = kernel::port_source_fd;
    int fd = -1;  // PORT_SOURCE_FD
    int events = 0;  // PORT_SOURCE_USER
    void* user = nullptr;  // PORT_SOURCE_USER
  };
  struct Port {
    std::map<int, Association> associations;  // by fd, ordered: every scan is deterministic
    std::deque<Queued> queue;                  // oldest first
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
  kernel::port_event take_oldest(Port& port);

  RealReadiness& readiness_;
  std::map<int, Port> ports_;  // keyed by the descriptor port_create() returned
  bool time_out_next_getn_ = false;
  bool keep_nget_on_etime_ = false;
};

}  // namespace refloop::os
