// SPDX-License-Identifier: ISC
// The /dev/poll emulator (devpoll_emulator.hpp; spec/os.md OS-200..OS-299). Each member says
// which behaviour of poll(4D) it reproduces.
#include "os/devpoll_emulator.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace refloop::os {

// {OPEN_MAX} of poll(4D)'s EINVAL rows: the soft RLIMIT_NOFILE, or -1 (no limit) if unknown.
long DevpollEmulator::open_max() const {
  rlimit limit{};
  if (readiness_.underneath().fd->getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
      limit.rlim_cur == RLIM_INFINITY)
    return -1;
  return static_cast<long>(limit.rlim_cur);
}

// implements: OS-201 (each open is a new, empty set named by a placeholder descriptor, OS-005;
// only "/dev/poll" exists here)
int DevpollEmulator::open(const char* path, int flags) {
  if (path == nullptr || std::strcmp(path, "/dev/poll") != 0) {
    errno = ENOENT;
    return -1;
  }
  if ((flags & O_ACCMODE) != O_RDWR) {
    errno = EACCES;
    return -1;
  }
  const int descriptor = open_placeholder_descriptor();
  if (descriptor < 0) return -1;
  sets_[descriptor] = InterestSet{};
  return descriptor;
}

// implements: OS-202 (entries with the same fd OR together, and a later write ORs into the cached
// mask), OS-203 (POLLREMOVE removes; for an fd not in the set it is ignored), OS-204 (negative fd
// numbers are skipped; a number that is not open is accepted), OS-205 (the errors)
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

namespace {

// DP_POLL's milliseconds as the real wait's timeout: -1 waits for ever (null), others exactly.
const timespec* timeout_of(int milliseconds, timespec& storage) {
  if (milliseconds < 0) return nullptr;
  storage = timespec{milliseconds / 1000, static_cast<long>(milliseconds % 1000) * 1'000'000};
  return &storage;
}

}  // namespace

// implements: OS-206 (the ready entries, at most dp_nfds, each with the cached events and the
// real revents, the scan resuming after the last fd reported; a look first, then the wait, as
// the driver sleeps only when nothing is ready; 0 on timeout with the buffer untouched;
// dp_nfds == 0 only sleeps), OS-207 (EINTR from the wait: the knob, OS-002)
int DevpollEmulator::poll_set(InterestSet& set, kernel::dvpoll& request) {
  std::vector<pollfd> scan;
  if (request.dp_nfds > 0) {
    scan.reserve(set.events.size());
    const auto resume = set.events.upper_bound(set.last_reported);
    for (auto it = resume; it != set.events.end(); ++it) scan.push_back(pollfd{it->first, it->second, 0});
    for (auto it = set.events.begin(); it != resume; ++it) scan.push_back(pollfd{it->first, it->second, 0});
  }
  timespec storage{};
  int ready = scan.empty() ? 0 : readiness_.look(scan);
  if (ready == 0) ready = readiness_.wait(scan, timeout_of(request.dp_timeout, storage));
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

// implements: OS-206, OS-207 (EBADF, EINVAL, EFAULT)
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

// implements: OS-209 (closing a set discards it; closing any other fd changes no set)
bool DevpollEmulator::closed(int fd) { return sets_.erase(fd) != 0; }

}  // namespace refloop::os
