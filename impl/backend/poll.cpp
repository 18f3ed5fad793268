// SPDX-License-Identifier: ISC
// The "poll" backend (spec/loop.md, BACKEND): the shared pollfd-array body (pollfd_backend.cpp)
// waiting through iopause_poll (impl/iopause).
#include "pollfd_backend.hpp"

namespace refloop::detail {

std::unique_ptr<Backend> make_poll_backend() {
  return std::make_unique<PollfdBackend>("poll", IopauseImpl::poll);
}

}  // namespace refloop::detail
