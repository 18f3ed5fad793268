// SPDX-License-Identifier: ISC
// Fuzz target: the OS emulators' operation-sequence interpreter (conformance/os, spec/os.md). The
// input is case text; it runs on the emulated column (model/os on a simulated clock, so no
// timeout takes real time), and whatever it says about the expectations, it must not crash, leak
// or trip a sanitizer, and it must leave no fd behind. The corpus (fuzz/corpus/os_case_run/)
// starts from the suite's cases.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "os_case.hpp"

namespace {

// The lowest free descriptor number: a case that leaked an fd moves it.
int lowest_free_fd() {
  const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ::close(probe);
  return probe;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const int free_before = lowest_free_fd();
  {
    refloop::SimulatedClock clock;
    refloop::os::Emulators emulators(refloop::kernel::native_syscalls(), &clock);
    refloop::os_suite::Column column = refloop::os_suite::emulated_column(emulators);
    refloop::os_suite::run_case(std::string_view(reinterpret_cast<const char*>(data), size), column);
  }
  if (lowest_free_fd() != free_before) {
    std::fprintf(stderr, "os_case_run: the case left an fd open\n");
    std::abort();
  }
  return 0;
}
