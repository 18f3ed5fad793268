// SPDX-License-Identifier: ISC
// The timer heap (spec/loop.md, TIMER-005, TIMER-006) and the Loop's timer registration
// (TIMER-002..004, FATAL-003). Sifting moves a timer only by writing it to a new slot through
// place(), which also records the slot in the timer, so positions can never go stale.
#include "timer_heap.hpp"

#include <cstdint>
#include <utility>

#include "refloop/loop/fatal.hpp"
#include "truncate_on_exit.hpp"

namespace refloop::detail {

using Where = TimerState::Where;

// Slot a before slot b (a's expiry earlier): one integer comparison unless both keys are the
// same saturated one; only then are the timers' own expiries read.
inline bool TimerHeap::earlier(const Slot& a, const Slot& b) {
  if (a.key != b.key) return a.key < b.key;
  if (a.key != key_below_window && a.key != key_above_window) return false;
  return a.timer->expires < b.timer->expires;
}

inline void TimerHeap::place(Array heap, std::size_t index, const Slot& slot) {
  heap.slots[index] = slot;
  slot.timer->state.position = index;
}

// Moves `moving`, destined for the slot at `index`, towards the root past every later parent
// (stopping at an equal one): the parents shift down one level each and `moving` is written
// once, where it stops.
void TimerHeap::sift_up(Array heap, std::size_t index, const Slot moving) {
  while (index > 0) {
    const std::size_t parent = (index - 1) / arity;
    if (!earlier(moving, heap.slots[parent])) break;
    place(heap, index, heap.slots[parent]);
    index = parent;
  }
  place(heap, index, moving);
}

// The earliest of the four children starting at `first`, as a tournament (two pairs, then
// their winners): three comparisons without the loop's bounds test per child, and the two
// pairs are independent. Most nodes of a large heap have all four children.
inline std::size_t TimerHeap::earliest_of_four(Array heap, std::size_t first) {
  const Slot* child = &heap.slots[first];
  const std::size_t left = earlier(child[1], child[0]) ? 1 : 0;
  const std::size_t right = earlier(child[3], child[2]) ? 3 : 2;
  return first + (earlier(child[right], child[left]) ? right : left);
}

// The earliest of the children from `first` to the end of the array (fewer than four: the
// last parent's), kept out of earliest_child so that stays small enough to inline.
std::size_t TimerHeap::earliest_of_last_children(Array heap, std::size_t first) {
  std::size_t best = first;
  for (std::size_t child = first + 1; child < heap.count; ++child)
    if (earlier(heap.slots[child], heap.slots[best])) best = child;
  return best;
}

// The child of `index` with the earliest expiry, or `index` itself when it has no children.
inline std::size_t TimerHeap::earliest_child(Array heap, std::size_t index) {
  const std::size_t first = arity * index + 1;
  if (first + arity <= heap.count) return earliest_of_four(heap, first);
  if (first >= heap.count) return index;
  return earliest_of_last_children(heap, first);
}

// Moves `moving`, destined for the slot at `index`, away from the root past every earlier
// child (stopping at an equal one), written once.
void TimerHeap::sift_down(Array heap, std::size_t index, const Slot moving) {
  for (;;) {
    const std::size_t child = earliest_child(heap, index);
    if (child == index || !earlier(heap.slots[child], moving)) break;
    place(heap, index, heap.slots[child]);
    index = child;
  }
  place(heap, index, moving);
}

// Puts `moving` into the hole at `index` (left by a removed timer) and restores the heap: one
// comparison with the parent picks the direction, which saves the four-way comparison of the
// children that trying up and then down would make after every move up.
void TimerHeap::fill_hole(Array heap, std::size_t index, const Slot moving) {
  if (index > 0 && earlier(moving, heap.slots[(index - 1) / arity])) {
    sift_up(heap, index, moving);
  } else {
    sift_down(heap, index, moving);
  }
}

// With the root a hole (its timer taken), moves the earliest child up into the hole, level by
// level, until the hole is a leaf, then puts `moving` there and sifts it up. Saves, at every
// level, the comparison of `moving` against the earliest child: `moving` comes from the end of
// the array and nearly always belongs near the bottom again, so sift_up puts it back in a step
// or two (Floyd's bottom-up pop).
void TimerHeap::fill_root_from_leaf(Array heap, const Slot moving) {
  std::size_t hole = 0;
  for (;;) {
    const std::size_t child = earliest_child(heap, hole);
    if (child == hole) break;
    place(heap, hole, heap.slots[child]);
    hole = child;
  }
  sift_up(heap, hole, moving);
}

// Removes the last slot and returns it (the slot that fills a hole).
inline TimerHeap::Slot TimerHeap::take_last() { return slots_[--count_]; }

void TimerHeap::grow() { slots_.resize(slots_.empty() ? 64 : 2 * slots_.size()); }

// implements: TIMER-005 (O(log n) insert)
void TimerHeap::insert(Timer& timer) {
  if (count_ == slots_.size()) grow();
  timer.state.where = Where::heap;
  const std::size_t index = count_++;
  sift_up(array(), index, Slot{key_of(timer.expires), &timer});
}

// implements: TIMER-005 (O(log n) removal: the last slot fills the hole, then moves up or down)
void TimerHeap::remove(Timer& timer) {
  const std::size_t hole = timer.state.position;
  const Slot last = take_last();
  timer.state.where = Where::nowhere;
  timer.state.position = 0;
  if (last.timer != &timer) fill_hole(array(), hole, last);
}

// implements: TIMER-005 (O(log n) removal of the earliest timer, the expiry path's step)
Timer& TimerHeap::pop_earliest() {
  Timer& earliest = *slots_.front().timer;
  const Slot last = take_last();
  earliest.state.where = Where::nowhere;
  earliest.state.position = 0;
  if (last.timer != &earliest) fill_root_from_leaf(array(), last);
  return earliest;
}

bool TimerHeap::valid() const {
  for (std::size_t i = 0; i < count_; ++i) {
    const Slot& slot = slots_[i];
    if (slot.timer->state.position != i || slot.timer->state.where != Where::heap) return false;
    if (slot.key != key_of(slot.timer->expires)) return false;
    if (i > 0 && slot.timer->expires < slots_[(i - 1) / arity].timer->expires) return false;
  }
  return true;
}

}  // namespace refloop::detail

