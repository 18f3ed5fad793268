// SPDX-License-Identifier: ISC
// The fatal-error path (spec/loop.md, FATAL; declared in refloop/loop/fatal.hpp), defined in the
// loop library that declares it. Backends report fatal errors through it too (a kernel refusing
// an fd at a lazy flush), so refloop::backend and refloop::loop link each other (impl/backend).
#include "refloop/loop/fatal.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace refloop {

namespace {

// The default handler writes one line to stderr with a single write(2), so concurrent fatal
// errors from several threads do not interleave within a line. (ivykis logs to syslog at
// LOG_CRIT instead; refloop prefers stderr, which tests and terminals can see.)
void write_to_stderr(const char* message) {
  char line[1100];
  const int n = std::snprintf(line, sizeof line, "refloop: %s\n", message);
  if (n > 0) {
    const auto length = static_cast<std::size_t>(n) < sizeof line ? static_cast<std::size_t>(n)
                                                                   : sizeof line - 1;
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, line, length);
  }
}

std::atomic<FatalHandler> current_handler{nullptr};

}  // namespace

// implements: FATAL-001
void fatal(const char* format, ...) {
  char message[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof message, format, args);
  va_end(args);
  const FatalHandler handler = current_handler.load();
  (handler != nullptr ? handler : write_to_stderr)(message);
  std::abort();  // even when the handler returns: fatal means the process ends
}

// implements: FATAL-002
FatalHandler set_fatal_handler(FatalHandler handler) { return current_handler.exchange(handler); }

}  // namespace refloop
