// SPDX-License-Identifier: ISC
// Fuzz target: @-prefixed timestamp scanning (spec/time.md LABEL). Target functions: refloop::scan_timestamp.
// The input is copied into an exactly sized buffer so any read past it is an ASan report.
#include <cstdint>
#include <cstring>
#include <memory>

#include "time_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop;
  std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[size ? size : 1]);
  if (size) std::memcpy(exact.get(), data, size);
  const std::string_view in(reinterpret_cast<const char*>(exact.get()), size);
  const auto got = scan_timestamp(in);
  fuzzcheck::same_as_model(got, model::scan_timestamp(in), size);
  if (got.ok()) fuzzcheck::formats_back(format_timestamp(got.value), in);
  return 0;
}
