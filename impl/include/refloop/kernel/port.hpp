// SPDX-License-Identifier: ISC
// Solaris/illumos event ports (port_create(3C), port_associate(3C), port_get(3C)) behind the
// kernel seam (refloop/kernel/syscalls.hpp): the PortCalls table, and the event type and
// constants the port backend and its emulator
// (model/os/port_emulator.hpp) use. Where the system has <port.h> these are the system's own;
// elsewhere refloop declares them with illumos's layout and values, so the backend compiles
// unchanged against the emulator. ETIME and EBADFD, which the calls report, exist on Linux too.
#pragma once

#include <cstdint>
#include <ctime>

#if __has_include(<port.h>)
#include <port.h>
#define REFLOOP_KERNEL_HAS_PORT_HEADER 1
#else
#define REFLOOP_KERNEL_HAS_PORT_HEADER 0
#endif

namespace refloop::kernel {

#if REFLOOP_KERNEL_HAS_PORT_HEADER
using port_event = ::port_event_t;
inline constexpr int port_source_fd = PORT_SOURCE_FD;
inline constexpr int port_source_user = PORT_SOURCE_USER;
#else
// port_get(3C): one retrieved event.
struct port_event {
  int portev_events;            // the delivered poll(2) events (PORT_SOURCE_FD)
  unsigned short portev_source;
  unsigned short portev_pad;
  std::uintptr_t portev_object;  // the fd (PORT_SOURCE_FD)
  void* portev_user;             // the cookie given to port_associate or port_send
};
inline constexpr int port_source_user = 3;
inline constexpr int port_source_fd = 4;
#endif

// port_create, port_associate, port_dissociate, port_get and port_getn for PORT_SOURCE_FD, and
// port_send for PORT_SOURCE_USER. A port is closed through the fd table (FdCalls::close), as any
// descriptor; so is an associated fd, which an emulator must hear of (spec/os.md, OS-001 and
// OS-310).
class PortCalls {
 public:
  virtual int port_create() = 0;
  virtual int port_associate(int port, int source, std::uintptr_t object, int events,
                             void* user) = 0;
  virtual int port_dissociate(int port, int source, std::uintptr_t object) = 0;
  virtual int port_getn(int port, port_event* list, unsigned max, unsigned* nget,
                        const timespec* timeout) = 0;
  // port_get(3C): one event, as port_getn with max and *nget 1 (spec/os.md OS-312).
  virtual int port_get(int port, port_event* event, const timespec* timeout) = 0;
  // port_send(3C): queues a PORT_SOURCE_USER event carrying `events` and `user` (OS-313).
  virtual int port_send(int port, int events, void* user) = 0;
  // True for a user-space emulation (model/os): a backend on such a table names itself with
  // "~emu" (spec/os.md, OS-003), and the native backend refuses it.
  [[nodiscard]] virtual bool emulated() const = 0;

 protected:
  ~PortCalls() = default;
};

}  // namespace refloop::kernel
