// SPDX-License-Identifier: ISC
// The "ppoll" backend (spec/loop.md, BACKEND): the shared pollfd-array body (pollfd_backend.cpp)
// waiting through iopause_ppoll (impl/iopause).
#include "pollfd_backend.hpp"

namespace refloop::detail {

const BackendTraits ppoll_traits =
    pollfd_traits("ppoll", tain::normalised(0, 1), largest_timespec,
                  /*sees_all_hangups=*/true, /*fd_limit=*/0);

std::unique_ptr<Backend> make_ppoll_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  return std::make_unique<PollfdBackend>(ppoll_traits, IopauseImpl::ppoll,
                                         PollfdBackend::Hangups::reported, sys);
}

}  // namespace refloop::detail
