// SPDX-License-Identifier: ISC
// The "select" backend (spec/loop.md, BACKEND): the shared pollfd-array body (pollfd_backend.cpp)
// waiting through iopause_select (impl/iopause).
#include "pollfd_backend.hpp"

namespace refloop::detail {

std::unique_ptr<Backend> make_select_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  return std::make_unique<PollfdBackend>("select", IopauseImpl::select,
                                         PollfdBackend::Hangups::probed, sys);
}

}  // namespace refloop::detail
