// SPDX-License-Identifier: ISC
// The ivykis C API, part 3 (spec/loop.md, IVAPI): struct iv_fd, iv_timer and iv_task on top of
// refloop::Fd, Timer and Task. Misuse the C layer can see (an fd < 0, registering twice,
// unregistering or setting a handler on an unregistered object) is reported here with ivykis's
// wording and the iv_* name; what only the loop or a backend can see (an object of another
// thread's loop, a kernel refusing the fd) comes through the core fatal path, renamed.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <type_traits>

#include "ivykis_internal.hpp"

namespace refloop::ivykis {

namespace {

// implements: IVAPI-028. ivykis documents no NULL and dereferences it; here it is the documented
// fatal error naming the call, checked before anything else (also in a thread without a loop).
template <class Object>
Object& non_null(Object* object, const char* call) {
  if (object == nullptr) iv_fatal("%s: called with NULL", call);
  return *object;
}

// Trampolines: the C++ object's cookie is the C struct; its handler and cookie are read now.
void fd_in(void* c) {
  auto* fd = static_cast<iv_fd*>(c);
  if (fd->handler_in != nullptr) fd->handler_in(fd->cookie);
}
void fd_out(void* c) {
  auto* fd = static_cast<iv_fd*>(c);
  if (fd->handler_out != nullptr) fd->handler_out(fd->cookie);
}
void fd_err(void* c) {
  auto* fd = static_cast<iv_fd*>(c);
  if (fd->handler_err != nullptr) fd->handler_err(fd->cookie);
}

// The loop unregistered the timer before calling this; give its refloop::Timer back first, since
// the application's handler may register the same struct again, or free it.
void timer_fired(void* c) {
  auto* timer = static_cast<iv_timer*>(c);
  Timer* in = inner(*timer);
  timer->pad[0] = nullptr;
  if (ThreadState* state = current()) state->timers.give_back(*in);
  if (timer->handler != nullptr) timer->handler(timer->cookie);
}

// The loop unregistered the task before calling this; its cookie is its index in the thread's
// list (a task runs only in its loop's thread, whose state holds the list).
void task_ran(void* c) {
  ThreadState& state = *current();
  iv_task& task = state.tasks.at(static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(c)));
  state.tasks.remove(task);
  if (task.handler != nullptr) task.handler(task.cookie);
}

// The checks iv_fd_register and iv_fd_register_try share; returns the inner Fd, ready to go.
Fd& prepare_fd(iv_fd& fd, const char* call) {
  require(call);
  Fd& in = inner(fd);
  if (fd.fd < 0) iv_fatal("%s: called with invalid fd %d", call, fd.fd);
  if (Loop::registered(in)) iv_fatal("%s: called with fd which is still registered", call);
  in.fd = fd.fd;
  in.cookie = &fd;
  in.handler_in = fd.handler_in != nullptr ? fd_in : nullptr;
  in.handler_out = fd.handler_out != nullptr ? fd_out : nullptr;
  in.handler_err = fd.handler_err != nullptr ? fd_err : nullptr;
  return in;
}

ThreadState& require_registered(const iv_fd& fd, const char* call) {
  ThreadState& state = require(call);
  if (!Loop::registered(inner(fd))) iv_fatal("%s: called with fd which is not registered", call);
  return state;
}

[[noreturn]] void fatal_invalid_expiry(const iv_timer& timer) {
  iv_fatal("iv_timer_register: called with invalid expiry {%lld, %ld}: %s",
           static_cast<long long>(timer.expires.tv_sec), static_cast<long>(timer.expires.tv_nsec),
           describe(TimeErrc::nano_out_of_range));
}

// implements: IVAPI-013 (tv_nsec outside 0..999 999 999 is fatal), IVAPI-027 (tv_sec beyond the
// tain range saturates: 2^62 s and later never fire, -2^62 s and earlier are long past)
// The same tain as tain_from_timespec on the clamped timespec (the mapping label 2^62 + tv_sec),
// built inline: once tv_sec is clamped to the labels a timespec may name, tv_nsec is the only
// thing left to refuse, so the call and its Expected are not needed on this hot path.
tain expiry_of(const iv_timer& timer) {
  constexpr std::int64_t limit = std::int64_t{1} << 62;
  const long nano = timer.expires.tv_nsec;
  if (nano < 0 || nano >= static_cast<long>(nano_per_second)) [[unlikely]] fatal_invalid_expiry(timer);
  const std::int64_t seconds = std::clamp<std::int64_t>(timer.expires.tv_sec, -limit, limit - 1);
  return *tain::checked(tai_magic + static_cast<std::uint64_t>(seconds), static_cast<std::uint64_t>(nano));
}

// A registered iv_timer's pad[0] points to a Timer lent by the TimerPool of the thread state that
// registered it, and pad[1] holds that state's serial. The pool is released when its thread
// ends, so the serial is checked before pad[0] is followed (IVAPI-026: a dead thread's timer is
// fatal, not a read of freed memory).
void* serial_tag(const ThreadState& state) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(state.serial)); }

}  // namespace

