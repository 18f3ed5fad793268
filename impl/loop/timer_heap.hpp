// SPDX-License-Identifier: ISC
// The timer heap of one loop (spec/loop.md, TIMER): a 4-ary min-heap on `expires`, each slot
// holding its timer's expiry, as a 64-bit key (key_of), beside the pointer, and each timer remembering its own
// slot so unregistering is O(log n) without a search. The copy is what makes the heap fast at a
// million timers: sifting compares slots in one contiguous array instead of following a pointer
// to every timer it passes (TIMER-001 forbids changing `expires` while registered, so the copy
// cannot go stale). Four children per node halve the depth of a binary heap, and the four sit in
// one or two cache lines. The earliest timer is O(1). There is no limit on the number of timers
// but memory, and the array's storage is reused, so a steady number of timers allocates nothing.
// Equal expiries come out in no particular order (TIMER-006): the heap is not stable, as in
// ivykis. Sifting stops at an equal key, so equal expiries (many timers on one deadline) move
// no further than they must.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "refloop/loop/loop.hpp"

namespace refloop::detail {

class TimerHeap {
 public:
  [[nodiscard]] bool empty() const { return count_ == 0; }
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] Timer& earliest() const { return *slots_.front().timer; }  // requires !empty()
  [[nodiscard]] const tain& earliest_expiry() const { return earliest().expires; }

  void insert(Timer& timer);  // sets where = heap and position
  void remove(Timer& timer);  // timer must be in this heap; sets where = nowhere
  Timer& pop_earliest();      // requires !empty(); remove(earliest()), cheaper
  [[nodiscard]] bool valid() const;  // the heap property, the keys and every position (tests)

  // The sort key of an expiry: one 64-bit number that orders like the tain, so that nearly every
  // comparison in a sift is one integer comparison (and a slot is 16 bytes, four children 64
  // bytes) instead of comparing two fields. Exact, not an approximation:
  using Key = std::uint64_t;
  static constexpr Key key_below_window = 0;
  static constexpr Key key_above_window = ~Key{0};
  static constexpr std::uint64_t key_window_start = (std::uint64_t{1} << 62) - (std::uint64_t{1} << 33);
  static constexpr std::uint64_t key_window_seconds = (key_above_window - 1) / nano_per_second;
  // Why the key orders exactly like tain (TAIN-004: sec, then nano, as unsigned numbers), for
  // every representable tain: inside the window [key_window_start, key_window_start +
  // key_window_seconds) the key is 1 + the nanoseconds since key_window_start, strictly increasing
  // in (sec, nano) because nano < 10^9, and at most key_window_seconds * 10^9 <= 2^64 - 2; every
  // tain below the window maps to 0 and every tain above it to 2^64 - 1, so a < b implies
  // key(a) <= key(b), and equal keys mean equal tains except for the two saturated keys, whose ties
  // earlier() breaks with the tains themselves. The window holds TAI labels from about 1698 to
  // 2282, so wall-clock, monotonic (label 2^62 + t) and simulated (tain_epoch) expiries all get
  // exact keys; an expiry outside it (tain_zero, tain_infinite) still orders correctly, only more
  // slowly.
  [[nodiscard]] static constexpr Key key_of(const tain& expires) {
    if (expires.sec() < key_window_start) return key_below_window;
    const std::uint64_t seconds = expires.sec() - key_window_start;
    if (seconds >= key_window_seconds) return key_above_window;
    return seconds * nano_per_second + expires.nano() + 1;
  }

 private:
  struct Slot {
    Key key;  // key_of(timer->expires)
    Timer* timer;
  };
  static constexpr std::size_t arity = 4;  // children of i: arity*i+1 .. arity*i+arity

  static bool earlier(const Slot& a, const Slot& b);

  // The slot array as the sift functions use it: passed by value, so its start and length sit
  // in registers. place() writes through a Timer*, which the compiler must assume may alias
  // anything in memory (slots_'s own pointers, or an Array reached through `this`), so loops
  // reading them from memory would reload both at every level.
  struct Array {
    Slot* slots;
    std::size_t count;
  };
  Array array() { return Array{slots_.data(), count_}; }
  static void place(Array heap, std::size_t index, const Slot& slot);
  static void sift_up(Array heap, std::size_t index, Slot moving);
  static void sift_down(Array heap, std::size_t index, Slot moving);
  static void fill_hole(Array heap, std::size_t index, Slot moving);
  static void fill_root_from_leaf(Array heap, Slot moving);
  [[nodiscard]] static std::size_t earliest_child(Array heap, std::size_t index);
  [[nodiscard]] static std::size_t earliest_of_four(Array heap, std::size_t first);
  [[nodiscard]] static std::size_t earliest_of_last_children(Array heap, std::size_t first);
  Slot take_last();
  void grow();


  // The heap is slots_[0, count_); the vector's own size is the storage, grown (doubled) by
  // grow() out of line, so insert's common path holds no reallocation code and saves no
  // registers for it, as push_back's inlined growth path made it do.
  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

}  // namespace refloop::detail
