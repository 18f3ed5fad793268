// SPDX-License-Identifier: ISC
// The "poll" backend (spec/loop.md, BACKEND): the shared pollfd-array body (pollfd_backend.cpp)
// waiting through iopause_poll (impl/iopause).
#include "pollfd_backend.hpp"

namespace refloop::detail {

std::unique_ptr<Backend> make_poll_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  return std::make_unique<PollfdBackend>("poll", IopauseImpl::poll,
                                         PollfdBackend::Hangups::reported, sys);
}

}  // namespace refloop::detail
