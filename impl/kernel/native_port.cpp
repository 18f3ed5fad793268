// SPDX-License-Identifier: ISC
// The native event-port table (refloop/kernel/syscalls.hpp), built only where the system has
// <port.h> (Solaris, illumos). Elsewhere ports exist only as the emulator of
// model/os/port_emulator.hpp.
#include <port.h>
#include <unistd.h>

#include "refloop/kernel/port.hpp"

namespace refloop::kernel {

namespace {

class NativePortCalls final : public PortCalls {
 public:
  int port_create() override { return ::port_create(); }
  int port_associate(int port, int source, std::uintptr_t object, int events,
                     void* user) override {
    return ::port_associate(port, source, object, events, user);
  }
  int port_dissociate(int port, int source, std::uintptr_t object) override {
    return ::port_dissociate(port, source, object);
  }
  // Older illumos headers declare the timeout without const; port_getn does not write it.
  int port_getn(int port, port_event* list, unsigned max, unsigned* nget,
                const timespec* timeout) override {
    return ::port_getn(port, list, max, nget, const_cast<timespec*>(timeout));
  }
  int port_get(int port, port_event* event, const timespec* timeout) override {
    return ::port_get(port, event, const_cast<timespec*>(timeout));
  }
  int port_send(int port, int events, void* user) override { return ::port_send(port, events, user); }
  [[nodiscard]] bool emulated() const override { return false; }
};

}  // namespace

PortCalls* native_port_calls() {
  static NativePortCalls calls;
  return &calls;
}

}  // namespace refloop::kernel
