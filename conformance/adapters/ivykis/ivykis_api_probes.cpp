// SPDX-License-Identifier: ISC
// The probes of the <iv.h> API itself (cases/ivapi/, conformance/README.md "Probes"): what the
// header declares and how its init macros, iv_now, iv_get_thread_id, iv_init and iv_main behave,
// each answered in words a case can expect. Only the ivykis adapter performs them: they have no
// meaning for refloop::Loop or the model.
#include <signal.h>
#include <sys/syscall.h>

#include <cstddef>
#include <thread>

#include "ivykis_loop_internal.hpp"

namespace refloop::conformance::loop_suite::ivykis_adapter {
namespace {

void no_handler(void*) {}

// [req:IVAPI-002] sizes and the order of the public fields (the pad is private state).
std::string layout() {
  const bool fd_order = offsetof(iv_fd, fd) < offsetof(iv_fd, cookie) && offsetof(iv_fd, cookie) < offsetof(iv_fd, handler_in) &&
                        offsetof(iv_fd, handler_in) < offsetof(iv_fd, handler_out) &&
                        offsetof(iv_fd, handler_out) < offsetof(iv_fd, handler_err);
  const bool timer_order = offsetof(iv_timer, expires) < offsetof(iv_timer, cookie) &&
                           offsetof(iv_timer, cookie) < offsetof(iv_timer, handler);
  const bool task_order = offsetof(iv_task, cookie) < offsetof(iv_task, handler);
  return "iv_fd " + std::to_string(sizeof(iv_fd)) + ", iv_timer " + std::to_string(sizeof(iv_timer)) + ", iv_task " +
         std::to_string(sizeof(iv_task)) + (fd_order && timer_order && task_order ? ", fields in order" : ", fields out of order");
}

// [req:IVAPI-006] [req:IVAPI-012] [req:IVAPI-014] what the init macros set and what they leave alone.
std::string init_macro(const std::string& name) {
  int marker = 0;
  if (name == "fd-init") {
    iv_fd fd;
    fd.fd = 7;
    fd.cookie = &marker;
    fd.handler_in = fd.handler_out = fd.handler_err = no_handler;
    IV_FD_INIT(&fd);
    const bool cleared = fd.fd == -1 && fd.handler_in == nullptr && fd.handler_out == nullptr && fd.handler_err == nullptr;
    return std::string(cleared ? "fd -1, handlers null" : "fd or handlers not reset") +
           (fd.cookie == &marker ? ", cookie kept" : ", cookie changed") + (iv_fd_registered(&fd) ? ", registered" : ", unregistered");
  }
  if (name == "timer-init") {
    iv_timer timer;
    timer.expires = timespec{5, 6};
    timer.cookie = &marker;
    timer.handler = no_handler;
    IV_TIMER_INIT(&timer);
    const bool kept = timer.expires.tv_sec == 5 && timer.expires.tv_nsec == 6 && timer.cookie == &marker && timer.handler == no_handler;
    return std::string(kept ? "expires, cookie and handler kept" : "fields changed") +
           (iv_timer_registered(&timer) ? ", registered" : ", unregistered");
  }
  iv_task task;
  task.cookie = &marker;
  task.handler = no_handler;
  IV_TASK_INIT(&task);
  return std::string(task.cookie == &marker && task.handler == no_handler ? "cookie and handler kept" : "fields changed") +
         (iv_task_registered(&task) ? ", registered" : ", unregistered");
}

// [req:IVAPI-016] [req:IVAPI-017] [req:IVAPI-018] iv_now is cached CLOCK_MONOTONIC time.
std::string now_cache() {
  iv_validate_now();
  const std::int64_t first = to_ns(iv_now);
  const timespec pause{0, 2'000'000};
  nanosleep(&pause, nullptr);
  const std::int64_t cached = to_ns(iv_now);
  iv_invalidate_now();
  const std::int64_t refreshed = to_ns(iv_now);
  const std::int64_t monotonic = monotonic_ns();
  const bool near = monotonic >= refreshed && monotonic - refreshed < 1'000'000'000;
  return std::string(cached == first ? "cached" : "changed without invalidation") +
         (refreshed >= first + 2'000'000 ? ", invalidate refreshes" : ", invalidate ignored") +
         (near ? ", monotonic" : ", not CLOCK_MONOTONIC");
}

// [req:IVAPI-024] the kernel thread id, different in another thread.
std::string thread_id() {
  const auto mine = static_cast<long>(iv_get_thread_id());
  long other = mine;
  std::thread([&other] { other = static_cast<long>(iv_get_thread_id()); }).join();
  return std::string(mine == ::syscall(SYS_gettid) ? "gettid" : "not gettid") + (other != mine ? ", distinct per thread" : ", same in two threads");
}

// [req:IVAPI-004] the first iv_init ignores SIGPIPE and SIGURG.
std::string signals() {
  std::string words;
  for (auto [number, name] : {std::pair{SIGPIPE, "SIGPIPE"}, std::pair{SIGURG, "SIGURG"}}) {
    struct sigaction action{};
    ::sigaction(number, nullptr, &action);
    words += std::string(words.empty() ? "" : ", ") + name + (action.sa_handler == SIG_IGN ? " ignored" : " not ignored");
  }
  return words;
}

}  // namespace

std::string IvykisLoopAdapter::api_probe(const std::string& name) {
  if (name == "layout") return layout();
  if (name == "fd-init" || name == "timer-init" || name == "task-init") return init_macro(name);
  if (name == "now-cache") return now_cache();
  if (name == "thread-id") return thread_id();
  if (name == "signals") return signals();
  if (name == "init-again") iv_init();  // [req:IVAPI-003] fatal in refloop
  if (name == "call-without-init") std::thread([] { iv_quit(); }).join();  // [req:IVAPI-019]
  if (name == "main-empty") iv_main();  // [req:IVAPI-005] returns: nothing is registered
  return "returned";
}

}  // namespace refloop::conformance::loop_suite::ivykis_adapter
