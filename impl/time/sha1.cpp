// SPDX-License-Identifier: ISC
// SHA-1 as FIPS 180-4 section 6.1 describes it: 64-byte blocks, an 80-word message schedule,
// four rounds of 20 steps. Written plainly rather than fast: it hashes a few hundred bytes per
// leap-seconds.list file (spec/time.md, LEAP-009).
#include "sha1.hpp"

#include <bit>

namespace refloop::detail {

namespace {

std::uint32_t big_endian_word(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

// The round function and constant of step t (FIPS 180-4, 4.1.1 and 4.2.1).
std::uint32_t round_function(int t, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  if (t < 20) return (b & c) | (~b & d);
  if (t < 40) return b ^ c ^ d;
  if (t < 60) return (b & c) | (b & d) | (c & d);
  return b ^ c ^ d;
}

std::uint32_t round_constant(int t) {
  if (t < 20) return 0x5A827999u;
  if (t < 40) return 0x6ED9EBA1u;
  if (t < 60) return 0x8F1BBCDCu;
  return 0xCA62C1D6u;
}

}  // namespace

void Sha1::compress_block() {
  std::array<std::uint32_t, 80> w{};
  for (int t = 0; t < 16; ++t) w[t] = big_endian_word(&block_[static_cast<std::size_t>(4 * t)]);
  for (int t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

  auto [a, b, c, d, e] = state_;
  for (int t = 0; t < 80; ++t) {
    const std::uint32_t temp = std::rotl(a, 5) + round_function(t, b, c, d) + e + round_constant(t) + w[t];
    e = d;
    d = c;
    c = std::rotl(b, 30);
    b = a;
    a = temp;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  block_used_ = 0;
}

void Sha1::update(std::string_view bytes) {
  for (const char byte : bytes) {
    block_[block_used_++] = static_cast<std::uint8_t>(byte);
    if (block_used_ == block_.size()) compress_block();
  }
  total_bytes_ += bytes.size();
}

Sha1Digest Sha1::finish() {
  const std::uint64_t total_bits = total_bytes_ * 8;
  // Padding: one 1 bit, zeros up to 56 bytes into a block, then the bit length big-endian.
  block_[block_used_++] = 0x80;
  if (block_used_ > 56) {
    while (block_used_ < 64) block_[block_used_++] = 0;
    compress_block();
  }
  while (block_used_ < 56) block_[block_used_++] = 0;
  for (int shift = 56; shift >= 0; shift -= 8)
    block_[block_used_++] = static_cast<std::uint8_t>(total_bits >> shift);
  compress_block();
  return state_;
}

}  // namespace refloop::detail
