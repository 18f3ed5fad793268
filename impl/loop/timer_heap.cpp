// SPDX-License-Identifier: ISC
// The timer heap (spec/loop.md, TIMER-005, TIMER-006) and the Loop's timer registration
// (TIMER-002..004, FATAL-003). Sifting moves a timer only by writing it to a new slot through
// place(), which also records the slot in the timer, so positions can never go stale.
#include "timer_heap.hpp"

#include <algorithm>
#include <utility>

#include "refloop/loop/fatal.hpp"
#include "truncate_on_exit.hpp"

namespace refloop::detail {

using Where = TimerState::Where;

void TimerHeap::place(std::size_t index, const Slot& slot) {
  slots_[index] = slot;
  slot.timer->state.position = index;
}

// Moves the slot at `index` towards the root past every later parent: the parents shift down
// one level each and the moving slot is written once, where it stops.
void TimerHeap::sift_up(std::size_t index) {
  const Slot moving = slots_[index];
  while (index > 0) {
    const std::size_t parent = (index - 1) / arity;
    if (!(moving.expires < slots_[parent].expires)) break;
    place(index, slots_[parent]);
    index = parent;
  }
  place(index, moving);
}

// The child of `index` with the earliest expiry, or `index` itself when it has no children.
std::size_t TimerHeap::earliest_child(std::size_t index) const {
  const std::size_t first = arity * index + 1;
  if (first >= slots_.size()) return index;
  const std::size_t end = std::min(first + arity, slots_.size());
  std::size_t best = first;
  for (std::size_t child = first + 1; child < end; ++child)
    if (slots_[child].expires < slots_[best].expires) best = child;
  return best;
}

// Moves the slot at `index` away from the root past every earlier child, written once.
void TimerHeap::sift_down(std::size_t index) {
  const Slot moving = slots_[index];
  for (;;) {
    const std::size_t child = earliest_child(index);
    if (child == index || !(slots_[child].expires < moving.expires)) break;
    place(index, slots_[child]);
    index = child;
  }
  place(index, moving);
}

// implements: TIMER-005 (O(log n) insert)
void TimerHeap::insert(Timer& timer) {
  slots_.push_back(Slot{timer.expires, &timer});
  timer.state.where = Where::heap;
  sift_up(slots_.size() - 1);
}

// implements: TIMER-005 (O(log n) removal: the last slot fills the hole, then moves up or down)
void TimerHeap::remove(Timer& timer) {
  const std::size_t hole = timer.state.position;
  const Slot last = slots_.back();
  slots_.pop_back();
  timer.state.where = Where::nowhere;
  timer.state.position = 0;
  if (last.timer == &timer) return;
  place(hole, last);
  sift_up(hole);
  sift_down(last.timer->state.position);
}

bool TimerHeap::valid() const {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& slot = slots_[i];
    if (slot.timer->state.position != i || slot.timer->state.where != Where::heap) return false;
    if (slot.expires != slot.timer->expires) return false;
    if (i > 0 && slot.expires < slots_[(i - 1) / arity].expires) return false;
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
    Timer& timer = timers_->earliest();
    timers_->remove(timer);
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
