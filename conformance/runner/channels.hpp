// SPDX-License-Identifier: ISC
// The real channels behind the vocabulary's world (spec/model.md, MODEL-001, MODEL-003): up to
// four nonblocking pipes or AF_UNIX stream socket pairs, shared by every adapter, with the
// model's write cap, so every end that can write stays writable. Which end may be closed (not
// one whose Fd is registered) is the adapter's business.
#pragma once

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "loop/ops.hpp"

namespace refloop::conformance {

class Channels {
 public:
  Channels() { std::fill(std::begin(fd_), std::end(fd_), -1); }
  ~Channels() {
    for (int fd : fd_)
      if (fd >= 0) ::close(fd);
  }
  Channels(const Channels&) = delete;
  Channels& operator=(const Channels&) = delete;

  [[nodiscard]] int fd(int end) const { return fd_[end]; }
  [[nodiscard]] bool can_write(int end) const { return socket_[model::loop::channel_of(end)] || model::loop::side_of(end) == 1; }
  [[nodiscard]] bool can_read(int end) const { return socket_[model::loop::channel_of(end)] || model::loop::side_of(end) == 0; }

  // The next channel; its index, or -1 when all exist or the system refuses.
  int create(bool socket) {
    if (count_ == model::loop::max_channels) return -1;
    int pair[2];
    const int made = socket ? ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair)
                            : ::pipe2(pair, O_NONBLOCK | O_CLOEXEC);
    if (made != 0) return -1;
    socket_[count_] = socket;
    fd_[2 * count_] = pair[0];
    fd_[2 * count_ + 1] = pair[1];
    return count_++;
  }

  // [req:MODEL-003] writes stop at the model's cap of unread bytes.
  void write(int end, std::uint64_t bytes) {
    const int peer = model::loop::peer_of(end);
    if (fd_[end] < 0 || fd_[peer] < 0 || !can_write(end)) return;
    const std::uint64_t cap = model::loop::buffer_cap;
    const std::size_t count = static_cast<std::size_t>(std::min(bytes, cap - std::min(cap, unread_at(fd_[peer]))));
    if (count == 0) return;
    const std::vector<char> data(count, 'x');
    if (socket_[model::loop::channel_of(end)]) (void)!::send(fd_[end], data.data(), count, MSG_NOSIGNAL);
    else (void)!::write(fd_[end], data.data(), count);
  }

  void read(int end, std::uint64_t bytes) {
    if (fd_[end] < 0 || !can_read(end) || bytes == 0) return;
    std::vector<char> data(static_cast<std::size_t>(bytes));
    (void)!::read(fd_[end], data.data(), data.size());  // EAGAIN when empty: nothing read
  }

  // The world operations of the vocabulary (pipe, socketpair, write, read, close), which every
  // adapter performs alike; a registered end is not closed (MODEL-001), so the adapter says
  // which ends are. False when `op` is not a world operation. After a pipe or socketpair the
  // adapter copies the new ends' fds into its Fd objects (fd(end) >= 0).
  template <class IsRegistered>
  bool apply(const model::loop::Op& op, IsRegistered is_registered) {
    using model::loop::Code;
    const int end = op.target.index;
    switch (op.code) {
      case Code::pipe: case Code::socketpair: create(op.code == Code::socketpair); return true;
      case Code::write: write(end, static_cast<std::uint64_t>(op.amount)); return true;
      case Code::read: read(end, static_cast<std::uint64_t>(op.amount)); return true;
      case Code::close:
        if (!is_registered(end)) close(end);
        return true;
      default: return false;
    }
  }

  // Forgets an end without closing it; the caller now owns the fd (the close-keep probe).
  int release(int end) {
    const int fd = fd_[end];
    fd_[end] = -1;
    return fd;
  }

  void close(int end) {
    if (fd_[end] < 0) return;
    ::close(fd_[end]);
    fd_[end] = -1;
  }

  // Unread bytes at an open end that can read.
  [[nodiscard]] std::optional<std::uint64_t> unread(int end) const {
    if (fd_[end] < 0 || !can_read(end)) return std::nullopt;
    return unread_at(fd_[end]);
  }

 private:
  static std::uint64_t unread_at(int fd) {
    int count = 0;
    return ::ioctl(fd, FIONREAD, &count) == 0 ? static_cast<std::uint64_t>(count) : 0;
  }

  int fd_[model::loop::max_ends];
  bool socket_[model::loop::max_channels] = {};
  int count_ = 0;
};

}  // namespace refloop::conformance
