// SPDX-License-Identifier: ISC
// SHA-1 against the FIPS 180 example vectors and against lengths around the 56- and 64-byte
// padding boundaries (digests from an independent SHA-1), so the #h check of LEAP-009 rests on a
// correct hash.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sha1.hpp"

namespace {

std::string hex(const refloop::detail::Sha1Digest& digest) {
  std::string text;
  char word[9];
  for (const auto value : digest) {
    std::snprintf(word, sizeof word, "%08x", value);
    text += word;
  }
  return text;
}

// [req:LEAP-009]
TEST(Sha1, LEAP_009_fips_example_vectors) {
  using refloop::detail::sha1;
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(Sha1, LEAP_009_million_a_fed_in_pieces) {
  refloop::detail::Sha1 hasher;
  const std::string piece(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.update(piece);
  EXPECT_EQ(hex(hasher.finish()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1, LEAP_009_padding_boundaries) {
  const struct { std::size_t length; const char* digest; } cases[] = {
      {55, "cef734ba81a024479e09eb5a75b6ddae62e6abf1"}, {56, "901305367c259952f4e7af8323f480d59f81335b"},
      {63, "0ddc4e0cccd9a12850deb5abb0853a4425559fec"}, {64, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163"},
      {65, "78c741ddc482e4cdf8c474a0876347a0905b6233"}, {119, "4300320394f7ee239bcdce7d3b8bcee173a0cd5c"},
      {120, "ceb2821639c4b6dcb10bce0e522ca2e608ce056d"}};
  for (const auto& c : cases) EXPECT_EQ(hex(refloop::detail::sha1(std::string(c.length, 'x'))), c.digest) << c.length;
}

}  // namespace
