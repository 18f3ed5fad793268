// SPDX-License-Identifier: ISC
// The /dev/poll emulator (devpoll_emulator.hpp; spec/os.md OS-200..OS-299). Each member says
// which behaviour of poll(4D) it reproduces.
#include "devpoll_emulator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace refloop::model::os {

namespace {

// The descriptor behind an interest set only reserves its number, so that it never collides
// with a real fd; nothing reads or polls it.
int reserve_descriptor() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

DevpollEmulator::~DevpollEmulator() {
  for (const auto& [descriptor, set] : sets_) ::close(descriptor);
}

// {OPEN_MAX} of poll(4D)'s EINVAL rows: the soft RLIMIT_NOFILE, or no limit if unknown.
long DevpollEmulator::open_max() const {
  rlimit limit{};
  if (underneath_.fd == nullptr || underneath_.fd->getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
      limit.rlim_cur == RLIM_INFINITY)
    return -1;
  return static_cast<long>(limit.rlim_cur);
}

// implements: OS-201 (each open is a new, empty set; only "/dev/poll" exists here)
int DevpollEmulator::open(const char* path, int flags) {
  if (path == nullptr || std::strcmp(path, "/dev/poll") != 0) {
    errno = ENOENT;
    return -1;
  }
  if ((flags & O_ACCMODE) != O_RDWR) {
    errno = EACCES;
    return -1;
  }
  const int descriptor = reserve_descriptor();
  if (descriptor < 0) return -1;
  sets_[descriptor] = InterestSet{};
  return descriptor;
}

// implements: OS-202 (entries with the same fd OR together, and a later write ORs into the cached
// mask), OS-203 (POLLREMOVE removes; for an fd not in the set it is ignored), OS-204 (negative fd
// numbers are skipped; a number that is not open is accepted), OS-205 (EINVAL beyond {OPEN_MAX}
// entries, or a size that is not a whole number of entries)
ssize_t DevpollEmulator::write(int fd, const void* buffer, std::size_t bytes) {
  const auto found = sets_.find(fd);
  if (found == sets_.end()) {
    errno = EBADF;
    return -1;
  }
  const std::size_t count = bytes / sizeof(pollfd);
  const long limit = open_max();
  if (bytes % sizeof(pollfd) != 0 || (limit >= 0 && count > static_cast<std::size_t>(limit))) {
    errno = EINVAL;
    return -1;
  }
  if (count > 0 && buffer == nullptr) {
    errno = EFAULT;
    return -1;
  }
  std::vector<pollfd> entries(count);
  if (count > 0) std::memcpy(entries.data(), buffer, bytes);
  auto& events = found->second.events;
  for (const pollfd& entry : entries) {
    if (entry.fd < 0) continue;
    if (entry.events == kernel::pollremove) {
      events.erase(entry.fd);
    } else {
      events[entry.fd] = static_cast<short>(events[entry.fd] | entry.events);
    }
  }
  return static_cast<ssize_t>(bytes);
}

// implements: OS-206 (the ready entries, at most dp_nfds, each with the cached events and the real
// revents, the scan resuming after the last fd reported; 0 on timeout with the buffer untouched;
// dp_nfds == 0 only sleeps)
int DevpollEmulator::poll_set(InterestSet& set, kernel::dvpoll& request) {
  if (request.dp_nfds == 0 || set.events.empty()) {
    // Nothing to report: wait for the timeout alone (an infinite one would never end).
    return underneath_.poll->poll(nullptr, 0, request.dp_timeout);
  }
  // The scan order: the fds after the last one reported, then from the lowest.
  std::vector<pollfd> scan;
  scan.reserve(set.events.size());
  for (auto it = set.events.upper_bound(set.last_reported); it != set.events.end(); ++it)
    scan.push_back(pollfd{it->first, it->second, 0});
  for (auto it = set.events.begin(); it != set.events.upper_bound(set.last_reported); ++it)
    scan.push_back(pollfd{it->first, it->second, 0});
  const int ready = underneath_.poll->poll(scan.data(), scan.size(), request.dp_timeout);
  if (ready <= 0) return ready;
  int written = 0;
  for (const pollfd& entry : scan) {
    if (entry.revents == 0) continue;
    if (written == request.dp_nfds) break;
    request.dp_fds[written++] = entry;
    set.last_reported = entry.fd;
  }
  return written;
}

// implements: OS-206, OS-207 (EINTR by knob; EINVAL for another request, a negative dp_nfds or
// one of at least {OPEN_MAX}; EFAULT for a missing buffer)
int DevpollEmulator::ioctl(int fd, int request, kernel::dvpoll* arg) {
  const auto found = sets_.find(fd);
  if (found == sets_.end()) {
    errno = EBADF;
    return -1;
  }
  const long limit = open_max();
  if (request != kernel::dp_poll || (arg != nullptr && arg->dp_nfds < 0) ||
      (arg != nullptr && limit >= 0 && arg->dp_nfds >= limit)) {
    errno = EINVAL;
    return -1;
  }
  if (arg == nullptr || (arg->dp_nfds > 0 && arg->dp_fds == nullptr)) {
    errno = EFAULT;
    return -1;
  }
  if (interrupt_next_poll_) {
    interrupt_next_poll_ = false;
    errno = EINTR;
    return -1;
  }
  return poll_set(found->second, *arg);
}

// implements: OS-208 (DP_ISPOLLED: 1 with the cached events in revents, or 0)
int DevpollEmulator::ioctl(int fd, int request, pollfd* arg) {
  const auto found = sets_.find(fd);
  if (found == sets_.end()) {
    errno = EBADF;
    return -1;
  }
  if (request != kernel::dp_ispolled) {
    errno = EINVAL;
    return -1;
  }
  if (arg == nullptr) {
    errno = EFAULT;
    return -1;
  }
  const auto entry = found->second.events.find(arg->fd);
  if (entry == found->second.events.end()) return 0;
  arg->events = 0;
  arg->revents = entry->second;
  return 1;
}

// implements: OS-209 (closing the set's descriptor discards the set; any other fd is closed as it
// is, and stays in every set that holds it)
int DevpollEmulator::close(int fd) {
  const auto found = sets_.find(fd);
  if (found == sets_.end()) return underneath_.fd->close(fd);
  sets_.erase(found);
  return ::close(fd);
}

}  // namespace refloop::model::os
