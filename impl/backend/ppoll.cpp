// SPDX-License-Identifier: ISC
// The "ppoll" backend (spec/loop.md, BACKEND): the shared pollfd-array body (pollfd_backend.cpp)
// waiting through iopause_ppoll (impl/iopause).
#include "pollfd_backend.hpp"

namespace refloop::detail {

std::unique_ptr<Backend> make_ppoll_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  return std::make_unique<PollfdBackend>("ppoll", IopauseImpl::ppoll,
                                         PollfdBackend::Hangups::reported, sys);
}

}  // namespace refloop::detail
