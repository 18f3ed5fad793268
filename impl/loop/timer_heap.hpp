// SPDX-License-Identifier: ISC
// The timer heap of one loop (spec/loop.md, TIMER): a binary min-heap on `expires`, 1-indexed,
// each timer remembering its own index so unregistering is O(log n) without a search. The
// earliest timer is O(1). There is no limit on the number of timers but memory. Equal expiries
// come out in no particular order (TIMER-006): the heap is not stable, as in ivykis.
#pragma once

#include <cstddef>
#include <vector>

#include "refloop/loop/loop.hpp"

namespace refloop::detail {

class TimerHeap {
 public:
  TimerHeap() : slots_(1, nullptr) {}  // slot 0 is unused, so children of i are 2i and 2i+1

  [[nodiscard]] bool empty() const { return slots_.size() == 1; }
  [[nodiscard]] std::size_t size() const { return slots_.size() - 1; }
  [[nodiscard]] Timer& earliest() const { return *slots_[1]; }  // requires !empty()

  void insert(Timer& timer);  // sets where = heap and position
  void remove(Timer& timer);  // timer must be in this heap; sets where = nowhere
  [[nodiscard]] bool valid() const;  // the heap property and every stored position (for tests)

 private:
  void place(std::size_t index, Timer* timer);
  void sift_up(std::size_t index);
  void sift_down(std::size_t index);
  [[nodiscard]] bool before(std::size_t a, std::size_t b) const {
    return slots_[a]->expires < slots_[b]->expires;
  }

  std::vector<Timer*> slots_;
};

}  // namespace refloop::detail
