// SPDX-License-Identifier: ISC
// The one fatal-error path of the event loop (spec/loop.md, FATAL). Every misuse the loop
// detects (fd < 0, double registration, unregistering or setting a handler on an unregistered
// object, a backend refusing an fd at its lazy flush, an unavailable backend) ends here: the
// message is formatted, handed to the process-wide handler, and the process aborts even if the
// handler returns. The ivykis C API's iv_fatal / iv_set_fatal_msg_handler sit on top of this.
#pragma once

namespace refloop {

// Receives the formatted message (no trailing newline). It should not return; if it does,
// fatal() calls abort() anyway.
using FatalHandler = void (*)(const char* message);

// [FATAL-001] Formats the message (at most 1023 bytes kept), passes it to the handler (default:
// writes "refloop: <message>\n" to stderr), then calls abort(). Safe to call from any thread.
//
// Message format, fixed so a C layer can rename the call: "<call>: <problem>", where <call> is
// one of the C++ names below and <problem> uses ivykis's wording where ivykis has one:
//   Loop::register_fd        "called with invalid fd N" / "called with fd which is still registered"
//   Loop::register_fd_try    (same two)
//   Loop::unregister_fd      "called with fd which is not registered"
//   Loop::set_handler_in     "called with fd which is not registered" (also _out, _err)
//   Loop::register_timer     "called with timer still on the heap"
//   Loop::unregister_timer   "called with timer not on the heap"
//   Loop::register_task      "called with task still on a list"
//   Loop::unregister_task    "called with task not on a list"
//   Loop::<any of the above> "called with an object registered with another loop" (also a
//                            loop destroyed since, LOOP-013)
//   Loop::~Loop              "called from inside a callback of this loop" (LOOP-012)
//   Loop::Loop               "backend \"NAME\" is not available: it is not compiled in
//                            (compiled in: ...)" or "...: it is compiled in but could not be
//                            created here (...)"; "REFLOOP_BACKEND: backend ..." the same when the
//                            environment named it; "no usable backend (...)"
// Backend messages start "<name> backend: " instead of a call:
//   epoll                    "epoll_ctl(EPOLL_CTL_ADD) on fd N failed: error E[strerror]"
//                            (the lazy flush; also _MOD / _DEL), "epoll_wait failed: ..."
//   kqueue, port             "fd N was closed while registered (...)" (FD-010; epoll does not
//                            report it once the fd is watched, FD-012)
//   select                   "fd N is not below FD_SETSIZE (1024)" (BACKEND-010)
[[noreturn]] void fatal(const char* format, ...) __attribute__((format(printf, 1, 2)));

// [FATAL-002] Sets the process-wide handler and returns the previous one; nullptr restores the
// default. May be called before any Loop exists.
FatalHandler set_fatal_handler(FatalHandler handler);

}  // namespace refloop
