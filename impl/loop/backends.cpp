// SPDX-License-Identifier: ISC
// refloop::compiled_backends() (declared in refloop/loop/loop.hpp) and refloop::backend_traits()
// (refloop/loop/backend_traits.hpp): what the backend registry reports.
#include "backend/backend.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop {

// implements: BACKEND-005
std::vector<std::string_view> compiled_backends() { return detail::backend_names(); }

const BackendTraits* backend_traits(std::string_view name) { return detail::traits_of(name); }

}  // namespace refloop
