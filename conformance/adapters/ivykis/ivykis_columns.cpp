// SPDX-License-Identifier: ISC
// Columns of an ivykis runner: one implementation of <iv.h> (Debian's libivykis, or refloop's
// compat layer), on the one poll method named by --backend, chosen through ivykis's own means:
// IV_EXCLUDE_POLL_METHOD lists every other method before the process's first iv_init (and
// REFLOOP_BACKEND names a backend ivykis lacks).
#include <cstdlib>

#include "columns.hpp"
#include "ivykis_loop.hpp"

namespace refloop::conformance::loop_suite {

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
  bool ivykis_method = false;
  for (const char* method : {"epoll-timerfd", "epoll", "kqueue", "dev_poll", "port", "ppoll", "poll", "select"}) {
    if (backend != method) excluded += std::string(excluded.empty() ? "" : " ") + method;
    else ivykis_method = true;
  }
  ::setenv("IV_EXCLUDE_POLL_METHOD", excluded.c_str(), 1);
  // A backend ivykis does not have (refloop's emulated ones, spec/os.md OS-006, which the default
  // choice never takes) can only be asked for by name: REFLOOP_BACKEND, which libivykis ignores.
  if (!ivykis_method) ::setenv("REFLOOP_BACKEND", backend.c_str(), 1);
  return {Column{implementation, implementation + "/" + backend,
                 [implementation, backend] { return make_ivykis_loop_adapter(implementation, backend); }}};
}

}  // namespace refloop::conformance::loop_suite