namespace refloop {

// implements: TIMER-002
void Loop::register_timer(Timer& timer) {
  if (registered(timer)) fatal("Loop::register_timer: called with timer still on the heap");
  timer.state.owner = serial_;
  timers_->insert(timer);
  ++registered_count_;
}

// implements: TIMER-003 (a timer collected as expired but not yet run is still registered, and
// unregistering it cancels it)
void Loop::unregister_timer(Timer& timer) {
  if (!registered(timer)) fatal("Loop::unregister_timer: called with timer not on the heap");
  if (timer.state.owner != serial_)  // implements: LOOP-013
    fatal("Loop::unregister_timer: called with an object registered with another loop");
  if (timer.state.where == detail::TimerState::Where::heap) {
    timers_->remove(timer);
  } else {
    expired_[timer.state.position] = nullptr;
    timer.state.where = detail::TimerState::Where::nowhere;
  }
  timer.state.owner = 0;
  --registered_count_;
}

// implements: TIMER-004 (two phases: collect every timer with expires <= now, then run them;
// a timer registered by one of these handlers waits for the next iteration), LOOP-011 (a nested
// step 1 collects and runs its own batch after this one's; this batch goes on when it returns)
void Loop::run_expired_timers() {
  const tain current = now();
  const std::size_t begin = expired_.size();
  const detail::TruncateOnExit drop_batch(expired_, begin);
  while (!timers_->empty() && timers_->earliest_expiry() <= current) {
    Timer& timer = timers_->pop_earliest();
    timer.state.where = detail::TimerState::Where::expired;
    timer.state.position = expired_.size();
    expired_.push_back(&timer);
  }
  for (std::size_t i = begin; i < expired_.size(); ++i) {
    Timer* timer = expired_[i];
    if (timer == nullptr) continue;  // unregistered by an earlier handler of this batch
    expired_[i] = nullptr;
    timer->state.where = detail::TimerState::Where::nowhere;
    timer->state.owner = 0;
    --registered_count_;
    if (timer->handler != nullptr) timer->handler(timer->cookie);
  }
}

}  // namespace refloop
