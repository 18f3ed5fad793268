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
  if (inner_.kqueue != nullptr) wrapped.kqueue = this;
  return wrapped;
}

void FaultCalls::plan(Fault fault) {
  fault_ = std::move(fault);
  armed_ = true;
  fired_ = false;
  counts_.clear();
}

unsigned FaultCalls::count(std::string_view call) const {
  const auto found = counts_.find(call);
  return found == counts_.end() ? 0 : found->second;
}

// implements: FAULT-001
bool FaultCalls::fails_now(std::string_view call) {
  auto found = counts_.find(call);
  if (found == counts_.end()) found = counts_.emplace(std::string(call), 0).first;
  const unsigned nth = ++found->second;
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
