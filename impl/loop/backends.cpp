// SPDX-License-Identifier: ISC
// refloop::compiled_backends() (declared in refloop/loop/loop.hpp): the backend registry's list.
#include "backend/backend.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop {

// implements: BACKEND-005
std::vector<std::string_view> compiled_backends() { return detail::backend_names(); }

}  // namespace refloop
