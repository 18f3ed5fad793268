// SPDX-License-Identifier: ISC
// The world of one case: the framework's one world of channels (framework/channel_world.hpp,
// blocking ends, as an iopause caller's fds usually are), which every adapter's fds point at and
// from which the model's World (model/iopause) is derived, so the model can say what each
// entry's revents must be (spec/iopause.md, REVENTS). Operations that make no sense (writing to a
// closed end, an unknown channel) are errors in the case, reported as such.
#pragma once

#include <poll.h>

#include <vector>

#include "channel_world.hpp"
#include "iopause/iopause_model.hpp"
#include "iopause_case.hpp"

namespace refloop::conformance::iopause_suite {

class FdWorld {
 public:
  FdWorld() = default;
  FdWorld(const FdWorld&) = delete;
  FdWorld& operator=(const FdWorld&) = delete;

  // pipe, socketpair, write, close; throws std::runtime_error on a bad case.
  void apply(const Op& op);
  // The entries as an iopause array (revents = revents_before_wait), and the model's view of
  // them, which is false when an entry is beyond the model (fd=N).
  std::vector<pollfd> resolve(const std::vector<EntrySpec>& entries) const;
  bool model_world(const std::vector<EntrySpec>& entries, model::iopause_model::World& out) const;

 private:
  int fd_of(const EndRef& end) const;
  static int unopened_fd();
  static std::size_t soft_fd_limit();

  static int end_index(const EndRef& end) { return static_cast<int>(2 * end.channel + end.end); }
  [[nodiscard]] model::iopause_model::Channel model_channel(unsigned channel) const;

  ChannelWorld channels_{ChannelWorldOptions{0, false, 0}};
};

}  // namespace refloop::conformance::iopause_suite
