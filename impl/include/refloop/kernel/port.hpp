// SPDX-License-Identifier: ISC
// Solaris/illumos event ports (port_create(3C), port_associate(3C), port_get(3C),
// port_send(3C)): the event type and constants the port backend and its emulator
// (model/os/port_emulator.hpp) use. Where the system has <port.h> these are the system's own;
// elsewhere refloop declares them with illumos's layout and values, so the backend compiles
// unchanged against the emulator. ETIME and EBADFD, which the calls report, exist on Linux too.
#pragma once

#include <cstdint>

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

}  // namespace refloop::kernel
