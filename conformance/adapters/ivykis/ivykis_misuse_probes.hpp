// SPDX-License-Identifier: ISC
// The misuse probes of the <iv.h> API (cases/ivapi/, conformance/README.md "Probes"; issue 10):
// iv_main nested in callbacks, iv_init and iv_deinit in callbacks, objects of other threads, NULL
// objects, extreme expiries and fd numbers. Written against <iv.h> only, so the matrix shows what
// refloop's <iv.h> and Debian's libivykis each do.
#pragma once

#include <string>

namespace refloop::conformance::loop_suite::ivykis_adapter {

[[nodiscard]] bool is_misuse_probe(const std::string& name);
// Performs the probe `name` with its argument `text` (`! nested-main timer`): a result, or no
// return (a fatal error or a crash, which the runner observes from outside).
std::string misuse_probe(const std::string& name, const std::string& text);

}  // namespace refloop::conformance::loop_suite::ivykis_adapter
