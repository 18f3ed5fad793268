// SPDX-License-Identifier: ISC
// The model's world of channels (spec/model.md, MODEL-003): pipes and stream socket pairs with
// unread byte counts and closed ends. The kernel's readiness answer for an end follows from it:
// which conditions hold (readable, writable, hangup or error). Which of those reach a handler is
// the loop's business (loop_model.hpp); this file only says what the kernel would see.
#pragma once

#include <algorithm>
#include <cstdint>

#include "loop/ops.hpp"

namespace refloop::model::loop {

struct Channel {
  bool socket = false;              // a socket pair; otherwise a pipe (end a reads, end b writes)
  bool closed[2] = {false, false};
  std::uint64_t unread[2] = {0, 0};  // bytes waiting to be read at end side 0 / side 1
};

// What the kernel reports for an open end.
struct Conditions {
  bool readable = false;
  bool writable = false;
  bool hangup = false;  // POLLHUP or POLLERR: the peer end is closed
};

class World {
 public:
  [[nodiscard]] int channel_count() const { return count_; }
  [[nodiscard]] bool exists(int end) const { return end >= 0 && channel_of(end) < count_; }
  [[nodiscard]] bool open(int end) const { return exists(end) && !channel(end).closed[side_of(end)]; }
  [[nodiscard]] const Channel& channel(int end) const { return channels_[channel_of(end)]; }
  [[nodiscard]] std::uint64_t unread(int end) const { return channel(end).unread[side_of(end)]; }

  // `pipe` / `socketpair`: the next channel, or nothing when all exist.
  void create(bool socket) {
    if (count_ == max_channels) return;
    channels_[count_++] = Channel{socket, {false, false}, {0, 0}};
  }

  // Only a socket end or a pipe's end b writes; nothing is written once either end is closed
  // (a write to a closed reader fails with EPIPE). The peer's unread bytes stop at buffer_cap.
  std::uint64_t write(int end, std::uint64_t bytes) {
    if (!open(end) || !open(peer_of(end)) || !can_write(end)) return 0;
    std::uint64_t& unread = mutable_channel(end).unread[side_of(peer_of(end))];
    const std::uint64_t written = std::min(bytes, buffer_cap - unread);
    unread += written;
    return written;
  }

  // Only a socket end or a pipe's end a reads.
  std::uint64_t read(int end, std::uint64_t bytes) {
    if (!open(end) || !can_read(end)) return 0;
    std::uint64_t& unread = mutable_channel(end).unread[side_of(end)];
    const std::uint64_t taken = std::min(bytes, unread);
    unread -= taken;
    return taken;
  }

  // Closing discards what this end had not read.
  void close(int end) {
    if (!open(end)) return;
    mutable_channel(end).closed[side_of(end)] = true;
    mutable_channel(end).unread[side_of(end)] = 0;
  }

  // implements: MODEL-003
  [[nodiscard]] Conditions conditions(int end) const {
    const bool peer_closed = channel(end).closed[side_of(peer_of(end))];
    Conditions c;
    c.hangup = peer_closed;
    c.readable = can_read(end) && (unread(end) > 0 || (channel(end).socket && peer_closed));
    c.writable = can_write(end);
    return c;
  }

 private:
  [[nodiscard]] bool can_write(int end) const { return channel(end).socket || side_of(end) == 1; }
  [[nodiscard]] bool can_read(int end) const { return channel(end).socket || side_of(end) == 0; }
  Channel& mutable_channel(int end) { return channels_[channel_of(end)]; }

  Channel channels_[max_channels];
  int count_ = 0;
};

}  // namespace refloop::model::loop
