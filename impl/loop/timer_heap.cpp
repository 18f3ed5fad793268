// SPDX-License-Identifier: ISC
// The timer heap (spec/loop.md, TIMER-005, TIMER-006) and the Loop's timer registration
// (TIMER-002..004, FATAL-003). Sifting moves a timer only by writing it to a new slot through
// place(), which also records the slot in the timer, so positions can never go stale.
#include "timer_heap.hpp"

#include <utility>

#include "refloop/loop/fatal.hpp"
#include "truncate_on_exit.hpp"

namespace refloop::detail {

using Where = TimerState::Where;

void TimerHeap::place(std::size_t index, Timer* timer) {
  slots_[index] = timer;
  timer->state.position = index;
}

void TimerHeap::sift_up(std::size_t index) {
  while (index > 1 && before(index, index / 2)) {
    Timer* parent = slots_[index / 2];
    place(index / 2, slots_[index]);
    place(index, parent);
    index /= 2;
  }
}

void TimerHeap::sift_down(std::size_t index) {
  const std::size_t count = size();
  for (;;) {
    std::size_t smallest = index;
    if (2 * index <= count && before(2 * index, smallest)) smallest = 2 * index;
    if (2 * index + 1 <= count && before(2 * index + 1, smallest)) smallest = 2 * index + 1;
    if (smallest == index) return;
    Timer* child = slots_[smallest];
    place(smallest, slots_[index]);
    place(index, child);
    index = smallest;
  }
}

// implements: TIMER-005 (O(log n) insert)
void TimerHeap::insert(Timer& timer) {
  slots_.push_back(nullptr);
  place(size(), &timer);
  timer.state.where = Where::heap;
  sift_up(size());
}

// implements: TIMER-005 (O(log n) removal: the last timer fills the hole, then moves up or down)
void TimerHeap::remove(Timer& timer) {
  const std::size_t hole = timer.state.position;
  Timer* last = slots_.back();
  slots_.pop_back();
  timer.state.where = Where::nowhere;
  timer.state.position = 0;
  if (last == &timer) return;
  place(hole, last);
  sift_up(hole);
  sift_down(last->state.position);
}

bool TimerHeap::valid() const {
  for (std::size_t i = 1; i <= size(); ++i) {
    if (slots_[i]->state.position != i || slots_[i]->state.where != Where::heap) return false;
    if (i > 1 && before(i, i / 2)) return false;
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
  while (!timers_->empty() && timers_->earliest().expires <= current) {
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
