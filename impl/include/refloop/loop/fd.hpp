// SPDX-License-Identifier: ISC
// The fd object of the ivykis model (spec/loop.md, FD): what a caller registers with a Loop
// (refloop/loop/loop.hpp), and what a backend (impl/backend/backend.hpp) sees of it. Split from
// loop.hpp so the backend contract does not depend on the loop's public API.
#pragma once

#include <cstdint>

namespace refloop {

class Loop;
using Handler = void (*)(void* cookie);

// Readiness bands, as in ivykis (IN = 1, OUT = 2, ERR = 4).
inline constexpr unsigned band_in = 1;
inline constexpr unsigned band_out = 2;
inline constexpr unsigned band_err = 4;

namespace detail {

// Loop-private state of an Fd. The comments say who writes each field: the core (impl/loop) or
// the backend (impl/backend). Callers never touch it.
// `owner` is the serial of the loop an object is registered with (0: none). Serials are never
// reused, so an object left registered with a destroyed loop can never pass for an object of a
// new loop that happens to live at the same address (LOOP-013).
struct FdState {
  std::uint64_t owner = 0;            // core: the serial of the loop it is registered with, or 0
  std::uint8_t wanted_bands = 0;      // core: bands whose handler is non-null
  std::uint8_t ready_bands = 0;       // core: bands reported in the current poll round
  std::uint8_t registered_bands = 0;  // backend: bands the kernel (or pollfd array) watches
  std::int32_t ready_slot = -1;       // core: index in the loop's dispatch list, or -1
  // backend: its own per-fd state, laid out as it likes (detail::backend_state in
  // impl/backend/backend.hpp); all zero when the fd is registered.
  alignas(8) unsigned char backend_area[16] = {};
};

}  // namespace detail

// [FD-001] A file descriptor watched for readiness. Set `fd` before registering; the handlers
// are read at call time and changed through Loop::set_handler_* while registered. `cookie` may
// change at any time. Standard layout: the five public fields come first, in ivykis's order.
struct Fd {
  int fd = -1;
  void* cookie = nullptr;
  Handler handler_in = nullptr;
  Handler handler_out = nullptr;
  Handler handler_err = nullptr;
  detail::FdState state{};  // owned by the loop; do not touch
};

}  // namespace refloop
