// SPDX-License-Identifier: ISC
// See fatal_capture.hpp. One write per message, so a line is never interleaved with another.
#include "fatal_capture.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

#if defined(REFLOOP_GCOV_DUMP)  // coverage builds (top-level CMakeLists.txt)
extern "C" void __gcov_dump(void);  // libgcov's
#endif

namespace refloop::conformance {
namespace {
std::atomic<int> report_fd{-1};
std::atomic<bool> reported{false};
std::atomic<const char*> line_prefix{"F "};
}  // namespace

void set_fatal_report_fd(int fd, const char* prefix) {
  report_fd = fd;
  line_prefix = prefix;
}

void report_fatal(const char* message) {
  reported = true;
  std::string line = line_prefix.load();
  for (const char* p = message; *p != '\0'; ++p) line += *p == '\n' ? ' ' : *p;
  line += '\n';
  const int fd = report_fd.load();
  (void)!::write(fd >= 0 ? fd : 2, line.data(), line.size());
  flush_coverage();  // the implementation aborts next
}

void flush_coverage() {
#if defined(REFLOOP_GCOV_DUMP)
  __gcov_dump();
#endif
}

bool fatal_reported() { return reported.load(); }

}  // namespace refloop::conformance