void TimerPool::grow() {
  chunks_.push_back(std::make_unique<Lent[]>(chunk_size));
  made_ += chunk_size;
  given_back_.resize(made_);
}

void TimerPool::give_back_all() {
  for (std::size_t i = 0; i < made_; ++i) at(i).owner = nullptr;
  stacked_ = 0;
  never_lent_ = 0;
  lent_count_ = 0;
}

void forget_registered(ThreadState& state) {
  state.fds.for_each([](iv_fd& fd) { new (fd.pad) Fd{}; });
  state.tasks.for_each([](iv_task& task) { new (task.pad) Task{}; });
  state.timers.for_each_lent([](iv_timer& timer) { timer.pad[0] = nullptr; });
  state.fds.clear();
  state.tasks.clear();
  state.timers.give_back_all();
}

}  // namespace refloop::ivykis

using refloop::ivykis::current;
using refloop::ivykis::inner;
using refloop::ivykis::non_null;
using refloop::ivykis::require;

extern "C" {

// ---- fds -----------------------------------------------------------------------------------

// implements: IVAPI-006
void IV_FD_INIT(struct iv_fd* fd) {
  non_null(fd, "IV_FD_INIT");
  fd->fd = -1;
  fd->handler_in = nullptr;
  fd->handler_out = nullptr;
  fd->handler_err = nullptr;
  new (fd->pad) refloop::Fd{};
}

// implements: IVAPI-007
void iv_fd_register(struct iv_fd* fd) {
  non_null(fd, "iv_fd_register");
  refloop::Fd& in = refloop::ivykis::prepare_fd(*fd, "iv_fd_register");
  auto& state = *current();
  state.loop->register_fd(in);
  state.fds.add(*fd);
}

// implements: IVAPI-008
int iv_fd_register_try(struct iv_fd* fd) {
  non_null(fd, "iv_fd_register_try");
  refloop::Fd& in = refloop::ivykis::prepare_fd(*fd, "iv_fd_register_try");
  auto& state = *current();
  if (const int error = state.loop->register_fd_try(in); error != 0) {
    errno = error;
    return -1;
  }
  state.fds.add(*fd);
  return 0;
}

void iv_fd_unregister(struct iv_fd* fd) {
  non_null(fd, "iv_fd_unregister");
  auto& state = refloop::ivykis::require_registered(*fd, "iv_fd_unregister");
  state.loop->unregister_fd(inner(*fd));
  state.fds.remove(*fd);
}

int iv_fd_registered(const struct iv_fd* fd) {
  non_null(fd, "iv_fd_registered");
  return refloop::Loop::registered(inner(*fd)) ? 1 : 0;
}

// implements: IVAPI-010
void iv_fd_set_handler_in(struct iv_fd* fd, void (*handler)(void*)) {
  non_null(fd, "iv_fd_set_handler_in");
  auto& state = refloop::ivykis::require_registered(*fd, "iv_fd_set_handler_in");
  fd->handler_in = handler;
  state.loop->set_handler_in(inner(*fd), handler != nullptr ? refloop::ivykis::fd_in : nullptr);
}

void iv_fd_set_handler_out(struct iv_fd* fd, void (*handler)(void*)) {
  non_null(fd, "iv_fd_set_handler_out");
  auto& state = refloop::ivykis::require_registered(*fd, "iv_fd_set_handler_out");
  fd->handler_out = handler;
  state.loop->set_handler_out(inner(*fd), handler != nullptr ? refloop::ivykis::fd_out : nullptr);
}

void iv_fd_set_handler_err(struct iv_fd* fd, void (*handler)(void*)) {
  non_null(fd, "iv_fd_set_handler_err");
  auto& state = refloop::ivykis::require_registered(*fd, "iv_fd_set_handler_err");
  fd->handler_err = handler;
  state.loop->set_handler_err(inner(*fd), handler != nullptr ? refloop::ivykis::fd_err : nullptr);
}

// ---- timers --------------------------------------------------------------------------------

// implements: IVAPI-012 (like ivykis, leaves expires, cookie and handler alone)
void IV_TIMER_INIT(struct iv_timer* timer) { non_null(timer, "IV_TIMER_INIT").pad[0] = nullptr; }

void iv_timer_register(struct iv_timer* timer) {
  non_null(timer, "iv_timer_register");
  auto& state = require("iv_timer_register");
  if (inner(*timer) != nullptr) iv_fatal("iv_timer_register: called with timer still on the heap");
  refloop::Timer& in = state.timers.lend(*timer, {.expires = refloop::ivykis::expiry_of(*timer),
                                                  .cookie = timer,
                                                  .handler = refloop::ivykis::timer_fired});
  timer->pad[0] = &in;
  timer->pad[1] = refloop::ivykis::serial_tag(state);
  state.loop->register_timer(in);
}

void iv_timer_unregister(struct iv_timer* timer) {
  non_null(timer, "iv_timer_unregister");
  auto& state = require("iv_timer_unregister");
  refloop::Timer* in = inner(*timer);
  if (in == nullptr) iv_fatal("iv_timer_unregister: called with timer not on the heap");
  if (timer->pad[1] != refloop::ivykis::serial_tag(state))  // implements: IVAPI-026
    iv_fatal("iv_timer_unregister: called with an object registered with another loop");
  state.loop->unregister_timer(*in);
  timer->pad[0] = nullptr;
  state.timers.give_back(*in);
}

int iv_timer_registered(const struct iv_timer* timer) {
  return inner(non_null(timer, "iv_timer_registered")) != nullptr ? 1 : 0;
}

// ---- tasks ---------------------------------------------------------------------------------

// implements: IVAPI-014 (like ivykis: a task INIT'ed in a task handler waits for the next pass)
void IV_TASK_INIT(struct iv_task* task) {
  non_null(task, "IV_TASK_INIT");
  refloop::Task& in = *new (task->pad) refloop::Task{};
  if (auto* state = current(); state != nullptr) state->loop->stamp_task(in);
}

void iv_task_register(struct iv_task* task) {
  non_null(task, "iv_task_register");
  auto& state = require("iv_task_register");
  refloop::Task& in = inner(*task);
  if (refloop::Loop::registered(in)) iv_fatal("iv_task_register: called with task still on a list");
  in.handler = refloop::ivykis::task_ran;
  state.loop->register_task(in);
  state.tasks.add(*task);  // sets in.cookie: the index task_ran finds the task by
}

void iv_task_unregister(struct iv_task* task) {
  non_null(task, "iv_task_unregister");
  auto& state = require("iv_task_unregister");
  refloop::Task& in = inner(*task);
  if (!refloop::Loop::registered(in)) {
    iv_fatal("iv_task_unregister: called with task not on a list");
  }
  state.loop->unregister_task(in);
  state.tasks.remove(*task);
}

int iv_task_registered(const struct iv_task* task) {
  non_null(task, "iv_task_registered");
  return refloop::Loop::registered(inner(*task)) ? 1 : 0;
}

}  // extern "C"
