// SPDX-License-Identifier: ISC
// The event-port emulator (port_emulator.hpp; spec/os.md OS-300..OS-399). Each member says which
// behaviour of port_associate(3C), port_get(3C) and port_create(3C) it reproduces.
#include "port_emulator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <vector>

#include "refloop/time/clock.hpp"

namespace refloop::model::os {

namespace {

// The descriptor behind a port only reserves its number, so that it never collides with a real
// fd; nothing reads or polls it.
int reserve_descriptor() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

bool zero_timeout(const timespec* timeout) {
  return timeout != nullptr && timeout->tv_sec == 0 && timeout->tv_nsec == 0;
}

constexpr int enough_events = 0;  // wait_for: at least the wanted number are queued
constexpr int timed_out = 1;      // wait_for: the timeout ended first

}  // namespace

PortEmulator::~PortEmulator() {
  for (const auto& [descriptor, port] : ports_) ::close(descriptor);
}

std::size_t PortEmulator::queued(int port) const {
  const auto found = ports_.find(port);
  return found == ports_.end() ? 0 : found->second.queue.size();
}

// EBADF when `port` is no open descriptor, EBADFD when it is one but not a port (port_get(3C),
// port_associate(3C) ERRORS); 0 for a port.
int PortEmulator::port_error(int port) const {
  if (ports_.count(port) != 0) return 0;
  return port >= 0 && underneath_.fd->fcntl(port, F_GETFD, 0) >= 0 ? EBADFD : EBADF;
}

// EBADFD when a PORT_SOURCE_FD object is not a valid, open descriptor (port_associate(3C)).
int PortEmulator::object_error(std::uintptr_t object) const {
  if (object > static_cast<std::uintptr_t>(INT_MAX)) return EBADFD;
  return underneath_.fd->fcntl(static_cast<int>(object), F_GETFD, 0) < 0 ? EBADFD : 0;
}

// implements: OS-301 (a port is a new descriptor; its close destroys it)
int PortEmulator::port_create() {
  const int descriptor = reserve_descriptor();
  if (descriptor < 0) return -1;
  ports_[descriptor] = Port{};
  return descriptor;
}

// implements: OS-303 (what fires: revents within events, POLLHUP and POLLERR), OS-310 (an fd
// closed behind the emulator's back shows as POLLNVAL, and its association is dropped)
void PortEmulator::fire(Port& port, int fd, short revents) {
  Association& association = port.associations.at(fd);
  if (revents & POLLNVAL) {
    port.associations.erase(fd);
    return;
  }
  const int delivered = revents & (association.events | POLLHUP | POLLERR);
  if (delivered == 0) return;
  association.fired = delivered;
  port.queue.push_back(fd);
}

// Asks the real poll(2), waiting up to timeout_ms, about every association that has not fired,
// and fires those found ready. Returns poll's result.
int PortEmulator::scan(Port& port, int timeout_ms) {
  std::vector<pollfd> watched;
  for (const auto& [fd, association] : port.associations)
    if (association.fired == 0) watched.push_back(pollfd{fd, static_cast<short>(association.events), 0});
  const int ready = underneath_.poll->poll(watched.data(), watched.size(), timeout_ms);
  if (ready <= 0) return ready;
  for (const pollfd& entry : watched)
    if (entry.revents != 0) fire(port, entry.fd, entry.revents);
  return ready;
}

// Removes fd's association and any event of it still queued.
void PortEmulator::discard(Port& port, int fd) {
  port.associations.erase(fd);
  std::erase(port.queue, fd);
}

// implements: OS-302 (association; an fd already ready fires at once), OS-304 (re-association
// updates events and user, discards a queued event and looks again), OS-305 (errors)
int PortEmulator::port_associate(int port, int source, std::uintptr_t object, int events,
                                 void* user) {
  int error = port_error(port);
  if (error == 0 && source != kernel::port_source_fd) error = EINVAL;
  if (error == 0) error = object_error(object);
  if (error != 0) {
    errno = error;
    return -1;
  }
  Port& target = ports_.at(port);
  const int fd = static_cast<int>(object);
  std::erase(target.queue, fd);
  target.associations[fd] = Association{events, user, 0};
  pollfd now{fd, static_cast<short>(events), 0};
  if (underneath_.poll->poll(&now, 1, 0) > 0) fire(target, fd, now.revents);
  return 0;
}

// implements: OS-306 (removes the association and its queued event; ENOENT when there is no
// active association, including after the event was retrieved)
int PortEmulator::port_dissociate(int port, int source, std::uintptr_t object) {
  int error = port_error(port);
  if (error == 0 && source != kernel::port_source_fd) error = EINVAL;
  if (error == 0) error = object_error(object);
  if (error == 0 && ports_.at(port).associations.count(static_cast<int>(object)) == 0)
    error = ENOENT;
  if (error != 0) {
    errno = error;
    return -1;
  }
  discard(ports_.at(port), static_cast<int>(object));
  return 0;
}

// implements: OS-307 (retrieval ends the association: one-shot)
unsigned PortEmulator::deliver(Port& port, kernel::port_event* list, unsigned max) {
  unsigned delivered = 0;
  while (delivered < max && !port.queue.empty()) {
    const int fd = port.queue.front();
    port.queue.pop_front();
    const Association association = port.associations.at(fd);
    port.associations.erase(fd);
    kernel::port_event& event = list[delivered++];
    event.portev_events = association.fired;
    event.portev_source = static_cast<unsigned short>(kernel::port_source_fd);
    event.portev_object = static_cast<std::uintptr_t>(fd);
    event.portev_user = association.user;
  }
  return delivered;
}

// Waits until `wanted` events are queued or the timeout ends: enough_events, timed_out, or -1
// with errno from poll(2) (EINTR).
int PortEmulator::wait_for(Port& port, unsigned wanted, const timespec* timeout) {
  if (scan(port, 0) < 0) return -1;
  if (port.queue.size() >= wanted) return enough_events;
  if (zero_timeout(timeout)) return timed_out;
  if (timeout == nullptr) {
    while (port.queue.size() < wanted)
      if (scan(port, -1) < 0) return -1;
    return enough_events;
  }
  Stopwatch monotonic;
  const tain deadline = monotonic.now() + *tain_from_timespec_relative(*timeout);
  for (tain now = monotonic.now(); now < deadline; now = monotonic.now()) {
    const std::uint64_t ms = milliseconds_from_tain(deadline - now);
    if (scan(port, ms > INT_MAX ? INT_MAX : static_cast<int>(ms)) < 0) return -1;
    if (port.queue.size() >= wanted) return enough_events;
  }
  return timed_out;
}

// implements: OS-308 (the nget and max rules), OS-309 (ETIME delivers what is queued and says how
// many in *nget; a zero timeout returns 0), OS-311 (EINTR, ETIME with events and the kept *nget
// by knob)
int PortEmulator::port_getn(int port, kernel::port_event* list, unsigned max, unsigned* nget,
                            const timespec* timeout) {
  int error = port_error(port);
  if (error == 0 && (nget == nullptr || (max > 0 && list == nullptr))) error = EINVAL;
  if (error == 0 && timeout != nullptr &&
      (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec > 1'000'000'000))
    error = EINVAL;
  if (error == 0 && max > 0 && *nget > max) error = EINVAL;
  if (error != 0) {
    errno = error;
    return -1;
  }
  Port& source = ports_.at(port);
  if (max == 0) {
    if (scan(source, 0) < 0) return -1;
    *nget = static_cast<unsigned>(source.queue.size());
    return 0;
  }
  if (*nget == 0) return 0;
  if (interrupt_next_getn_) {
    interrupt_next_getn_ = false;
    *nget = 0;
    errno = EINTR;
    return -1;
  }
  const int waited = wait_for(source, *nget, timeout);
  if (waited < 0) {
    const int saved = errno;
    *nget = 0;
    errno = saved;
    return -1;
  }
  const unsigned delivered = deliver(source, list, max);
  const bool forced_timeout = time_out_next_getn_ && delivered > 0;
  if (forced_timeout) time_out_next_getn_ = false;
  if (!forced_timeout && (waited == enough_events || zero_timeout(timeout))) {
    *nget = delivered;
    return 0;
  }
  if (!keep_nget_on_etime_) *nget = delivered;
  errno = ETIME;
  return -1;
}

// implements: OS-301 (closing a port destroys it), OS-310 (closing an fd through the emulator
// dissociates it from every port and drops its queued events, as the kernel does on close)
int PortEmulator::close(int fd) {
  if (ports_.erase(fd) != 0) return ::close(fd);
  for (auto& [descriptor, port] : ports_) discard(port, fd);
  return underneath_.fd->close(fd);
}

}  // namespace refloop::model::os
