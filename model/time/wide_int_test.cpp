// SPDX-License-Identifier: ISC
// The model's 128-bit integers (wide_int.hpp): hand-computed values on every target, and, where
// the compiler has a built-in 128-bit integer (64-bit targets), every operation on every pair of
// a set of edge values checked against it.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "time/wide_int.hpp"

namespace refloop::model {
namespace {

constexpr std::uint64_t all_ones = ~std::uint64_t{0};

TEST(WideInt, unsigned_by_hand) {
  EXPECT_EQ(u128{all_ones} + 1, u128::from_words(1, 0));
  EXPECT_EQ(u128{0} - 1, u128::from_words(all_ones, all_ones));
  EXPECT_EQ(u128{all_ones} * u128{all_ones}, u128::from_words(all_ones - 1, 1));  // (2^64-1)^2
  EXPECT_EQ(u128::from_words(3, 5) * 7, u128::from_words(21, 35));
  EXPECT_EQ((u128{1} << 64) * 1'000'000'000 / 1'000'000'000, u128{1} << 64);
  EXPECT_EQ(u128::from_words(1, 5) % 2, u128{1});
  EXPECT_EQ(u128::from_words(123, 456) / u128::from_words(123, 456), u128{1});
  EXPECT_EQ(u128{1} << 127 >> 127, u128{1});
  EXPECT_EQ(u128::from_words(1, 0) >> 1, u128{std::uint64_t{1} << 63});
  EXPECT_LT(u128{all_ones}, u128::from_words(1, 0));
  EXPECT_EQ(static_cast<std::uint32_t>(u128::from_words(9, 0x1'2345'6789)), 0x2345'6789u);
  EXPECT_EQ(u128{-1}, u128{0} - 1);  // sign-extended, like a built-in conversion
}

TEST(WideInt, signed_by_hand) {
  EXPECT_EQ(i128{-7} / 2, i128{-3});  // truncates toward zero
  EXPECT_EQ(i128{-7} % 2, i128{-1});  // the remainder takes the dividend's sign
  EXPECT_EQ(i128{7} % -2, i128{1});
  EXPECT_EQ(i128{-7} / -2, i128{3});
  EXPECT_LT(i128{-1}, i128{0});
  EXPECT_LT(i128{1} << 127, i128{-1});  // the most negative value
  EXPECT_EQ(i128{INT64_MIN} * 1'000'000'000, -(i128{1'000'000'000} << 63));
  EXPECT_EQ(static_cast<std::int64_t>(i128{-5}), -5);
  EXPECT_EQ(static_cast<u128>(i128{-1}), u128::from_words(all_ones, all_ones));
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 builtin_u128;

builtin_u128 builtin(u128 v) { return (builtin_u128{v.high()} << 64) | v.low(); }

std::vector<u128> edge_values() {
  const std::uint64_t words[] = {0, 1, 2, 999'999'999, 1'000'000'000, 0xffff'ffff, 0x1'0000'0000,
                                 std::uint64_t{1} << 63, all_ones - 1, all_ones};
  std::vector<u128> values;
  for (std::uint64_t hi : words)
    for (std::uint64_t lo : words) values.push_back(u128::from_words(hi, lo));
  return values;
}

TEST(WideInt, agrees_with_the_builtin_128_bit_integer) {
  __extension__ typedef __int128 builtin_i128;
  const std::vector<u128> values = edge_values();
  for (u128 a : values) {
    for (u128 b : values) {
      const builtin_u128 x = builtin(a), y = builtin(b);
      ASSERT_EQ(builtin(a + b), x + y);
      ASSERT_EQ(builtin(a - b), x - y);
      ASSERT_EQ(builtin(a * b), x * y);
      ASSERT_EQ(a < b, x < y);
      const builtin_i128 sx = static_cast<builtin_i128>(x), sy = static_cast<builtin_i128>(y);
      const i128 sa{a}, sb{b};
      ASSERT_EQ(sa < sb, sx < sy);
      ASSERT_EQ(builtin(static_cast<u128>(sa * sb)), x * y);  // the same bits, without the built-in's overflow
      if (y == 0) continue;
      ASSERT_EQ(builtin(a / b), x / y);
      ASSERT_EQ(builtin(a % b), x % y);
      if (sx == static_cast<builtin_i128>(builtin_u128{1} << 127) && sy == -1) continue;  // overflows, as the built-in does
      ASSERT_EQ(builtin(static_cast<u128>(sa / sb)), static_cast<builtin_u128>(sx / sy));
      ASSERT_EQ(builtin(static_cast<u128>(sa % sb)), static_cast<builtin_u128>(sx % sy));
    }
    for (int shift : {0, 1, 31, 32, 63, 64, 65, 127}) {
      ASSERT_EQ(builtin(a << shift), builtin(a) << shift);
      ASSERT_EQ(builtin(a >> shift), builtin(a) >> shift);
    }
  }
}
#endif

}  // namespace
}  // namespace refloop::model
