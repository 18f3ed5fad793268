// SPDX-License-Identifier: ISC
// The real fds and the model's world of one case (iopause_world.hpp). Bytes are written before
// any end of their channel closes (the model's byte counts mean "in the buffer when the end
// closed"), so a write after a close is refused as a bad case.
#include "iopause_world.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "iopause_adapter.hpp"

namespace refloop::conformance::iopause_suite {

namespace mi = model::iopause_model;

int FdWorld::fd_of(const EndRef& end) const {
  if (end.channel >= channels_.count()) throw std::runtime_error("no channel c" + std::to_string(end.channel));
  return channels_.number(end_index(end));
}

void FdWorld::apply(const Op& op) {
  if (op.kind == OpKind::pipe || op.kind == OpKind::socketpair) {
    if (channels_.create(op.kind == OpKind::pipe ? ChannelKind::pipe : ChannelKind::socketpair) < 0)
      throw std::runtime_error("cannot create a pipe or socketpair");
    return;
  }
  (void)fd_of(op.end);
  const int end = end_index(op.end);
  if (op.kind == OpKind::write) {
    if (channels_.closed(end) || channels_.closed(ChannelWorld::peer_of(end)))
      throw std::runtime_error("write after a close of the channel");
    if (!channels_.can_write(end)) throw std::runtime_error("a pipe is written at end b");
    if (channels_.write(end, op.count) != op.count) throw std::runtime_error("short write");
  } else if (op.kind == OpKind::close) {
    if (channels_.closed(end)) throw std::runtime_error("end closed twice");
    channels_.close(end);
  }
}

// What the model knows of a channel: its kind, the bytes sent towards each end and which ends
// are closed (the model's byte counts mean "in the buffer when the end closed").
mi::Channel FdWorld::model_channel(unsigned channel) const {
  const int a = static_cast<int>(2 * channel), b = a + 1;
  return mi::Channel{channels_.is_socket(static_cast<int>(channel)), {static_cast<unsigned>(channels_.sent_to(a)), static_cast<unsigned>(channels_.sent_to(b))},
                     {channels_.closed(a), channels_.closed(b)}};
}

// The lowest number that is not open, resolved at each wait (a later pipe may take it; the
// next wait then resolves another). Low, so it lies inside the process's fd table: select(2)
// silently skips numbers beyond the table instead of failing with EBADF (see IOPAUSE-022-3).
int FdWorld::unopened_fd() {
  for (int fd = 3; fd < FD_SETSIZE; ++fd)
    if (::fcntl(fd, F_GETFD) < 0) return fd;
  throw std::runtime_error("no unopened fd number below FD_SETSIZE");
}

// RLIMIT_NOFILE's soft limit, which ppoll and poll compare the array's length with (IOPAUSE-026).
std::size_t FdWorld::soft_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) throw std::runtime_error("getrlimit(RLIMIT_NOFILE) failed");
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > (rlim_t{1} << 24))
    throw std::runtime_error("RLIMIT_NOFILE is too large to fill an array beyond it");
  return static_cast<std::size_t>(limit.rlim_cur);
}

std::vector<pollfd> FdWorld::resolve(const std::vector<EntrySpec>& entries) const {
  std::vector<pollfd> out;
  for (const EntrySpec& e : entries) {
    if (e.kind == FdKind::fill_beyond_rlimit) {  // ignored entries, one more than the limit allows
      out.resize(std::max<std::size_t>(out.size(), soft_fd_limit() + 1), pollfd{-1, e.events, revents_before_wait});
      continue;
    }
    const int fd = e.kind == FdKind::negative ? -1 : e.kind == FdKind::unopened ? unopened_fd()
                 : e.kind == FdKind::number ? e.number : fd_of(e.end);
    out.push_back(pollfd{fd, e.events, revents_before_wait});
  }
  return out;
}

bool FdWorld::model_world(const std::vector<EntrySpec>& entries, mi::World& out) const {
  out = mi::World{{}, {}};
  for (unsigned channel = 0; channel < channels_.count(); ++channel) out.channels.push_back(model_channel(channel));
  for (const EntrySpec& e : entries) {
    switch (e.kind) {
      case FdKind::number:
      case FdKind::fill_beyond_rlimit: return false;
      case FdKind::negative: out.entries.push_back(mi::Entry{true, 0, 0, e.events}); break;
      case FdKind::unopened:  // a pipe with both ends closed: its number is not open
        out.channels.push_back(mi::Channel{false, {0, 0}, {true, true}});
        out.entries.push_back(mi::Entry{false, static_cast<unsigned>(out.channels.size() - 1), 0, e.events});
        break;
      case FdKind::end: out.entries.push_back(mi::Entry{false, e.end.channel, e.end.end, e.events}); break;
    }
  }
  return true;
}

}  // namespace refloop::conformance::iopause_suite
