// SPDX-License-Identifier: ISC
// kqueue(2) in user space (kqueue_emulator.hpp; spec/os.md, OS-100..OS-199). Sources: the kqueue(2)
// manual pages of FreeBSD, macOS, OpenBSD and NetBSD; where a behaviour rests on FreeBSD's
// sys/kern/kern_event.c instead, the requirement says so.
#include "os/kqueue_emulator.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#if __has_include(<linux/sockios.h>)
#include <linux/sockios.h>  // SIOCOUTQ
#endif

namespace refloop::os {

using namespace refloop::kernel;  // struct kevent and its constants, native or refloop's own

namespace {

// Facts about an fd that no poll answers (its type, its byte counts), asked of the kernel
// directly: they are questions, never waits, and no fault plan needs to reach them.
// implements: OS-113, OS-114 (only S_ISREG files get the vnode rules; a directory or a device
// is answered from poll(2) like any other fd)
bool is_regular_file(int fd) {
  struct stat status {};
  return ::fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
}

std::intptr_t bytes_before_eof(int fd) {
  struct stat status {};
  const off_t offset = ::lseek(fd, 0, SEEK_CUR);
  if (::fstat(fd, &status) != 0 || offset < 0) return 0;
  return static_cast<std::intptr_t>(status.st_size - offset);
}

std::intptr_t bytes_readable(int fd) {
  int count = 0;
  return ::ioctl(fd, FIONREAD, &count) == 0 ? count : 0;
}

// The room left for writing: a pipe's capacity less what it holds, a socket's send buffer less
// what is queued in it (Linux's F_GETPIPE_SZ and SIOCOUTQ); 0 where the system cannot say.
std::intptr_t write_space(int fd) {
#if defined(F_GETPIPE_SZ) && defined(SIOCOUTQ)
  if (const int capacity = ::fcntl(fd, F_GETPIPE_SZ); capacity > 0)
    return capacity - bytes_readable(fd);
  int buffer = 0;
  int queued = 0;
  socklen_t size = sizeof buffer;
  if (::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, &size) == 0 &&
      ::ioctl(fd, SIOCOUTQ, &queued) == 0)
    return buffer > queued ? buffer - queued : 0;
#else
  (void)fd;
#endif
  return 0;
}

#if defined(POLLRDHUP)
constexpr short peer_shut_down = POLLRDHUP;
#else
constexpr short peer_shut_down = 0;
#endif

// What a filter asks poll(2) about its fd.
short poll_interest(short filter) { return filter == EVFILT_READ ? POLLIN | peer_shut_down : POLLOUT; }

int fail(int error) {
  errno = error;
  return -1;
}

bool valid_timeout(const timespec* timeout) {
  return timeout == nullptr ||
         (timeout->tv_sec >= 0 && timeout->tv_nsec >= 0 && timeout->tv_nsec < 1'000'000'000);
}

// An ident names a descriptor only when it fits an int.
int descriptor_of(std::uintptr_t ident) {
  return ident <= static_cast<std::uintptr_t>(INT_MAX) ? static_cast<int>(ident) : -1;
}

}  // namespace

// implements: OS-005, OS-101
int KqueueEmulator::kqueue() {
  const int kq = open_placeholder_descriptor();
  if (kq < 0) return -1;
  queues_[kq] = Queue{};
  return kq;
}

bool KqueueEmulator::closed(int fd) {
  for (auto& [kq, queue] : queues_)
    std::erase_if(queue.knotes, [fd](const auto& entry) {
      return entry.first.first == static_cast<std::uintptr_t>(fd);
    });
  return queues_.erase(fd) != 0;
}

std::size_t KqueueEmulator::knote_count(int kq) const {
  const auto found = queues_.find(kq);
  return found == queues_.end() ? 0 : found->second.knotes.size();
}

// implements: OS-102, OS-103, OS-104, OS-105, OS-106
int KqueueEmulator::kevent(int kq, const struct kevent* changes, int nchanges,
                           struct kevent* events, int nevents, const timespec* timeout) {
  const auto found = queues_.find(kq);
  if (found == queues_.end()) return fail(EBADF);
  if (nchanges < 0 || nevents < 0 || !valid_timeout(timeout)) return fail(EINVAL);
  int written = 0;
  for (int i = 0; i < nchanges; ++i) {
    struct kevent change = changes[i];  // copied first: the two lists may be one array
    const int error = apply(found->second, change);
    if (error == 0 && (change.flags & EV_RECEIPT) == 0) continue;
    if (written == nevents) {
      if (error != 0) return fail(error);  // no room: the rest of the changelist is not applied
      continue;
    }
    change.flags = EV_ERROR;
    change.data = error;
    events[written++] = change;
  }
  if (written > 0) return written;  // entries written: no scan, no wait, whatever the timeout
  if (nevents == 0) return 0;       // nothing to return events in: no wait either
  return scan(found->second, events, nevents, timeout);
}

// implements: OS-103, OS-107, OS-108
int KqueueEmulator::apply(Queue& queue, const struct kevent& change) {
  const auto flags = static_cast<unsigned short>(change.flags & ~EV_SYSFLAGS);
  if (change.filter != EVFILT_READ && change.filter != EVFILT_WRITE) return EINVAL;
  const int fd = descriptor_of(change.ident);
  if (fd < 0 || !readiness_.is_open(fd)) {
    if (fd >= 0) closed(fd);  // closed without our knowing: its knotes went with it (OS-111)
    return EBADF;
  }
  const Key key{change.ident, change.filter};
  const auto knote = queue.knotes.find(key);
  if (knote == queue.knotes.end() && (flags & EV_ADD) == 0) return ENOENT;
  if (flags & EV_DELETE) {
    queue.knotes.erase(key);
    return 0;
  }
  if (flags & EV_ADD) {
    if (change.filter == EVFILT_WRITE && is_regular_file(fd)) return EINVAL;
    add_or_modify(queue, key, change, flags);
  }
  Knote& target = queue.knotes.at(key);
  if (flags & EV_DISABLE) target.enabled = false;
  else if (flags & EV_ENABLE) target.enabled = true;
  return 0;
}

// implements: OS-107 (EV_ADD on an existing knote modifies it and enables it)
void KqueueEmulator::add_or_modify(Queue& queue, const Key& key, const struct kevent& change,
                                   unsigned short flags) {
  constexpr unsigned short kept = EV_ONESHOT | EV_CLEAR | EV_DISPATCH | EV_RECEIPT;
  Knote& knote = queue.knotes[key];
  knote.flags = static_cast<unsigned short>(flags & kept);
  knote.fflags = change.fflags;
  knote.data = change.data;
  knote.udata = change.udata;
  knote.enabled = true;
  knote.cleared = false;
}

// implements: OS-106, OS-109 (a look at every enabled knote; if none is ready, one wait on those
// a wait can end for, then a fresh look)
int KqueueEmulator::scan(Queue& queue, struct kevent* events, int nevents,
                         const timespec* timeout) {
  for (;;) {
    const int found = collect_ready(queue, events, nevents);
    if (found != 0) return found;
    std::vector<pollfd> fds = waitable(queue);
    const int woke = readiness_.wait(fds, timeout);
    if (woke <= 0) return woke;
  }
}

// The enabled knotes, starting after the one the previous scan returned last (round-robin).
std::vector<KqueueEmulator::Key> KqueueEmulator::rotation(const Queue& queue) const {
  std::vector<Key> before, after;
  for (const auto& [key, knote] : queue.knotes) {
    if (!knote.enabled) continue;
    (queue.resume_after && key <= *queue.resume_after ? before : after).push_back(key);
  }
  after.insert(after.end(), before.begin(), before.end());
  return after;
}

// Regular files and retrieved EV_CLEAR knotes are looked at, never waited for: poll says a
// regular file is always ready, and a cleared knote stays ready until something changes.
std::vector<pollfd> KqueueEmulator::waitable(const Queue& queue) const {
  std::vector<pollfd> fds;
  for (const auto& [key, knote] : queue.knotes) {
    const int fd = descriptor_of(key.first);
    if (!knote.enabled || knote.cleared || is_regular_file(fd)) continue;
    fds.push_back(pollfd{fd, poll_interest(key.second), 0});
  }
  return fds;
}

int KqueueEmulator::collect_ready(Queue& queue, struct kevent* events, int nevents) {
  const std::vector<Key> order = rotation(queue);
  std::vector<pollfd> fds;
  for (const Key& key : order)
    fds.push_back(pollfd{descriptor_of(key.first), poll_interest(key.second), 0});
  if (readiness_.look(fds) < 0) return -1;
  int count = 0;
  for (std::size_t i = 0; i < order.size() && count < nevents; ++i) {
    if (fds[i].revents & POLLNVAL) {  // closed without our knowing (OS-111)
      closed(fds[i].fd);
      continue;
    }
    const auto knote = queue.knotes.find(order[i]);
    if (knote == queue.knotes.end()) continue;
    const auto event = evaluate(order[i], knote->second, fds[i].revents);
    if (!event) continue;
    events[count++] = *event;
    after_delivery(queue, order[i]);
  }
  return count;
}

// implements: OS-109, OS-110 (what a filter reports for the fd's poll answer)
std::optional<struct kevent> KqueueEmulator::evaluate(const Key& key, Knote& knote, short revents) {
  const int fd = descriptor_of(key.first);
  const bool reading = key.second == EVFILT_READ;
  const short hangup = POLLHUP | POLLERR | (reading ? peer_shut_down : 0);
  bool ready = (revents & (reading ? POLLIN : POLLOUT)) || (revents & hangup);
  const bool eof = (revents & hangup) != 0;
  std::intptr_t data = reading ? bytes_readable(fd) : eof ? 0 : write_space(fd);
  if (reading && is_regular_file(fd)) {
    data = bytes_before_eof(fd);
    ready = data > 0;
  }
  if (knote.cleared) {
    if (!ready) knote.cleared = false;  // seen to stop holding: the next change fires again
    if (!ready || data == knote.cleared_data) return std::nullopt;
  }
  if (!ready) return std::nullopt;
  struct kevent event {};
  event.ident = key.first;
  event.filter = key.second;
  event.flags = static_cast<unsigned short>(knote.flags | (eof ? EV_EOF : 0));
  event.fflags = 0;
  event.data = data;
  event.udata = knote.udata;
  knote.cleared_data = data;
  return event;
}

// implements: OS-108 (EV_ONESHOT deletes, EV_DISPATCH disables, EV_CLEAR resets the state)
void KqueueEmulator::after_delivery(Queue& queue, const Key& key) {
  queue.resume_after = key;
  Knote& knote = queue.knotes.at(key);
  if (knote.flags & EV_ONESHOT) {
    queue.knotes.erase(key);
    return;
  }
  if (knote.flags & EV_DISPATCH) knote.enabled = false;
  if (knote.flags & EV_CLEAR) knote.cleared = true;
}

}  // namespace refloop::os
