// SPDX-License-Identifier: ISC
// The fault table (refloop/kernel/fault.hpp; spec/fault.md, FAULT-001).
#include "refloop/kernel/fault.hpp"

#include <cerrno>

namespace refloop::kernel {

SysCalls FaultCalls::table() {
  SysCalls wrapped;
  if (inner_.poll != nullptr) wrapped.poll = this;
  if (inner_.fd != nullptr) wrapped.fd = this;
#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
  if (inner_.epoll != nullptr) wrapped.epoll = this;
#endif
  if (inner_.devpoll != nullptr) wrapped.devpoll = &devpoll_faults_;
  if (inner_.port != nullptr) wrapped.port = &port_faults_;
#if REFLOOP_KERNEL_HAS_TIMERFD_HEADER
  if (inner_.timerfd != nullptr) wrapped.timerfd = this;
#endif
  if (inner_.kqueue != nullptr) wrapped.kqueue = this;
  return wrapped;
}

void FaultCalls::plan(Fault fault) {
  fault_ = std::move(fault);
  armed_ = true;
  fired_ = false;
  counts_.clear();
}

void FaultCalls::deny(std::string call, int error) { denied_[std::move(call)] = error; }

unsigned FaultCalls::count(std::string_view call) const {
  const auto found = counts_.find(call);
  return found == counts_.end() ? 0 : found->second;
}

// implements: FAULT-001, FAULT-007
bool FaultCalls::fails_now(std::string_view call) {
  auto found = counts_.find(call);
  if (found == counts_.end()) found = counts_.emplace(std::string(call), 0).first;
  const unsigned nth = ++found->second;
  if (const auto denial = denied_.find(call); denial != denied_.end()) {
    errno = denial->second;
    return true;
  }
  if (!armed_ || fired_ || call != fault_.call || nth != fault_.nth) return false;
  fired_ = true;
  errno = fault_.error;
  return true;
}

int FaultCalls::poll(pollfd* fds, nfds_t count, int timeout_ms) {
  if (fails_now("poll")) return -1;
  return inner_.poll->poll(fds, count, timeout_ms);
}

int FaultCalls::ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) {
  if (fails_now("ppoll")) return -1;
  return inner_.poll->ppoll(fds, count, timeout, mask);
}

int FaultCalls::select(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional,
                       timeval* timeout) {
  if (fails_now("select")) return -1;
  return inner_.poll->select(nfds, readable, writable, exceptional, timeout);
}

int FaultCalls::fcntl(int fd, int command, int argument) {
  if (fails_now("fcntl")) return -1;
  return inner_.fd->fcntl(fd, command, argument);
}

int FaultCalls::getrlimit(int resource, rlimit* limit) {
  if (fails_now("getrlimit")) return -1;
  return inner_.fd->getrlimit(resource, limit);
}

// Linux releases the fd whatever close(2) reports, so a planned failure closes it first.
int FaultCalls::close(int fd) {
  const bool fails = fails_now("close");
  const int error = errno;
  const int result = inner_.fd->close(fd);
  if (!fails) return result;
  errno = error;
  return -1;
}

int FaultCalls::DevpollFaults::open(const char* path, int flags) {
  if (table_.fails_now("open")) return -1;
  return table_.inner_.devpoll->open(path, flags);
}

ssize_t FaultCalls::DevpollFaults::write(int fd, const void* buffer, std::size_t bytes) {
  if (table_.fails_now("write")) return -1;
  return table_.inner_.devpoll->write(fd, buffer, bytes);
}

int FaultCalls::DevpollFaults::ioctl(int fd, int request, dvpoll* arg) {
  if (table_.fails_now("ioctl")) return -1;
  return table_.inner_.devpoll->ioctl(fd, request, arg);
}

int FaultCalls::DevpollFaults::ioctl(int fd, int request, pollfd* arg) {
  if (table_.fails_now("ioctl")) return -1;
  return table_.inner_.devpoll->ioctl(fd, request, arg);
}

int FaultCalls::PortFaults::port_create() {
  if (table_.fails_now("port_create")) return -1;
  return table_.inner_.port->port_create();
}

int FaultCalls::PortFaults::port_associate(int port, int source, std::uintptr_t object,
                                           int events, void* user) {
  if (table_.fails_now("port_associate")) return -1;
  return table_.inner_.port->port_associate(port, source, object, events, user);
}

int FaultCalls::PortFaults::port_dissociate(int port, int source, std::uintptr_t object) {
  if (table_.fails_now("port_dissociate")) return -1;
  return table_.inner_.port->port_dissociate(port, source, object);
}

int FaultCalls::PortFaults::port_getn(int port, port_event* list, unsigned max, unsigned* nget,
                                      const timespec* timeout) {
  if (table_.fails_now("port_getn")) return -1;
  return table_.inner_.port->port_getn(port, list, max, nget, timeout);
}

int FaultCalls::PortFaults::port_get(int port, port_event* event, const timespec* timeout) {
  if (table_.fails_now("port_get")) return -1;
  return table_.inner_.port->port_get(port, event, timeout);
}

int FaultCalls::PortFaults::port_send(int port, int events, void* user) {
  if (table_.fails_now("port_send")) return -1;
  return table_.inner_.port->port_send(port, events, user);
}

#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
int FaultCalls::epoll_create1(int flags) {
  if (fails_now("epoll_create1")) return -1;
  return inner_.epoll->epoll_create1(flags);
}

int FaultCalls::epoll_ctl(int epfd, int op, int fd, epoll_event* event) {
  if (fails_now("epoll_ctl")) return -1;
  return inner_.epoll->epoll_ctl(epfd, op, fd, event);
}

int FaultCalls::epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms) {
  if (fails_now("epoll_wait")) return -1;
  return inner_.epoll->epoll_wait(epfd, events, max_events, timeout_ms);
}

int FaultCalls::epoll_pwait2(int epfd, epoll_event* events, int max_events, const timespec* timeout,
                             const sigset_t* mask) {
  if (fails_now("epoll_pwait2")) return -1;
  return inner_.epoll->epoll_pwait2(epfd, events, max_events, timeout, mask);
}
#endif

#if REFLOOP_KERNEL_HAS_TIMERFD_HEADER
int FaultCalls::timerfd_create(int clock_id, int flags) {
  if (fails_now("timerfd_create")) return -1;
  return inner_.timerfd->timerfd_create(clock_id, flags);
}

int FaultCalls::timerfd_settime(int fd, int flags, const itimerspec* new_value, itimerspec* old_value) {
  if (fails_now("timerfd_settime")) return -1;
  return inner_.timerfd->timerfd_settime(fd, flags, new_value, old_value);
}
#endif


int FaultCalls::kqueue() {
  if (fails_now("kqueue")) return -1;
  return inner_.kqueue->kqueue();
}

// implements: FAULT-001 (kqueue(2): "When kevent() call fails with EINTR error, all changes in the
// changelist have been applied", so a planned EINTR applies them first, without waiting)
int FaultCalls::kevent(int kq, const struct kevent* changes, int nchanges, struct kevent* events,
                       int nevents, const timespec* timeout) {
  if (!fails_now("kevent")) return inner_.kqueue->kevent(kq, changes, nchanges, events, nevents, timeout);
  const int error = errno;
  if (error == EINTR && nchanges > 0) {
    const timespec zero{0, 0};
    inner_.kqueue->kevent(kq, changes, nchanges, nullptr, 0, &zero);
  }
  errno = error;
  return -1;
}

bool FaultCalls::emulated() const { return inner_.kqueue != nullptr && inner_.kqueue->emulated(); }

}  // namespace refloop::kernel
