// SPDX-License-Identifier: ISC
// See channel_world.hpp.
#include "channel_world.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace refloop::conformance {

ChannelWorld::~ChannelWorld() {
  for (Channel& channel : channels_)
    for (End& end : channel.ends)
      if (end.fd >= 0) ::close(end.fd);
}

int ChannelWorld::create(ChannelKind kind) {
  if (options_.max_channels != 0 && channels_.size() == options_.max_channels) return -1;
  const int nonblocking = options_.nonblocking ? O_NONBLOCK : 0;
  int pair[2];
  const int made = kind == ChannelKind::socketpair
                       ? ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (options_.nonblocking ? SOCK_NONBLOCK : 0), 0, pair)
                       : ::pipe2(pair, O_CLOEXEC | nonblocking);
  if (made != 0) return -1;
  channels_.push_back(Channel{kind == ChannelKind::socketpair, {End{pair[0], pair[0], 0}, End{pair[1], pair[1], 0}}});
  return static_cast<int>(channels_.size() - 1);
}

std::uint64_t ChannelWorld::write(int end, std::uint64_t bytes) {
  const int peer = peer_of(end);
  if (fd(end) < 0 || fd(peer) < 0 || !can_write(end)) return 0;
  std::uint64_t count = bytes;
  if (options_.unread_cap != 0) {
    const std::uint64_t waiting = unread(peer).value_or(0);
    count = std::min(bytes, options_.unread_cap - std::min(options_.unread_cap, waiting));
  }
  if (count == 0) return 0;
  const std::vector<char> data(static_cast<std::size_t>(count), 'x');
  const ssize_t written = is_socket(channel_of(end)) ? ::send(fd(end), data.data(), data.size(), MSG_NOSIGNAL)
                                                     : ::write(fd(end), data.data(), data.size());
  if (written <= 0) return 0;
  end_of(peer).sent_to += static_cast<std::uint64_t>(written);
  return static_cast<std::uint64_t>(written);
}

void ChannelWorld::read(int end, std::uint64_t bytes) {
  if (fd(end) < 0 || !can_read(end) || bytes == 0) return;
  std::vector<char> data(static_cast<std::size_t>(bytes));
  (void)!::read(fd(end), data.data(), data.size());  // EAGAIN when empty: nothing read
}

void ChannelWorld::close(int end) {
  if (fd(end) < 0) return;
  ::close(end_of(end).fd);
  end_of(end).fd = -1;
}

int ChannelWorld::release(int end) {
  const int released = fd(end);
  if (released >= 0) end_of(end).fd = -1;
  return released;
}

std::optional<std::uint64_t> ChannelWorld::unread(int end) const {
  if (fd(end) < 0 || !can_read(end)) return std::nullopt;
  int count = 0;
  return ::ioctl(fd(end), FIONREAD, &count) == 0 ? static_cast<std::uint64_t>(count) : 0;
}

}  // namespace refloop::conformance
