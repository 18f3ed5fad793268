// SPDX-License-Identifier: ISC
// The "poll" backend (spec/loop.md, BACKEND): the shared pollfd-array body (pollfd_backend.cpp)
// waiting through iopause_poll (impl/iopause).
#include "pollfd_backend.hpp"

namespace refloop::detail {

const BackendTraits poll_traits =
    pollfd_traits("poll", tain::normalised(0, 1'000'000), int_max_milliseconds,
                  /*sees_all_hangups=*/true, /*fd_limit=*/0);

std::unique_ptr<Backend> make_poll_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  return std::make_unique<PollfdBackend>(poll_traits, IopauseImpl::poll,
                                         PollfdBackend::Hangups::reported, sys);
}

}  // namespace refloop::detail
