// SPDX-License-Identifier: ISC
// For tests that compare the stderr of a child process ending in abort() (the default fatal
// handlers, FATAL-001 and IVAPI-021): what the comparison sees must be the program's output only.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace refloop::test {

// Once abort() raises SIGABRT, stderr goes to /dev/null: the comparison sees exactly what the
// program wrote before it asked to die. An emulator reports the death on the same stderr after
// that point (qemu-user appends "qemu: uncaught target signal 6 (Aborted) - core dumped"): the
// emulator's line, not the program's. SA_RESETHAND leaves SIGABRT at its default action, which
// abort() raises again when the handler returns, so the child still dies of SIGABRT.
inline void stderr_ends_at_abort() {
  struct sigaction action {};
  action.sa_handler = [](int) {
    const int null_fd = open("/dev/null", O_WRONLY);  // open and dup2 are async-signal-safe
    if (null_fd >= 0) dup2(null_fd, STDERR_FILENO);
  };
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGABRT, &action, nullptr);
}

}  // namespace refloop::test
