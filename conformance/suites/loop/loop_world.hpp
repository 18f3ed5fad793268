// SPDX-License-Identifier: ISC
// The loop suite's world (spec/model.md, MODEL-001, MODEL-003): the framework's one world of
// channels (framework/channel_world.hpp) with the model's limits, nonblocking ends and the
// model's write cap, so every end that can write stays writable; and the world operations of the
// vocabulary, which every loop adapter performs alike.
#pragma once

#include "channel_world.hpp"
#include "loop/ops.hpp"

namespace refloop::conformance::loop_suite {

class LoopWorld : public ChannelWorld {
 public:
  LoopWorld()
      : ChannelWorld(ChannelWorldOptions{static_cast<std::size_t>(model::loop::max_channels), true,
                                         static_cast<std::uint64_t>(model::loop::buffer_cap)}) {}

  // The world operations (pipe, socketpair, write, read, close); a registered end is not closed
  // (MODEL-001), so the adapter says which ends are. False when `op` is not a world operation.
  // After a pipe or socketpair the adapter copies the new ends' fds into its Fd objects
  // (fd(end) >= 0).
  template <class IsRegistered>
  bool apply(const model::loop::Op& op, IsRegistered is_registered) {
    using model::loop::Code;
    const int end = op.target.index;
    switch (op.code) {
      case Code::pipe: create(ChannelKind::pipe); return true;
      case Code::socketpair: create(ChannelKind::socketpair); return true;
      case Code::write: write(end, static_cast<std::uint64_t>(op.amount)); return true;
      case Code::read: read(end, static_cast<std::uint64_t>(op.amount)); return true;
      case Code::close:
        if (!is_registered(end)) close(end);
        return true;
      default: return false;
    }
  }
};

}  // namespace refloop::conformance::loop_suite
