// SPDX-License-Identifier: ISC
// The event-port emulator (port_emulator.hpp; spec/os.md OS-300..OS-399). Each member says which
// behaviour of port_associate(3C), port_get(3C) and port_create(3C) it reproduces.
#include "os/port_emulator.hpp"

#include <cerrno>
#include <climits>
#include <vector>

namespace refloop::os {

namespace {

bool zero_timeout(const timespec* timeout) {
  return timeout != nullptr && timeout->tv_sec == 0 && timeout->tv_nsec == 0;
}

// port_get(3C) EINVAL: tv_sec < 0 or tv_nsec outside 0..10^9.
bool invalid_timeout(const timespec* timeout) {
  return timeout != nullptr &&
         (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec > 1'000'000'000);
}

bool is_fd(int source) { return source == kernel::port_source_fd; }

constexpr int enough_events = 0;  // wait_for: at least the wanted number are queued
constexpr int timed_out = 1;      // wait_for: the timeout ended first

}  // namespace

std::size_t PortEmulator::queued(int port) const {
  const auto found = ports_.find(port);
  return found == ports_.end() ? 0 : found->second.queue.size();
}

// EBADF when `port` is no open descriptor, EBADFD when it is one but not a port (port_get(3C),
// port_associate(3C) ERRORS); 0 for a port.
int PortEmulator::port_error(int port) const {
  if (ports_.count(port) != 0) return 0;
  return port >= 0 && readiness_.is_open(port) ? EBADFD : EBADF;
}

// EBADFD when a PORT_SOURCE_FD object is not a valid, open descriptor (port_associate(3C)).
int PortEmulator::object_error(std::uintptr_t object) const {
  if (object > static_cast<std::uintptr_t>(INT_MAX)) return EBADFD;
  return readiness_.is_open(static_cast<int>(object)) ? 0 : EBADFD;
}

// implements: OS-301 (a port is a new placeholder descriptor, OS-005)
int PortEmulator::port_create() {
  const int descriptor = open_placeholder_descriptor();
  if (descriptor < 0) return -1;
  ports_[descriptor] = Port{};
  return descriptor;
}

// Every association that has not fired, as a poll array.
std::vector<pollfd> PortEmulator::unfired(const Port& port) const {
  std::vector<pollfd> watched;
  for (const auto& [fd, association] : port.associations)
    if (association.fired == 0) watched.push_back(pollfd{fd, static_cast<short>(association.events), 0});
  return watched;
}

// implements: OS-303 (what fires: revents within events, POLLHUP and POLLERR, queued oldest
// first), OS-310 (an fd closed behind the emulator's back shows as POLLNVAL: dropped silently)
void PortEmulator::fire_ready(Port& port, const std::vector<pollfd>& watched) {
  for (const pollfd& entry : watched) {
    if (entry.revents == 0) continue;
    if (entry.revents & POLLNVAL) {
      port.associations.erase(entry.fd);
      continue;
    }
    Association& association = port.associations.at(entry.fd);
    association.fired = entry.revents & (association.events | POLLHUP | POLLERR);
    if (association.fired != 0) port.queue.push_back(Queued{.fd = entry.fd});
  }
}

// Removes fd's association and any event of it still queued.
void PortEmulator::discard(Port& port, int fd) {
  port.associations.erase(fd);
  std::erase_if(port.queue, [fd](const Queued& queued) { return is_fd(queued.source) && queued.fd == fd; });
}

// implements: OS-302 (association; an fd already ready fires at once), OS-304 (re-association
// replaces events and cookie, discards a queued event and looks again), OS-305 (errors)
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
  discard(target, fd);
  target.associations[fd] = Association{events, user, 0};
  std::vector<pollfd> now{pollfd{fd, static_cast<short>(events), 0}};
  if (readiness_.look(now) > 0) fire_ready(target, now);
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

// implements: OS-307 (retrieval ends the association: one-shot), OS-313 (a user event carries
// the events and cookie it was sent with, and object 0), OS-315 (an fd event carries the events
// recorded when it fired; the fd is not looked at again)
kernel::port_event PortEmulator::take_oldest(Port& port) {
  const Queued queued = port.queue.front();
  port.queue.pop_front();
  kernel::port_event event{};
  event.portev_source = static_cast<unsigned short>(queued.source);
  if (!is_fd(queued.source)) {
    event.portev_events = queued.events;
    event.portev_user = queued.user;
    return event;
  }
  const Association association = port.associations.at(queued.fd);
  port.associations.erase(queued.fd);
  event.portev_events = association.fired;
  event.portev_object = static_cast<std::uintptr_t>(queued.fd);
  event.portev_user = association.user;
  return event;
}

unsigned PortEmulator::deliver(Port& port, kernel::port_event* list, unsigned max) {
  unsigned delivered = 0;
  while (delivered < max && !port.queue.empty()) list[delivered++] = take_oldest(port);
  return delivered;
}

// Until `wanted` events are queued or the timeout ends: enough_events, timed_out, or -1 with
// errno from the wait (EINTR). A look first: a port with enough queued events never sleeps, so
// never sees EINTR. A finite timeout is waited once (OS-309).
int PortEmulator::wait_for(Port& port, unsigned wanted, const timespec* timeout) {
  std::vector<pollfd> watched = unfired(port);
  if (!watched.empty() && readiness_.look(watched) > 0) fire_ready(port, watched);
  while (port.queue.size() < wanted) {
    watched = unfired(port);
    const int ready = readiness_.wait(watched, timeout);
    if (ready < 0) return -1;
    fire_ready(port, watched);
    if (timeout != nullptr && port.queue.size() < wanted) return timed_out;
  }
  return enough_events;
}

int PortEmulator::request_error(int port, unsigned max, const unsigned* nget,
                                const kernel::port_event* list, const timespec* timeout) const {
  if (const int error = port_error(port); error != 0) return error;
  if (nget == nullptr || (max > 0 && list == nullptr)) return EINVAL;
  if (invalid_timeout(timeout)) return EINVAL;
  if (max > 0 && *nget > max) return EINVAL;
  return 0;
}

// implements: OS-308 (the nget and max rules), OS-309 (ETIME delivers what is queued and says how
// many in *nget; a zero timeout returns 0), OS-311 (ETIME with events and the kept *nget by
// knob; EINTR from the wait, OS-002)
int PortEmulator::port_getn(int port, kernel::port_event* list, unsigned max, unsigned* nget,
                            const timespec* timeout) {
  if (const int error = request_error(port, max, nget, list, timeout); error != 0) {
    errno = error;
    return -1;
  }
  Port& source = ports_.at(port);
  if (max == 0) {
    std::vector<pollfd> watched = unfired(source);
    if (!watched.empty() && readiness_.look(watched) > 0) fire_ready(source, watched);
    *nget = static_cast<unsigned>(source.queue.size());
    return 0;
  }
  if (*nget == 0) return 0;
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

// implements: OS-312 (port_getn's rules with max and *nget 1: a zero timeout that finds nothing
// returns 0 and leaves *event as it was; a timeout that ends first fails with ETIME, the knobs of
// OS-311 being port_getn's only; EFAULT for a null event)
int PortEmulator::port_get(int port, kernel::port_event* event, const timespec* timeout) {
  int error = port_error(port);
  if (error == 0 && event == nullptr) error = EFAULT;
  if (error == 0 && invalid_timeout(timeout)) error = EINVAL;
  if (error != 0) {
    errno = error;
    return -1;
  }
  Port& source = ports_.at(port);
  if (wait_for(source, 1, timeout) < 0) return -1;
  if (deliver(source, event, 1) == 1 || zero_timeout(timeout)) return 0;
  errno = ETIME;
  return -1;
}

// implements: OS-313 (a PORT_SOURCE_USER event joins the queue at once, whatever the port's
// associations; the errors of a port argument, OS-305)
int PortEmulator::port_send(int port, int events, void* user) {
  if (const int error = port_error(port); error != 0) {
    errno = error;
    return -1;
  }
  ports_.at(port).queue.push_back(Queued{.source = kernel::port_source_user, .events = events, .user = user});
  return 0;
}

// implements: OS-301 (closing a port destroys it), OS-310 (closing an fd dissociates it from
// every port and drops its queued events, as the kernel does on close)
bool PortEmulator::closed(int fd) {
  if (ports_.erase(fd) != 0) return true;
  for (auto& [descriptor, port] : ports_) discard(port, fd);
  return false;
}

}  // namespace refloop::os
