// SPDX-License-Identifier: ISC
// Test support: pipes and socketpairs that close themselves, and a closed fd number.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string_view>

namespace refloop::testing {

// Two fds made by pipe() or socketpair(); close_end() closes one early.
class FdPair {
 public:
  static FdPair pipe() {
    FdPair p;
    if (::pipe(p.fd_) < 0) p.fd_[0] = p.fd_[1] = -1;
    return p;
  }
  static FdPair sockets() {
    FdPair p;
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, p.fd_) < 0) p.fd_[0] = p.fd_[1] = -1;
    return p;
  }
  FdPair(FdPair&& other) noexcept : fd_{other.fd_[0], other.fd_[1]} { other.fd_[0] = other.fd_[1] = -1; }
  FdPair& operator=(FdPair&&) = delete;
  ~FdPair() {
    close_end(0);
    close_end(1);
  }
  [[nodiscard]] int operator[](int end) const { return fd_[end]; }
  // Closes one end; returns its old number, which is then not open.
  int close_end(int end) {
    const int number = fd_[end];
    if (number >= 0) ::close(number);
    fd_[end] = -1;
    return number;
  }
  void write_to(int end, std::string_view bytes) const {
    if (::write(fd_[end], bytes.data(), bytes.size()) < 0) return;
  }

 private:
  FdPair() = default;
  int fd_[2] = {-1, -1};
};

// A fd number that is not open: made by opening and closing a pipe.
inline int closed_fd_number() {
  FdPair p = FdPair::pipe();
  return p.close_end(1);
}

}  // namespace refloop::testing
