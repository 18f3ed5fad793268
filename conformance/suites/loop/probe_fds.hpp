// SPDX-License-Identifier: ISC
// What the fd probes of every adapter read and do to a real fd (conformance/README.md,
// "Probes"), so the adapters answer in the same words: `flags` (FD-009), `oobinline` (IVAPI-023),
// errno names for `register-try` (FD-003), and a duplicate at or above FD_SETSIZE for
// `register-try-high` (BACKEND-010).
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "loop_world.hpp"

namespace refloop::conformance::loop_suite {

// "nonblock cloexec", "blocking", ...: the two flags registration must set (FD-009).
inline std::string fd_flags(int fd) {
  const int status = ::fcntl(fd, F_GETFL), descriptor = ::fcntl(fd, F_GETFD);
  if (status < 0 || descriptor < 0) return "closed";
  return std::string((status & O_NONBLOCK) != 0 ? "nonblock" : "blocking") + ((descriptor & FD_CLOEXEC) != 0 ? " cloexec" : "");
}

inline void clear_fd_flags(int fd) {
  const int status = ::fcntl(fd, F_GETFL), descriptor = ::fcntl(fd, F_GETFD);
  if (status >= 0) ::fcntl(fd, F_SETFL, status & ~O_NONBLOCK);
  if (descriptor >= 0) ::fcntl(fd, F_SETFD, descriptor & ~FD_CLOEXEC);
}

// "oobinline on" / "oobinline off" for a socket, "not a socket" otherwise.
inline std::string oobinline(int fd) {
  int on = 0;
  socklen_t size = sizeof on;
  if (::getsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &on, &size) != 0) return "not a socket";
  return on != 0 ? "oobinline on" : "oobinline off";
}

// "0" for success, else the errno's symbolic name ("EBADF"); "errno 0" when a failure left it 0.
inline std::string errno_name(int error) {
  if (error == 0) return "errno 0";
  const char* name = ::strerrorname_np(error);
  return name != nullptr ? name : "errno " + std::to_string(error);
}

// A duplicate of `fd` at or above FD_SETSIZE (raising the soft RLIMIT_NOFILE if it must), or -1.
inline int dup_high(int fd) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur <= FD_SETSIZE + 8 && limit.rlim_max > FD_SETSIZE + 8) {
    limit.rlim_cur = FD_SETSIZE + 8;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  return ::fcntl(fd, F_DUPFD_CLOEXEC, FD_SETSIZE);
}

// The probes every adapter performs on channel end `end` alike (its Fd holds `fd`): close-keep,
// clear-flags, flags, oobinline. Nullopt for any other probe.
inline std::optional<std::string> channel_end_probe(const std::string& name, int end, LoopWorld& channels, int fd) {
  if (name == "close-keep") {
    if (channels.fd(end) >= 0) ::close(channels.release(end));
    return "";
  }
  if (name == "clear-flags") {
    clear_fd_flags(fd);
    return "";
  }
  if (name == "flags") return fd_flags(fd);
  if (name == "oobinline") return oobinline(fd);
  return std::nullopt;
}

}  // namespace refloop::conformance::loop_suite
