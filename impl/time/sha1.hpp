// SPDX-License-Identifier: ISC
// Internal to impl/time: SHA-1 (FIPS 180-4), used only to check the #h line of a
// leap-seconds.list file (spec/time.md, LEAP-009). Not a security primitive here: the hash
// detects damaged or edited files, it authenticates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace refloop::detail {

using Sha1Digest = std::array<std::uint32_t, 5>;  // the five 32-bit words h0..h4

class Sha1 {
 public:
  void update(std::string_view bytes);
  // Pads and returns the digest; the object must not be updated afterwards.
  Sha1Digest finish();

 private:
  void compress_block();
  Sha1Digest state_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  std::array<std::uint8_t, 64> block_{};
  std::size_t block_used_ = 0;
  std::uint64_t total_bytes_ = 0;
};

inline Sha1Digest sha1(std::string_view bytes) {
  Sha1 hasher;
  hasher.update(bytes);
  return hasher.finish();
}

}  // namespace refloop::detail
