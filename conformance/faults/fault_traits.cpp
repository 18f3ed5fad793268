// SPDX-License-Identifier: ISC
// Prints, for each backend refloop compiled, its name, the call it waits with, the call it tells
// the kernel of interest with, the call that sets its kernel timer ("-" when none) and whether its
// kernel is an emulation ("emulated" or "native"), from its traits
// (refloop/loop/backend_traits.hpp): ci/faults judges refloop's own columns by spec/fault.md,
// which decides by the role a failing call plays in a backend, never by the backend's name.
#include <cstdio>
#include <string_view>

#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/loop.hpp"

int main() {
  for (std::string_view name : refloop::compiled_backends()) {
    const refloop::BackendTraits* traits = refloop::backend_traits(name);
    if (traits == nullptr) continue;
    const auto text = [](std::string_view call) { return call.empty() ? std::string_view("-") : call; };
    std::printf("%.*s %.*s %.*s %.*s %s\n", static_cast<int>(name.size()), name.data(),
                static_cast<int>(text(traits->wait_call).size()), text(traits->wait_call).data(),
                static_cast<int>(text(traits->interest_call).size()), text(traits->interest_call).data(),
                static_cast<int>(text(traits->timer_call).size()), text(traits->timer_call).data(),
                traits->emulated ? "emulated" : "native");
  }
  return 0;
}
