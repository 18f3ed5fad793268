// SPDX-License-Identifier: ISC
// The ivykis adapter (ivykis_subject.cpp): an implementation of <iv.h> on one poll method.
#pragma once

#include <memory>
#include <string>

#include "subject.hpp"

namespace refloop::conformance {

// `implementation` names the column ("ivykis", "refloop-iv"); `method` is the poll method the
// process chose (the caller sets IV_EXCLUDE_POLL_METHOD before the first subject).
std::unique_ptr<Subject> make_ivykis_subject(const std::string& implementation, const std::string& method);

}  // namespace refloop::conformance
