// SPDX-License-Identifier: ISC
// The misuse probes (ivykis_misuse_probes.hpp). Each starts from the adapter's loop with nothing
// of its own registered and leaves nothing registered when it returns. The events of a probe are
// written in the order the callbacks ran, as in impl/compat/ivykis_misuse_test.cpp, which holds
// the same scenarios as unit tests of refloop's <iv.h>.
#include "ivykis_misuse_probes.hpp"

#include <fcntl.h>
#include <sys/select.h>
#include <unistd.h>

#include <iv.h>

#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "probe_fds.hpp"

namespace refloop::conformance::loop_suite::ivykis_adapter {
namespace {

std::string events;  // what the callbacks said, space separated

void say(const char* what) {
  if (!events.empty()) events += ' ';
  events += what;
}
void say_cookie(void* what) { say(static_cast<const char*>(what)); }
void say_and_quit(void* what) {
  say(static_cast<const char*>(what));
  iv_quit();
}

timespec now_plus_ms(long ms) {  // ms < 0: already due
  iv_validate_now();
  timespec t = iv_now;
  long long ns = static_cast<long long>(t.tv_sec) * 1'000'000'000LL + t.tv_nsec + ms * 1'000'000LL;
  t.tv_sec = static_cast<time_t>(ns / 1'000'000'000LL);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000LL);
  return t;
}

void register_timer(iv_timer& timer, timespec expires, void (*handler)(void*), const char* cookie) {
  IV_TIMER_INIT(&timer);
  timer.expires = expires;
  timer.handler = handler;
  timer.cookie = const_cast<char*>(cookie);
  iv_timer_register(&timer);
}

void register_task(iv_task& task, void (*handler)(void*), const char* cookie) {
  IV_TASK_INIT(&task);
  task.handler = handler;
  task.cookie = const_cast<char*>(cookie);
  iv_task_register(&task);
}

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { (void)!::pipe(fds); }
  ~Pipe() {
    for (int fd : fds) ::close(fd);
  }
};

void register_reader(iv_fd& fd, const Pipe& pipe, void (*handler)(void*), const char* cookie) {
  IV_FD_INIT(&fd);
  fd.fd = pipe.fds[0];
  fd.cookie = const_cast<char*>(cookie);
  fd.handler_in = handler;
  iv_fd_register(&fd);
}

// ---- iv_main nested in a callback (LOOP-011, IVAPI-005) -------------------------------------

iv_timer nested_quit, first, second, later;
iv_task nesting_task, waiting_task, fresh_task;
iv_fd reader, idle;
Pipe* nesting_pipe = nullptr;

void nest_iv_main(const char* who) {
  say(who);
  register_timer(nested_quit, now_plus_ms(-1), say_and_quit, "quit");
  iv_main();
  say("nested-returned");
}

std::string nested_in_timer() {
  register_timer(first, now_plus_ms(-2), [](void*) { nest_iv_main("first"); }, nullptr);
  register_timer(second, now_plus_ms(-1), say_cookie, "second");
  register_timer(later, now_plus_ms(20), say_cookie, "later");
  iv_main();
  say("outer-returned");
  if (iv_timer_registered(&later) == 0) return events + " (the 20 ms timer is gone)";
  iv_main();  // only `later` is left: it fires, then iv_main returns
  iv_validate_now();
  const bool early = iv_now.tv_sec < later.expires.tv_sec ||
                     (iv_now.tv_sec == later.expires.tv_sec && iv_now.tv_nsec < later.expires.tv_nsec);
  return events + (early ? " (early)" : "");
}

std::string nested_in_task() {
  register_task(nesting_task, [](void*) {
    say("nesting");
    register_task(fresh_task, say_cookie, "fresh");
    register_timer(nested_quit, now_plus_ms(-1), say_and_quit, "quit");
    iv_main();
    say("nested-returned");
  }, nullptr);
  register_task(waiting_task, say_cookie, "waiting");
  iv_main();
  say("outer-returned");
  return events;
}

std::string nested_in_fd() {
  Pipe pipe;
  nesting_pipe = &pipe;
  (void)!::write(pipe.fds[1], "x", 1);
  register_reader(reader, pipe, [](void*) {
    char byte;
    (void)!::read(nesting_pipe->fds[0], &byte, 1);
    nest_iv_main("readable");
    iv_fd_unregister(&reader);
  }, nullptr);
  iv_main();
  say("outer-returned");
  return events;
}

// The quit of a nested run ends the outer one, although an idle fd and a far timer remain.
std::string nested_quit_ends_outer() {
  Pipe pipe;
  register_reader(idle, pipe, say_cookie, "idle-fd");
  register_timer(later, now_plus_ms(60'000), say_cookie, "far");
  register_timer(first, now_plus_ms(-1), [](void*) { nest_iv_main("nesting"); }, nullptr);
  iv_main();
  say("outer-returned");
  const bool kept = iv_fd_registered(&idle) == 1 && iv_timer_registered(&later) == 1;
  iv_fd_unregister(&idle);
  iv_timer_unregister(&later);
  return events + (kept ? ", fd and far timer still registered" : ", objects lost");
}

// ---- iv_init / iv_deinit in a callback (IVAPI-003, IVAPI-019) --------------------------------

void (*misuse_call)() = nullptr;
iv_timer misuse_timer;
iv_task misuse_task;
iv_fd misuse_fd;
Pipe* misuse_pipe = nullptr;

// Calls `call` from a callback of the kind `where` names; answers "returned" if it comes back.
std::string call_in_callback(const std::string& where, void (*call)()) {
  misuse_call = call;
  Pipe pipe;
  misuse_pipe = &pipe;
  if (where == "timer")
    register_timer(misuse_timer, now_plus_ms(-1), [](void*) { misuse_call(); }, nullptr);
  else if (where == "task")
    register_task(misuse_task, [](void*) { misuse_call(); }, nullptr);
  else if (where == "fd") {
    (void)!::write(pipe.fds[1], "x", 1);
    register_reader(misuse_fd, pipe, [](void*) {
      char byte;
      (void)!::read(misuse_pipe->fds[0], &byte, 1);  // so the loop does not spin if it returns
      misuse_call();
      iv_fd_unregister(&misuse_fd);
    }, nullptr);
  } else {
    return "unknown callback '" + where + "'";
  }
  iv_main();
  return "returned";
}

// ---- objects of another thread (IVAPI-026, LOOP-013) ---------------------------------------

iv_timer foreign_timer;
iv_task foreign_task;
iv_fd foreign_fd;

// A second thread registers a timer, a task and an fd with its own loop, then ends without
// iv_deinit (`keep_alive` false) or stays blocked until the process ends.
void register_in_another_thread(bool keep_alive) {
  static std::mutex mutex;
  static std::condition_variable ready;
  static bool registered = false;
  static Pipe pipe;
  std::thread owner([keep_alive] {
    iv_init();
    register_timer(foreign_timer, now_plus_ms(60'000), say_cookie, "timer");
    register_task(foreign_task, say_cookie, "task");
    register_reader(foreign_fd, pipe, say_cookie, "fd");
    {
      std::lock_guard lock(mutex);
      registered = true;
    }
    ready.notify_one();
    while (keep_alive) ::pause();
  });
  std::unique_lock lock(mutex);
  ready.wait(lock, [] { return registered; });
  if (keep_alive) owner.detach();
  else owner.join();
}

// `text`: "timer unregister", "fd register", ... Answers "returned" if the change comes back.
std::string change_foreign(const std::string& text, bool keep_alive) {
  register_in_another_thread(keep_alive);
  const bool unregister = text.find("unregister") != std::string::npos;
  if (text.rfind("timer", 0) == 0) unregister ? iv_timer_unregister(&foreign_timer) : iv_timer_register(&foreign_timer);
  else if (text.rfind("task", 0) == 0) unregister ? iv_task_unregister(&foreign_task) : iv_task_register(&foreign_task);
  else if (text.rfind("fd", 0) == 0) unregister ? iv_fd_unregister(&foreign_fd) : iv_fd_register(&foreign_fd);
  else return "unknown object '" + text + "'";
  return "returned";
}

// ---- arguments (IVAPI-028, IVAPI-029, IVAPI-007, IVAPI-027) ---------------------------------

void no_handler(void*) {}

std::string null_object(const std::string& call) {
  if (call == "IV_FD_INIT") IV_FD_INIT(nullptr);
  else if (call == "iv_fd_register") iv_fd_register(nullptr);
  else if (call == "iv_fd_set_handler_in") iv_fd_set_handler_in(nullptr, no_handler);
  else if (call == "iv_timer_register") iv_timer_register(nullptr);
  else if (call == "iv_timer_registered") (void)iv_timer_registered(nullptr);
  else if (call == "iv_task_unregister") iv_task_unregister(nullptr);
  else return "unknown call '" + call + "'";
  return "returned";
}

// "try INT_MAX", "try unopened" (the last number below FD_SETSIZE, not open), "INT_MIN".
std::string register_fd_number(const std::string& text) {
  const bool try_it = text.rfind("try ", 0) == 0;
  const std::string which = try_it ? text.substr(4) : text;
  int number = 0;
  if (which == "INT_MAX") number = INT_MAX;
  else if (which == "INT_MIN") number = INT_MIN;
  else if (which == "unopened") number = FD_SETSIZE - 1;
  else return "unknown number '" + which + "'";
  if (which == "unopened" && ::fcntl(number, F_GETFD) >= 0) return "fd " + std::to_string(number) + " is open";
  iv_fd fd;
  IV_FD_INIT(&fd);
  fd.fd = number;
  fd.handler_in = no_handler;
  if (!try_it) {
    iv_fd_register(&fd);
    iv_fd_unregister(&fd);
    return "registered";
  }
  errno = 0;
  const int result = iv_fd_register_try(&fd);
  const int error = errno;
  if (result == 0) iv_fd_unregister(&fd);
  return result == 0 ? "0" : errno_name(error);
}

// "long-max": never fires, and iv_main returns when another timer quits;
// "long-min": fires at the next pass, while an idle fd keeps the loop busy.
std::string extreme_expiry(const std::string& text) {
  Pipe pipe;
  iv_timer extreme, other;
  if (text == "long-max") {
    register_timer(extreme, timespec{LONG_MAX, 999'999'999}, say_cookie, "never");
    register_timer(other, now_plus_ms(5), say_and_quit, "soon");
  } else if (text == "long-min") {
    register_reader(idle, pipe, say_cookie, "idle-fd");
    register_timer(other, now_plus_ms(60'000), say_cookie, "minute");
    register_timer(extreme, timespec{LONG_MIN, 0}, say_and_quit, "past");
  } else {
    return "unknown expiry '" + text + "'";
  }
  iv_main();
  for (iv_timer* t : {&extreme, &other})
    if (iv_timer_registered(t) != 0) {
      say(t == &extreme ? "(extreme pending)" : "(other pending)");
      iv_timer_unregister(t);
    }
  if (iv_fd_registered(&idle) != 0) iv_fd_unregister(&idle);
  return events;
}

void call_iv_init() { iv_init(); }
void call_iv_deinit() { iv_deinit(); }

}  // namespace

bool is_misuse_probe(const std::string& name) {
  for (const char* known : {"nested-main", "deinit-in-callback", "init-in-callback", "dead-thread", "live-thread",
                            "null-object", "register-fd-number", "expiry"})
    if (name == known) return true;
  return false;
}

std::string misuse_probe(const std::string& name, const std::string& text) {
  events.clear();
  if (name == "nested-main") {
    if (text == "timer") return nested_in_timer();
    if (text == "task") return nested_in_task();
    if (text == "fd") return nested_in_fd();
    if (text == "quit") return nested_quit_ends_outer();
    return "unknown nesting '" + text + "'";
  }
  if (name == "init-in-callback") return call_in_callback(text, call_iv_init);      // [req:IVAPI-003]
  if (name == "deinit-in-callback") return call_in_callback(text, call_iv_deinit);  // [req:IVAPI-019]
  if (name == "dead-thread") return change_foreign(text, false);                     // [req:IVAPI-026]
  if (name == "live-thread") return change_foreign(text, true);                      // [req:LOOP-013]
  if (name == "null-object") return null_object(text);                               // [req:IVAPI-028]
  if (name == "register-fd-number") return register_fd_number(text);                 // [req:IVAPI-029]
  if (name == "expiry") return extreme_expiry(text);                                 // [req:IVAPI-027]
  return "unknown misuse probe " + name;
}

}  // namespace refloop::conformance::loop_suite::ivykis_adapter
