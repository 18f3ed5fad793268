// SPDX-License-Identifier: ISC
// The model's own tests: hand-computed values, so the model is checked by something other than
// the implementation it judges.
#include <gtest/gtest.h>

#include "time/format_model.hpp"
#include "time/tain_model.hpp"

namespace refloop::model {
namespace {

TEST(TainModel, arithmetic_by_hand) {
  EXPECT_EQ(add(make(1, 999'999'999), make(0, 1)), make(2, 0));
  EXPECT_EQ(sub(make(3, 1), make(5, 999'999'999)), make(UINT64_MAX - 2, 2));
  EXPECT_EQ(add(make(UINT64_MAX, 999'999'999), make(0, 1)), make(0, 0));
  EXPECT_EQ(add_seconds(make(0, 5), INT64_MIN), make(std::uint64_t{1} << 63, 5));
  EXPECT_EQ(half(make(3, 1)), make(1, 500'000'000));
  EXPECT_TRUE(less(make(1, 999'999'999), make(2, 0)));
  EXPECT_EQ(to_milliseconds(make(0, 1'000'001)), 2u);
  EXPECT_EQ(to_milliseconds(make(UINT64_MAX, 0)), UINT64_MAX);
}

TEST(TainModel, conversions_by_hand) {
  EXPECT_EQ(from_absolute(0, 5).value, make(std::uint64_t{1} << 62, 5));
  EXPECT_EQ(from_absolute(i128{1} << 62, 0).err, Err::out_of_range);
  EXPECT_EQ(from_relative(-1, 0).err, Err::negative);
  const Parts p = to_relative(make(0, 999'999'600), 1000);
  EXPECT_EQ(p.sec, 1);
  EXPECT_EQ(p.sub, 0);
  EXPECT_EQ(to_absolute(make((std::uint64_t{1} << 62) - 7, 9), 1).sec, -7);
}

// [req:TAIN-015] The first second past 2038 (and 2^31 relative seconds): out of range where
// time_t is 32 bits (armhf), converted where it is 64.
TEST(TainModel, TAIN_015_seconds_time_t_cannot_hold) {
  constexpr std::uint64_t p31 = std::uint64_t{1} << 31, p62 = std::uint64_t{1} << 62;
  const Parts after_2038 = to_absolute(make(p62 + p31, 0), 1), relative = to_relative(make(p31, 0), 1000);
  EXPECT_EQ(to_absolute(make(p62 + p31 - 1, 999'999'999), 1).sec, p31 - 1);
  if constexpr (sizeof(time_t) == 4) {
    EXPECT_EQ(after_2038.err, Err::out_of_range);
    EXPECT_EQ(relative.err, Err::out_of_range);
    EXPECT_EQ(to_absolute(make(p62 - p31 - 1, 0), 1).err, Err::out_of_range);
  } else {
    EXPECT_EQ(after_2038.sec, i128{p31});
    EXPECT_EQ(relative.sec, i128{p31});
  }
}

TEST(FormatModel, forms_by_hand) {
  EXPECT_EQ(hex(pack({0x4000000037c219bfULL, 0x2ef02e94, 0}, 2)), "4000000037c219bf2ef02e94");
  EXPECT_EQ(scan_text("4000000037C219BF2EF02E94", 2, 0).value.nano, 0x2ef02e94u);
  EXPECT_EQ(scan_text("40000000", 2, 0).err, ScanErr::short_input);
  EXPECT_EQ(scan_timestamp("@40000000000000003b9aca00").offset, 17u);
  EXPECT_EQ(unpack({0x80, 0, 0, 0, 0, 0, 0, 0}, 1).err, ScanErr::reserved_label);
}

}  // namespace
}  // namespace refloop::model
