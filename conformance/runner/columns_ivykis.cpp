// SPDX-License-Identifier: ISC
// Columns of an ivykis runner: one implementation of <iv.h> (Debian's libivykis, or refloop's
// compat layer), on the one poll method named by --backend, chosen through ivykis's own means:
// IV_EXCLUDE_POLL_METHOD lists every other method before the process's first iv_init.
#include <cstdlib>

#include "columns.hpp"
#include "ivykis_subject.hpp"

namespace refloop::conformance {

std::vector<Column> available_columns(const std::string& impl, const std::string& backend, std::string& error) {
  const std::string implementation = REFLOOP_IVYKIS_IMPLEMENTATION;
  if (impl != implementation && impl != "all") {
    error = "this runner offers only --impl " + implementation;
    return {};
  }
  if (backend.empty()) {
    error = "--impl " + implementation + " needs --backend METHOD (ivykis chooses one method per process)";
    return {};
  }
  std::string excluded;
  for (const char* method : {"epoll-timerfd", "epoll", "kqueue", "dev_poll", "port", "ppoll", "poll", "select"})
    if (backend != method) excluded += std::string(excluded.empty() ? "" : " ") + method;
  ::setenv("IV_EXCLUDE_POLL_METHOD", excluded.c_str(), 1);
  // A method on an emulated interface ("~emu", spec/os.md OS-003) is never a default choice
  // (OS-200), so refloop's <iv.h> is asked for it by name; other implementations ignore this.
  if (backend.ends_with("~emu")) ::setenv("REFLOOP_BACKEND", backend.c_str(), 1);
  return {Column{implementation, implementation + "/" + backend,
                 [implementation, backend] { return make_ivykis_subject(implementation, backend); }}};
}

}  // namespace refloop::conformance
