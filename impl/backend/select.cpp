// SPDX-License-Identifier: ISC
// The "select" backend (spec/loop.md, BACKEND): the shared pollfd-array body (pollfd_backend.cpp)
// waiting through iopause_select (impl/iopause). select(2) sees no POLLERR / POLLHUP (BACKEND-011)
// and no fd at or above FD_SETSIZE (BACKEND-010).
#include "pollfd_backend.hpp"

#include <sys/select.h>

namespace refloop::detail {

const BackendTraits select_traits =
    pollfd_traits("select", tain::normalised(0, 1'000), largest_timeval,
                  /*sees_all_hangups=*/false, /*fd_limit=*/FD_SETSIZE);

std::unique_ptr<Backend> make_select_backend(const kernel::SysCalls& sys) {
  if (sys.poll == nullptr || sys.fd == nullptr) return nullptr;
  return std::make_unique<PollfdBackend>(select_traits, IopauseImpl::select,
                                         PollfdBackend::Hangups::probed, sys);
}

}  // namespace refloop::detail
