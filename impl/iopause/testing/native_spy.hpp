// SPDX-License-Identifier: ISC
// Test support, linked only into test executables: native_spy.cpp defines poll, ppoll and select
// in the executable itself, so every caller in the process (refloop's static library and a
// dynamically linked libskarnet alike) goes through them (dlsym(RTLD_NEXT) reaches the real
// ones). The spy records the timeout each call was given and can answer instead of the kernel,
// which is how tests watch a foreign library such as libskarnet (refloop's own calls go through a
// kernel table: spy_calls.hpp watches those without link-time tricks).
#pragma once

#include <deque>
#include <vector>

#include "native_call.hpp"

namespace refloop::testing {

struct NativeSpy {
  // Starts recording (clears calls and the script); the destructor stops.
  NativeSpy();
  ~NativeSpy();
  NativeSpy(const NativeSpy&) = delete;
  NativeSpy& operator=(const NativeSpy&) = delete;

  std::vector<NativeCall> calls;
  std::deque<FakeAnswer> script;  // consumed front first; empty = real calls
};

}  // namespace refloop::testing
