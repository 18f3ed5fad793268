// SPDX-License-Identifier: ISC
// Fuzz target: 12-byte TAI64N unpacking (spec/time.md LABEL). Target functions: refloop::unpack_tai64n.
// The input is copied into an exactly sized buffer so any read past it is an ASan report.
#include <cstdint>
#include <cstring>
#include <memory>

#include "time_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop;
  std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[size ? size : 1]);
  if (size) std::memcpy(exact.get(), data, size);
  const std::span<const std::uint8_t> in(exact.get(), size);
  const auto got = unpack_tai64n(in);
  fuzzcheck::same_as_model(got, model::unpack(std::vector<std::uint8_t>(in.begin(), in.end()), 2), size);
  if (got.ok()) fuzzcheck::require(std::memcmp(pack_tai64n(got.value).data(), in.data(), tai64n_size) == 0, "does not pack back");
  return 0;
}
