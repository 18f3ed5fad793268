// SPDX-License-Identifier: ISC
// Builds a model World (iopause_model.hpp) out of real pipes and socketpairs, for the property
// tests, the fuzz target and the differential test: every channel is created first, then the
// bytes are written, and only then are ends closed, so a closed end's number is a fd that is not
// open (nothing else is opened while the world lives). The destructor closes what is still open.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "iopause_model.hpp"

namespace refloop::model::iopause_model {

class RealWorld {
 public:
  explicit RealWorld(const World& world) : world_(world) {
    for (const Channel& c : world.channels) ends_.push_back(open_channel(c));
    for (std::size_t i = 0; i < world.channels.size(); ++i) fill(world.channels[i], ends_[i]);
    for (std::size_t i = 0; i < world.channels.size(); ++i) {
      for (unsigned end = 0; end < 2; ++end) {
        if (world.channels[i].closed[end]) close_end(ends_[i][end]);
      }
    }
  }
  ~RealWorld() {
    for (auto& pair : ends_) {
      for (Fd& fd : pair) close_end(fd);
    }
  }
  RealWorld(const RealWorld&) = delete;
  RealWorld& operator=(const RealWorld&) = delete;

  // The entries as an iopause array: a closed end keeps its (now unused) number.
  [[nodiscard]] std::vector<pollfd> entries() const {
    std::vector<pollfd> out;
    for (const Entry& e : world_.entries) {
      const int fd = e.negative ? -1 : ends_[e.channel][e.end].number;
      out.push_back(pollfd{fd, e.events, 0});
    }
    return out;
  }

 private:
  struct Fd {
    int number = -1;
    bool open = false;
  };

  static std::array<Fd, 2> open_channel(const Channel& c) {
    int fds[2] = {-1, -1};
    const int made = c.socketpair ? ::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : ::pipe(fds);
    if (made < 0) throw std::runtime_error("RealWorld: cannot create a pipe or socketpair");
    return {Fd{fds[0], true}, Fd{fds[1], true}};
  }

  static void write_bytes(const Fd& fd, unsigned count) {
    std::vector<char> bytes(count, 'x');
    if (count > 0 && ::write(fd.number, bytes.data(), count) != static_cast<ssize_t>(count))
      throw std::runtime_error("RealWorld: short write");
  }

  // bytes[e] is what end e can read: written through the other end.
  static void fill(const Channel& c, const std::array<Fd, 2>& ends) {
    write_bytes(ends[1], c.bytes[0]);
    if (c.socketpair) write_bytes(ends[0], c.bytes[1]);
  }

  static void close_end(Fd& fd) {
    if (!fd.open) return;
    ::close(fd.number);
    fd.open = false;
  }

  World world_;
  std::vector<std::array<Fd, 2>> ends_;
};

}  // namespace refloop::model::iopause_model
