// SPDX-License-Identifier: ISC
// Private glue of the ivykis C API (spec/loop.md, IVAPI): the per-thread state behind iv_init,
// and how each C struct maps onto the C++ object the loop works with. struct iv_fd and struct
// iv_task carry their refloop::Fd / refloop::Task inside their pad; refloop::Timer is larger than
// iv_timer's pad, so a registered timer's pad[0] points to a Timer lent by the thread state's
// TimerPool.
// The C++ objects' cookie is the C struct (a Task's: its index in the thread's list of registered
// tasks), and their handlers are trampolines that read the C struct's handler and cookie at call
// time.
#pragma once

#include <cstdint>
#include <ctime>
#include <deque>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include <iv.h>
#include "refloop/loop/loop.hpp"
#include "refloop/time/clock.hpp"

namespace refloop::ivykis {

static_assert(sizeof(Fd) <= sizeof(iv_fd::pad) &&
              alignof(Fd) <= alignof(std::remove_all_extents_t<decltype(iv_fd::pad)>));
static_assert(sizeof(Task) <= sizeof(iv_task::pad) &&
              alignof(Task) <= alignof(std::remove_all_extents_t<decltype(iv_task::pad)>));
#if defined(__LP64__)
static_assert(sizeof(iv_fd) == 128 && sizeof(iv_timer) == 64 && sizeof(iv_task) == 64,
              "struct sizes must match ivykis's (IVAPI-002)");
#endif

// iv_now is CLOCK_MONOTONIC, as in ivykis; its readings become tains through the plain
// representation mapping (label 2^62 + t), so timespec <-> tain is exact in both directions.
class MonotonicClock final : public Clock {
 public:
  tain now() override;
};

// The refloop::Timers behind registered iv_timers. A timer is lent at iv_timer_register and given
// back when it fires or is unregistered; given-back timers are lent again, so registering and
// unregistering timers allocates nothing once the pool has grown to the most timers registered
// at once (no allocation and no hashing per registration). A deque never moves its elements, so
// a lent Timer stays where the loop's heap and the iv_timer's pad point. The free timers' addresses
// are kept in a vector, not in a list through the timers themselves: a list makes each lend read
// the next address out of the timer it just took, a cache miss the next lend has to wait for
// once a million timers are lent in scattered order; the vector's next address is at hand.
class TimerPool {
 public:
  Timer& lend(iv_timer& owner);
  void give_back(Timer& timer);
  // Calls f(iv_timer&) for every timer lent and not yet given back.
  template <class F>
  void for_each_lent(F f) {
    for (Lent& lent : lent_)
      if (lent.owner != nullptr) f(*lent.owner);
  }
  void give_back_all();

 private:
  struct Lent {
    Timer timer;              // first, so a Timer* is also the Lent* (give_back)
    iv_timer* owner = nullptr;  // nullptr while free
  };
  void grow();  // adds one free timer (the rare path, kept out of lend)
  void push_free(Lent& lent);

  std::deque<Lent> lent_;
  std::vector<Lent*> free_;
};

// Where a registered C struct keeps its index in its thread's Registered list: an iv_fd in the
// pad words after its refloop::Fd; an iv_task, whose pad its refloop::Task fills on LP64, in that
// Task's cookie (task_ran finds the iv_task through the list, ivykis_objects.cpp).
constexpr std::size_t fd_index_word = (sizeof(Fd) + sizeof(iv_fd::pad[0]) - 1) / sizeof(iv_fd::pad[0]);
static_assert(fd_index_word < std::extent_v<decltype(iv_fd::pad)>, "no room for the index in iv_fd's pad");
inline std::size_t index_in(const iv_fd& fd) { return static_cast<std::size_t>(fd.pad[fd_index_word]); }
inline void set_index(iv_fd& fd, std::size_t index) { fd.pad[fd_index_word] = index; }
inline std::size_t index_in(const iv_task& task);
inline void set_index(iv_task& task, std::size_t index);

// The C structs of one kind registered in a thread, so iv_deinit can mark them unregistered again.
// Each member keeps its own index (above), so adding and removing are O(1) without hashing; a
// removal moves the last member into the gap. Misuse (registering twice, removing what is not
// registered) is caught before, by the loop's own registration state.
template <class Object>
class Registered {
 public:
  void add(Object& object) {
    set_index(object, members_.size());
    members_.push_back(&object);
  }
  void remove(Object& object) {
    const std::size_t index = index_in(object);
    Object* last = members_.back();
    members_[index] = last;
    set_index(*last, index);
    members_.pop_back();
  }
  Object& at(std::size_t index) { return *members_[index]; }
  template <class F>
  void for_each(F f) {
    for (Object* member : members_) f(*member);
  }
  void clear() { members_.clear(); }

 private:
  std::vector<Object*> members_;
};

// Declared so that the loop is destroyed first (it may still look at the objects it holds),
// then the timers it pointed into, then the clock it read.
struct ThreadState {
  const std::uint64_t serial;  // never reused: tags the thread's timers (IVAPI-026)
  MonotonicClock clock;
  timespec now_cache{};   // what iv_now's pointer points at
  int running = 0;        // iv_main depth, so iv_deinit from a callback is caught
  // Objects registered in this thread, so iv_deinit can mark them unregistered again.
  Registered<iv_fd> fds;
  Registered<iv_task> tasks;
  TimerPool timers;
  std::optional<Loop> loop;  // engaged from iv_init until iv_deinit

  explicit ThreadState(std::string_view backend);
};

// The calling thread's state, or nullptr before iv_init.
ThreadState* current();
// The calling thread's state; fatal ("<call>: called in a thread without iv_init") if none.
ThreadState& require(const char* call);

inline Fd& inner(iv_fd& fd) { return *std::launder(reinterpret_cast<Fd*>(fd.pad)); }
inline const Fd& inner(const iv_fd& fd) {
  return *std::launder(reinterpret_cast<const Fd*>(fd.pad));
}
inline Task& inner(iv_task& task) { return *std::launder(reinterpret_cast<Task*>(task.pad)); }
inline const Task& inner(const iv_task& task) {
  return *std::launder(reinterpret_cast<const Task*>(task.pad));
}
inline Timer* inner(const iv_timer& timer) { return static_cast<Timer*>(timer.pad[0]); }

inline std::size_t index_in(const iv_task& task) {
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(inner(task).cookie));
}
inline void set_index(iv_task& task, std::size_t index) {
  inner(task).cookie = reinterpret_cast<void*>(static_cast<std::uintptr_t>(index));
}

// ivykis_objects.cpp: marks every C struct registered in `state` unregistered again (iv_deinit,
// after the loop is gone). Not used at thread exit, where those structs may be gone already:
// there only refloop's own memory is released, by ThreadState's destructor.
void forget_registered(ThreadState& state);

// ivykis_fatal.cpp: routes refloop's core fatal path to iv_fatal's handler (idempotent).
void install_core_fatal_hook();

}  // namespace refloop::ivykis
