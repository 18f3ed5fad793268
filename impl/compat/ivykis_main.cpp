// SPDX-License-Identifier: ISC
// The ivykis C API, part 1 (spec/loop.md, IVAPI): iv_init / iv_deinit / iv_inited, the main
// loop, the process-wide poll method, the thread id and the iv_now time cache. Each thread that
// calls iv_init gets its own refloop::Loop; the first iv_init of the process picks the backend
// (REFLOOP_BACKEND, IV_EXCLUDE_POLL_METHOD, preference order) and every later loop reuses it.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>

#include "ivykis_internal.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::ivykis {

constinit thread_local ThreadState* this_thread_state = nullptr;

namespace {

// Owns the calling thread's state, so a thread that exits without iv_deinit frees it; the raw
// pointer the calls read (this_thread_state) is cleared before the state is destroyed.
struct ThreadStateOwner {
  std::unique_ptr<ThreadState> state;

  void reset(std::unique_ptr<ThreadState> next = nullptr) {
    this_thread_state = next.get();
    state = std::move(next);
  }
  ~ThreadStateOwner() { this_thread_state = nullptr; }
};

thread_local ThreadStateOwner this_thread;

// The process-wide method: chosen under the mutex by the first iv_init, never changed after.
std::mutex method_mutex;
std::string method_storage;
std::atomic<const char*> method_name{nullptr};

// ivykis ignores SIGPIPE and SIGURG at its first iv_init, and its programs rely on writes to a
// closed socket failing with EPIPE instead of killing them; refloop does the same.
void ignore_signals_once() {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGURG, SIG_IGN);
}

std::uint64_t take_thread_serial() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::unique_ptr<ThreadState> make_thread_state() {
  std::lock_guard lock(method_mutex);
  if (method_name.load() != nullptr) {
    return std::make_unique<ThreadState>(method_storage);
  }
  ignore_signals_once();
  auto state = std::make_unique<ThreadState>(std::string_view{});  // implements: IVAPI-004
  method_storage = state->loop->backend_name();
  method_name.store(method_storage.c_str());
  return state;
}

}  // namespace

tain MonotonicClock::now() { return tain_from_timespec(read_monotonic()).value(); }

// An empty name means the default choice (loop.hpp, LoopOptions::backend).
ThreadState::ThreadState(std::string_view backend) : serial(take_thread_serial()) {
  loop.emplace(LoopOptions{.clock = &clock, .backend = backend});
}

void fatal_without_iv_init(const char* call) { iv_fatal("%s: called in a thread without iv_init", call); }

}  // namespace refloop::ivykis

using refloop::ivykis::current;
using refloop::ivykis::require;

extern "C" {

// implements: IVAPI-003
void iv_init(void) {
  refloop::ivykis::install_core_fatal_hook();
  if (current() != nullptr) iv_fatal("iv_init: called twice in this thread without iv_deinit");
  refloop::ivykis::this_thread.reset(refloop::ivykis::make_thread_state());
}

int iv_inited(void) { return current() != nullptr ? 1 : 0; }

void iv_deinit(void) {
  auto& state = require("iv_deinit");
  if (state.running > 0) iv_fatal("iv_deinit: called from inside iv_main");
  state.loop.reset();
  refloop::ivykis::forget_registered(state);
  refloop::ivykis::this_thread.reset();
}

// implements: IVAPI-005
void iv_main(void) {
  auto& state = require("iv_main");
  ++state.running;
  state.loop->run();
  --state.running;
}

void iv_quit(void) { require("iv_quit").loop->quit(); }

const char* iv_poll_method_name(void) { return refloop::ivykis::method_name.load(); }

unsigned long iv_get_thread_id(void) { return static_cast<unsigned long>(syscall(SYS_gettid)); }

// implements: IVAPI-016
const struct timespec* refloop_iv_now_location(void) {
  auto& state = require("iv_now");
  auto now = refloop::timespec_from_tain(state.loop->now());
  if (!now) iv_fatal("iv_now: the clock reading cannot be represented as a timespec");
  state.now_cache = *now;
  return &state.now_cache;
}

void iv_validate_now(void) { static_cast<void>(require("iv_validate_now").loop->now()); }

void iv_invalidate_now(void) { require("iv_invalidate_now").loop->invalidate_now(); }

}  // extern "C"
