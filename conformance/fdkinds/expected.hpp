// SPDX-License-Identifier: ISC
// What a backend does with each fd kind (spec/loop.md, FD-016..FD-019), derived from the backend's
// traits (refloop/loop/backend_traits.hpp), never from its name; the outcome a probe observed in
// the same words; and the text of a table cell.
#pragma once

#include <string>
#include <vector>

#include "fd_kinds.hpp"
#include "refloop/loop/backend_traits.hpp"

namespace refloop::fdkinds {

// One (backend, kind) cell: what register_fd_try answered, the bands after each step when it
// accepted, and what register_fd followed by one poll did (FD-002: a refusal is fatal there).
struct Outcome {
  std::string try_result;          // "0", or the errno's name ("EPERM")
  std::vector<std::string> bands;  // per step, when try_result is "0": "-", "in", "in out err", ...
  std::string lazy;                // the bands of that one poll, or "fatal EPERM" (the errno in its message)
  std::string problem;             // set when the probe itself failed (the kind could not be made, ...)

  bool operator==(const Outcome&) const = default;
  [[nodiscard]] std::string text() const;  // the table cell
};

// FD-017, FD-018: the outcome a backend with these traits must produce for the kind.
Outcome expected_outcome(const Kind& kind, const BackendTraits& traits);

// FD-019: for a backend on an emulated interface, why its cell for this kind is not what the
// native interface would answer (a footnote of the table); empty when there is no such reason.
std::string emulated_difference(const Kind& kind, const BackendTraits& traits);

// "EPERM" for EPERM; "errno N" for a number without a name.
std::string errno_name(int error);

}  // namespace refloop::fdkinds
