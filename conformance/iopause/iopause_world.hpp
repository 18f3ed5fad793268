// SPDX-License-Identifier: ISC
// The world of one case, kept twice: as real pipes and socketpairs (what every adapter's fds
// point at) and as the model's World (model/iopause), so the model can say what each entry's
// revents must be (spec/iopause.md, REVENTS). Operations that make no sense (writing to a closed
// end, an unknown channel) are errors in the case, reported as such.
#pragma once

#include <poll.h>

#include <array>
#include <vector>

#include "iopause/iopause_model.hpp"
#include "iopause_case.hpp"

namespace refloop::conformance::iopause_suite {

class FdWorld {
 public:
  FdWorld() = default;
  ~FdWorld();
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

  struct Ends {
    std::array<int, 2> fd{-1, -1};
    std::array<bool, 2> open{true, true};
  };
  std::vector<Ends> ends_;
  std::vector<model::iopause_model::Channel> channels_;
};

}  // namespace refloop::conformance::iopause_suite
