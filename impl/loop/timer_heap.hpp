// SPDX-License-Identifier: ISC
// The timer heap of one loop (spec/loop.md, TIMER): a 4-ary min-heap on `expires`, each slot
// holding a copy of its timer's expiry beside the pointer, and each timer remembering its own
// slot so unregistering is O(log n) without a search. The copy is what makes the heap fast at a
// million timers: sifting compares slots in one contiguous array instead of following a pointer
// to every timer it passes (TIMER-001 forbids changing `expires` while registered, so the copy
// cannot go stale). Four children per node halve the depth of a binary heap, and the four sit in
// one or two cache lines. The earliest timer is O(1). There is no limit on the number of timers
// but memory, and the array's storage is reused, so a steady number of timers allocates nothing.
// Equal expiries come out in no particular order (TIMER-006): the heap is not stable, as in
// ivykis.
#pragma once

#include <cstddef>
#include <vector>

#include "refloop/loop/loop.hpp"

namespace refloop::detail {

class TimerHeap {
 public:
  [[nodiscard]] bool empty() const { return slots_.empty(); }
  [[nodiscard]] std::size_t size() const { return slots_.size(); }
  [[nodiscard]] Timer& earliest() const { return *slots_.front().timer; }  // requires !empty()
  [[nodiscard]] const tain& earliest_expiry() const { return slots_.front().expires; }

  void insert(Timer& timer);  // sets where = heap and position
  void remove(Timer& timer);  // timer must be in this heap; sets where = nowhere
  [[nodiscard]] bool valid() const;  // the heap property, the copies and every position (tests)

 private:
  struct Slot {
    tain expires;  // a copy of timer->expires
    Timer* timer;
  };
  static constexpr std::size_t arity = 4;  // children of i: arity*i+1 .. arity*i+arity

  void place(std::size_t index, const Slot& slot);
  void sift_up(std::size_t index);
  void sift_down(std::size_t index);
  [[nodiscard]] std::size_t earliest_child(std::size_t index) const;

  std::vector<Slot> slots_;
};

}  // namespace refloop::detail
