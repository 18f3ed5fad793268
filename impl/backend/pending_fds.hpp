// SPDX-License-Identifier: ISC
// The lazy backends' list of pending fds (spec/loop.md, BACKEND-002): the fds whose wanted bands
// may differ from what the kernel was told, in the order notify() queued them, handed to the
// flush before the next wait. Used by every backend whose kernel keeps the interest set (epoll,
// kqueue, /dev/poll, event ports). An fd is queued at most once; its slot lives in its
// backend_area (PendingFdState), so forgetting it takes it off at once by leaving a hole that the
// flush skips.
#pragma once

#include <cstdint>
#include <vector>

#include "backend.hpp"

namespace refloop::detail {

// What a lazy backend keeps per fd (detail::backend_state).
struct PendingFdState {
  bool queued;              // on the list, waiting for the flush before the next wait
  std::int32_t queue_slot;  // its index in the list while queued
};

class PendingFds {
 public:
  // implements: BACKEND-002 (queue once; nothing to do when the kernel already agrees)
  void add(Fd& fd) {
    PendingFdState& mine = backend_state<PendingFdState>(fd);
    if (mine.queued || fd.state.registered_bands == fd.state.wanted_bands) return;
    mine.queued = true;
    mine.queue_slot = static_cast<std::int32_t>(queue_.size());
    queue_.push_back(&fd);
  }

  // The fd is being forgotten: off the list now, since it may be freed before the flush.
  void remove(Fd& fd) {
    PendingFdState& mine = backend_state<PendingFdState>(fd);
    if (mine.queued) queue_[static_cast<std::size_t>(mine.queue_slot)] = nullptr;
    mine = PendingFdState{};
  }

  // Calls flush_one(fd) for every fd still queued, in queue order, each already off the list
  // (so flush_one may queue it again for the next flush), and empties the list.
  template <class FlushOne>
  void flush(FlushOne&& flush_one) {
    std::swap(queue_, flushing_);
    for (Fd* fd : flushing_) {
      if (fd == nullptr) continue;  // forgotten since it was queued
      backend_state<PendingFdState>(*fd) = PendingFdState{};
      flush_one(*fd);
    }
    flushing_.clear();  // both lists keep their storage: a steady loop allocates nothing here
  }

 private:
  std::vector<Fd*> queue_;
  std::vector<Fd*> flushing_;
};

}  // namespace refloop::detail
