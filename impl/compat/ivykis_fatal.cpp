// SPDX-License-Identifier: ISC
// The ivykis C API, part 2 (spec/loop.md, FATAL and IVAPI): iv_fatal and
// iv_set_fatal_msg_handler. iv_fatal formats into a bounded buffer and goes through refloop's
// one fatal path (refloop/loop/fatal.hpp), whose handler this file replaces with a hook: the hook
// renames the C++ call in a core message ("Loop::register_fd: ...") to the iv_* function a C
// program called, and hands the message to the application's handler or to the default, which
// writes it to stderr (ivykis logs to syslog instead). The process aborts either way.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "ivykis_internal.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::ivykis {

namespace {

using MessageHandler = void (*)(const char*);

std::atomic<MessageHandler> application_handler{nullptr};

// The C++ call named by a core fatal message, and the C function a C program called instead.
struct Rename {
  std::string_view cxx;
  std::string_view c;
};
constexpr Rename renames[] = {
    {"Loop::Loop", "iv_init"},
    {"Loop::~Loop", "iv_deinit"},
    {"Loop::register_fd_try", "iv_fd_register_try"},
    {"Loop::register_fd", "iv_fd_register"},
    {"Loop::unregister_fd", "iv_fd_unregister"},
    {"Loop::set_handler_in", "iv_fd_set_handler_in"},
    {"Loop::set_handler_out", "iv_fd_set_handler_out"},
    {"Loop::set_handler_err", "iv_fd_set_handler_err"},
    {"Loop::register_timer", "iv_timer_register"},
    {"Loop::unregister_timer", "iv_timer_unregister"},
    {"Loop::register_task", "iv_task_register"},
    {"Loop::unregister_task", "iv_task_unregister"},
};

// The default: one line on stderr, written with a single write(2) so that lines from several
// threads do not interleave. ivykis logs at LOG_CRIT to syslog; see FATAL in spec/loop.md.
void write_to_stderr(const char* message) {
  char line[1100];
  const int n = std::snprintf(line, sizeof line, "refloop: %s\n", message);
  if (n > 0) {
    const auto length = std::min(static_cast<std::size_t>(n), sizeof line - 1);
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, line, length);
  }
}

// implements: IVAPI-022
void core_fatal_hook(const char* message) {
  const std::string_view text(message);
  char renamed[1024];
  for (const Rename& r : renames) {
    if (text.starts_with(r.cxx) && text.substr(r.cxx.size()).starts_with(":")) {
      const std::string_view rest = text.substr(r.cxx.size());
      std::snprintf(renamed, sizeof renamed, "%.*s%.*s", static_cast<int>(r.c.size()), r.c.data(),
                    static_cast<int>(rest.size()), rest.data());
      message = renamed;
      break;
    }
  }
  const MessageHandler handler = application_handler.load();
  (handler != nullptr ? handler : write_to_stderr)(message);
}

}  // namespace

void install_core_fatal_hook() { set_fatal_handler(core_fatal_hook); }

}  // namespace refloop::ivykis

extern "C" {

// implements: IVAPI-020
void iv_fatal(const char* fmt, ...) {
  char message[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(message, sizeof message, fmt, args);
  va_end(args);
  refloop::ivykis::install_core_fatal_hook();
  refloop::fatal("%s", message);  // calls the hook above, then aborts
}

// implements: IVAPI-021
void iv_set_fatal_msg_handler(void (*handler)(const char* msg)) {
  refloop::ivykis::application_handler.store(handler);
  refloop::ivykis::install_core_fatal_hook();
}

}  // extern "C"
