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
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include <iv.h>
#include "refloop/loop/grow_only_list.hpp"
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
// at once (no allocation and no hashing per registration). The timers live in fixed chunks that
// never move, so a lent Timer stays where the loop's heap and the iv_timer's pad point.
// Which timer is lent next keeps the lent ones dense and the accesses near each other:
// - the most recently given back first (a stack), so a steady working set stays small and warm;
// - once every timer is back, the stack is dropped and lending starts again from the first chunk,
//   in address order, so a burst of registrations walks memory forward instead of in the
//   scattered order the previous burst happened to end in (measured: the start phase's cache
//   misses at 10^5 timers). The stack holds addresses, not a list through the timers themselves:
//   a list makes each lend read the next address out of the timer it just took, a cache miss the
//   next lend would wait for.
class TimerPool {
 public:
  // lend and give_back are defined here, inline, as they run once per timer registration.
  // A timer holding `fresh` (one store of the whole Timer, its loop state cleared), lent to owner.
  Timer& lend(iv_timer& owner, const Timer& fresh) {
    Lent& lent = take_free();
    lent.timer = fresh;
    lent.owner = &owner;
    ++lent_count_;
    return lent.timer;
  }
  void give_back(Timer& timer) {
    static_assert(std::is_standard_layout_v<Lent>);  // so &Lent::timer converts to the Lent
    auto& lent = *reinterpret_cast<Lent*>(&timer);
    lent.owner = nullptr;
    if (--lent_count_ == 0) {  // all back: lend from the first chunk again, in address order
      stacked_ = 0;
      never_lent_ = 0;
    } else {
      given_back_[stacked_++] = &lent;
    }
  }
  // Calls f(iv_timer&) for every timer lent and not yet given back.
  template <class F>
  void for_each_lent(F f) {
    for (std::size_t i = 0; i < made_; ++i)
      if (iv_timer* owner = at(i).owner; owner != nullptr) f(*owner);
  }
  void give_back_all();

 private:
  // One cache line each (Timer is 56 bytes), so touching a timer costs one line, never two.
  struct alignas(64) Lent {
    Timer timer;                // first, so a Timer* is also the Lent* (give_back)
    iv_timer* owner = nullptr;  // nullptr while free
  };
  static constexpr std::size_t chunk_size = 256;  // 16 KiB per chunk

  Lent& at(std::size_t index) { return chunks_[index / chunk_size][index % chunk_size]; }
  Lent& take_free() {
    if (stacked_ != 0) return *given_back_[--stacked_];
    if (never_lent_ == made_) [[unlikely]] grow();
    return at(never_lent_++);
  }
  // Adds a chunk, and room on the stack for its timers (the rare path, kept out of lend), so
  // giving back never grows the stack: a push_back's inlined growth code made give_back save
  // six registers on every call.
  void grow();

  std::vector<std::unique_ptr<Lent[]>> chunks_;
  std::size_t made_ = 0;        // timers in the chunks: chunks_.size() * chunk_size
  std::size_t never_lent_ = 0;  // at(never_lent_ ..) not lent since the pool was last all back
  std::size_t lent_count_ = 0;
  // The stack of given-back timers is given_back_[0, stacked_); with at(never_lent_ ..), these
  // are the free timers. given_back_ always has room for every timer made.
  std::vector<Lent*> given_back_;
  std::size_t stacked_ = 0;
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
// add runs on every registration (an iv_fd's re-arm is an unregister and a register), so the
// members are a GrowOnlyList: its growth stays out of iv_fd_register's common path.
template <class Object>
class Registered {
 public:
  void add(Object& object) {
    set_index(object, members_.size());
    members_.append(&object);
  }
  void remove(Object& object) {
    const std::size_t index = index_in(object);
    Object* last = members_.take_last();  // may be object itself: then both writes are harmless
    members_[index] = last;
    set_index(*last, index);
  }
  Object& at(std::size_t index) { return *members_[index]; }
  template <class F>
  void for_each(F f) {
    for (std::size_t i = 0; i < members_.size(); ++i) f(*members_[i]);
  }
  void clear() { members_.clear(); }

 private:
  detail::GrowOnlyList<Object*, 64> members_;
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

// The calling thread's state, or nullptr before iv_init: set by iv_init and cleared by iv_deinit
// and at thread exit (ivykis_main.cpp, which owns the state). A raw pointer with constant
// initialisation and no destructor, so each call reads it with one thread-local load: a
// thread_local with a destructor (the owning unique_ptr) costs an out-of-line call and a first-use
// guard on every access.
extern constinit thread_local ThreadState* this_thread_state;

inline ThreadState* current() { return this_thread_state; }

// The fatal path of require, out of line so the check inlines small.
[[noreturn]] void fatal_without_iv_init(const char* call);

// The calling thread's state; fatal ("<call>: called in a thread without iv_init") if none.
inline ThreadState& require(const char* call) {
  ThreadState* state = this_thread_state;
  if (state == nullptr) [[unlikely]] fatal_without_iv_init(call);
  return *state;
}

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
