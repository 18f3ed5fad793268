// SPDX-License-Identifier: ISC
// The fd-kind expectations by trait (spec/loop.md, FD-017..FD-019).
#include "expected.hpp"

#include <cerrno>
#include <cstring>

namespace refloop::fdkinds {

namespace {

Outcome accepted(std::vector<std::string> bands) {
    // register_fd's first poll sees what register_fd_try's first look saw.
  std::string lazy = bands.front();
  return {.try_result = "0", .bands = std::move(bands), .lazy = std::move(lazy), .problem = {}};
}

Outcome refused(int error) { 
  return {.try_result = errno_name(error), .bands = {}, .lazy = "fatal " + errno_name(error), .problem = {}};
}

Outcome always_ready(const Kind& kind) { return accepted(std::vector<std::string>(kind.steps.size(), "in out")); }

// implements: FD-017 (a file without a poll operation, by the regular_file trait)
Outcome unpolled_outcome(const Kind& kind, const BackendTraits& traits) {
  switch (traits.regular_file) {
    case BackendTraits::RegularFile::refused:
      return refused(EPERM);  // epoll_ctl(2): "The target file fd does not support epoll"
    case BackendTraits::RegularFile::always_ready:
      return always_ready(kind);  // poll(2) and its kin: no poll operation means always ready
    case BackendTraits::RegularFile::read_until_eof:
      // The probe wants out, and EVFILT_WRITE is refused for a regular file (spec/os.md OS-113);
      // other files without a poll operation are answered from poll(2) by the emulator (FD-019).
      if (kind.file_class == FileClass::regular) return refused(EINVAL);
      return always_ready(kind);
  }
  return {};
}

}  // namespace

std::string errno_name(int error) {
  const char* name = ::strerrorname_np(error);
  return name != nullptr ? name : "errno " + std::to_string(error);
}

// implements: FD-017, FD-018
Outcome expected_outcome(const Kind& kind, const BackendTraits& traits) {
  if (kind.file_class != FileClass::polled) return unpolled_outcome(kind, traits);
  std::vector<std::string> bands;
  for (const Step& step : kind.steps)
    bands.push_back(step.ends_input && traits.end_of_input_is_hangup ? "in out err" : step.polled_bands);
  return accepted(std::move(bands));
}

// implements: FD-019
std::string emulated_difference(const Kind& kind, const BackendTraits& traits) {
  if (!traits.emulated) return {};
  if (kind.linux_kind)
    return "a Linux fd kind: the emulator answers from Linux's poll(2); the emulated interface's own "
           "system has its own fd of this kind or none, not checked here";
  if (traits.regular_file == BackendTraits::RegularFile::read_until_eof && kind.file_class == FileClass::regular)
    return "the kqueue emulator refuses EVFILT_WRITE on a regular file as FreeBSD's kqueue(2) says (OS-113); the "
           "BSD kernel source disagrees (vfs_subr.c: vfs_kqfilter gives EVFILT_WRITE filt_vfswrite, always ready), so "
           "native kqueue may accept out here and report it always ready, not checked here";
  if (traits.regular_file == BackendTraits::RegularFile::read_until_eof && kind.file_class == FileClass::unpolled_other)
    return "the kqueue emulator answers a file that is neither regular nor polled from poll(2) (always ready); "
           "native kqueue leaves it to the file system or driver (FreeBSD's kqueue(2) says EVFILT_WRITE is not "
           "supported for vnodes), not checked here";
  return {};
}

std::string Outcome::text() const {
  if (!problem.empty()) return "probe failed: " + problem;
  if (try_result != "0") {
    const std::string fatal = "fatal " + try_result;
    return "refused " + try_result + "; register_fd: " + (lazy == fatal ? "fatal" : lazy);
  }
  std::string cell;
  for (const std::string& step : bands) cell += (cell.empty() ? "" : " → ") + step;
  if (bands.empty() || lazy != bands.front()) cell += " (register_fd: " + lazy + ")";
  return cell;
}

}  // namespace refloop::fdkinds
