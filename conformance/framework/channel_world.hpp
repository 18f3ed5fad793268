// SPDX-License-Identifier: ISC
// The one world of channels every suite, adapter and model view is built from (spec/model.md,
// MODEL-001, MODEL-003; conformance/suites/iopause/README.md): real pipes and AF_UNIX stream socket
// pairs, numbered as the vocabularies number them (channel c has ends 2c, `cNa`, and 2c+1,
// `cNb`; a pipe reads at a and writes at b), with what a model needs to know about each channel:
// its kind, which ends are closed, and how many bytes were written towards each end. Standard
// library and POSIX only, so runners built against Debian's headers share it. Which end may be
// closed (not one an implementation still watches) is the suite's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace refloop::conformance {

enum class ChannelKind { pipe, socketpair };

struct ChannelWorldOptions {
  std::size_t max_channels = 0;  // 0: no limit
  bool nonblocking = true;       // O_NONBLOCK on every end (the loop suite's MODEL-003 world)
  std::uint64_t unread_cap = 0;  // writes stop at this many unread bytes at the peer; 0: no cap
};

class ChannelWorld {
 public:
  explicit ChannelWorld(ChannelWorldOptions options) : options_(options) {}
  ~ChannelWorld();
  ChannelWorld(const ChannelWorld&) = delete;
  ChannelWorld& operator=(const ChannelWorld&) = delete;

  static int channel_of(int end) { return end / 2; }
  static int peer_of(int end) { return end ^ 1; }

  // The next channel (close-on-exec ends); its index, or -1 when the limit is reached or the
  // system refuses.
  int create(ChannelKind kind);
  [[nodiscard]] std::size_t count() const { return channels_.size(); }
  [[nodiscard]] bool exists(int end) const { return end >= 0 && static_cast<std::size_t>(channel_of(end)) < channels_.size(); }
  [[nodiscard]] bool is_socket(int channel) const { return channels_[static_cast<std::size_t>(channel)].socket; }
  // The end's fd; -1 when it is closed, released or does not exist.
  [[nodiscard]] int fd(int end) const { return exists(end) ? end_of(end).fd : -1; }
  [[nodiscard]] bool closed(int end) const { return exists(end) && end_of(end).fd < 0; }
  // The number the end's fd has or had before it was closed (a case may watch a closed end's
  // number, spec/iopause.md); -1 when the end does not exist.
  [[nodiscard]] int number(int end) const { return exists(end) ? end_of(end).number : -1; }
  [[nodiscard]] bool can_write(int end) const { return exists(end) && (is_socket(channel_of(end)) || end % 2 == 1); }
  [[nodiscard]] bool can_read(int end) const { return exists(end) && (is_socket(channel_of(end)) || end % 2 == 0); }
  // Bytes ever written towards `end` (the bytes its reader was sent).
  [[nodiscard]] std::uint64_t sent_to(int end) const { return exists(end) ? end_of(end).sent_to : 0; }

  // Writes up to `bytes` at `end` (nothing when it cannot write or either end is closed), stopping
  // at the unread cap [req:MODEL-003]; the bytes written.
  std::uint64_t write(int end, std::uint64_t bytes);
  // Reads up to `bytes` at `end`; nothing when it cannot read or nothing is there.
  void read(int end, std::uint64_t bytes);
  void close(int end);
  // Forgets an end without closing it; the caller now owns the fd (the close-keep probe).
  int release(int end);
  // Unread bytes at an open end that can read; nullopt otherwise.
  [[nodiscard]] std::optional<std::uint64_t> unread(int end) const;

 private:
  struct End {
    int fd = -1;
    int number = -1;
    std::uint64_t sent_to = 0;
  };
  struct Channel {
    bool socket = false;
    End ends[2];
  };
  [[nodiscard]] const End& end_of(int end) const { return channels_[static_cast<std::size_t>(channel_of(end))].ends[end % 2]; }
  End& end_of(int end) { return channels_[static_cast<std::size_t>(channel_of(end))].ends[end % 2]; }

  ChannelWorldOptions options_;
  std::vector<Channel> channels_;
};

}  // namespace refloop::conformance
