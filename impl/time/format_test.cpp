// SPDX-License-Identifier: ISC
// Unit tests for the TAI64 / TAI64N / TAI64NA binary and text forms (spec/time.md, LABEL).
#include <gtest/gtest.h>

#include <vector>

#include "refloop/time/format.hpp"

namespace refloop {
namespace {

tain t(std::uint64_t s, std::uint64_t n) { return *tain::checked(s, n); }
taina ta(std::uint64_t s, std::uint64_t n, std::uint64_t a) { return *taina::checked(t(s, n), a); }

TEST(Label, LABEL_001_atto_is_checked) {
  // [req:LABEL-001]
  EXPECT_FALSE(taina::checked(t(1, 2), 1'000'000'000).has_value());
  EXPECT_EQ(taina::checked(t(1, 2), 999'999'999)->atto(), 999'999'999u);
}

TEST(Label, LABEL_002_pack_is_big_endian) {
  // [req:LABEL-002] djb's example label 400000002a2b2c2d.
  const auto a = pack_tai64(tai{0x400000002a2b2c2dULL});
  EXPECT_EQ(std::vector<std::uint8_t>(a.begin(), a.end()),
            (std::vector<std::uint8_t>{0x40, 0, 0, 0, 0x2a, 0x2b, 0x2c, 0x2d}));
  const auto b = pack_tai64n(t(0x4000000037c219bfULL, 0x2ef02e94));
  EXPECT_EQ(b[8], 0x2e);
  EXPECT_EQ(b[11], 0x94);
  const auto c = pack_tai64na(ta(1, 2, 0x01020304));
  EXPECT_EQ(c[12], 1);
  EXPECT_EQ(c[15], 4);
}

TEST(Label, LABEL_003_unpack_consumes_exactly_and_refuses_with_reason) {
  // [req:LABEL-003]
  std::vector<std::uint8_t> bytes = {0x40, 0, 0, 0, 0, 0, 0, 1, 0x3b, 0x9a, 0xc9, 0xff, 0x3b, 0x9a, 0xca, 0x00, 0xee};
  const auto a = unpack_tai64(bytes);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.consumed, 8u);
  EXPECT_EQ(a.value, tai{tai_magic + 1});
  const auto n = unpack_tai64n(bytes);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.consumed, 12u);
  EXPECT_EQ(n.value, t(tai_magic + 1, 999'999'999));
  const auto na = unpack_tai64na(bytes);  // atto = 10^9: refused at offset 12
  EXPECT_EQ(na.error, ScanErrc::atto_out_of_range);
  EXPECT_EQ(na.error_offset, 12u);
  EXPECT_EQ(na.consumed, 0u);
  bytes[11] = 0x00;  // nano = 0x3b9ac900 + ... make it 10^9 exactly
  bytes[10] = 0xca;
  EXPECT_EQ(unpack_tai64n(bytes).error, ScanErrc::nano_out_of_range);
  EXPECT_EQ(unpack_tai64n(bytes).error_offset, 8u);
  bytes[0] = 0x80;
  EXPECT_EQ(unpack_tai64(bytes).error, ScanErrc::reserved_label);
  EXPECT_EQ(unpack_tai64(bytes).error_offset, 0u);
  const std::vector<std::uint8_t> seven(7, 0);
  EXPECT_EQ(unpack_tai64(seven).error, ScanErrc::short_input);
  EXPECT_EQ(unpack_tai64(seven).error_offset, 7u);
  EXPECT_EQ(unpack_tai64n(std::span<const std::uint8_t>{}).error, ScanErrc::short_input);
}

TEST(Label, LABEL_004_format_is_lowercase_and_exact) {
  // [req:LABEL-004] The tai64n(8) example.
  const tain x = t(0x4000000037c219bfULL, 0x2ef02e94);
  EXPECT_EQ(format_tai64n_text(x), "4000000037c219bf2ef02e94");
  EXPECT_EQ(format_timestamp(x), "@4000000037c219bf2ef02e94");
  EXPECT_EQ(format_tai64na_text(*taina::checked(x, 0xabcdef)), "4000000037c219bf2ef02e9400abcdef");
}

TEST(Label, LABEL_005_scan_accepts_either_case_and_names_the_fault) {
  // [req:LABEL-005]
  const auto a = scan_tai64n_text("4000000037C219BF2EF02E94 trailing");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.consumed, 24u);
  EXPECT_EQ(a.value, t(0x4000000037c219bfULL, 0x2ef02e94));
  EXPECT_EQ(scan_tai64n_text("4000000037c219bf2ef02e9").error, ScanErrc::short_input);
  EXPECT_EQ(scan_tai64n_text("4000000037c219bf2ef02e9").error_offset, 23u);
  EXPECT_EQ(scan_tai64n_text("4000000037c219bf2ef0 e94").error, ScanErrc::not_hex);
  EXPECT_EQ(scan_tai64n_text("4000000037c219bf2ef0 e94").error_offset, 20u);
  EXPECT_EQ(scan_tai64n_text("x").error, ScanErrc::not_hex);  // a bad character beats shortness
  EXPECT_EQ(scan_tai64n_text("8000000000000000").error, ScanErrc::short_input);
  EXPECT_EQ(scan_tai64n_text("800000000000000000000000").error, ScanErrc::reserved_label);
  EXPECT_EQ(scan_tai64n_text("40000000000000003b9aca00").error, ScanErrc::nano_out_of_range);
  EXPECT_EQ(scan_tai64n_text("40000000000000003b9aca00").error_offset, 16u);
  EXPECT_EQ(scan_timestamp("4000000037c219bf2ef02e94").error, ScanErrc::missing_at_sign);
  EXPECT_EQ(scan_timestamp("").error, ScanErrc::short_input);
  EXPECT_EQ(scan_timestamp("@40000000000000003b9aca00").error_offset, 17u);
  EXPECT_EQ(scan_timestamp("@4000000037c219bf2ef02e94").consumed, 25u);
  EXPECT_EQ(scan_tai64na_text("4000000037c219bf2ef02e943b9aca00").error, ScanErrc::atto_out_of_range);
  EXPECT_EQ(scan_tai64na_text("4000000037c219bf2ef02e943b9aca00").error_offset, 24u);
  EXPECT_EQ(scan_tai64na_text("4000000037c219bf2ef02e943b9ac9ff").consumed, 32u);
  EXPECT_STRNE(describe(ScanErrc::not_hex), describe(ScanErrc::short_input));
}

TEST(Label, LABEL_006_round_trips_at_the_boundaries) {
  // [req:LABEL-006]
  for (const tain& x : {t(0, 0), t(tai_magic, 999'999'999), t((std::uint64_t{1} << 63) - 1, 999'999'999)}) {
    const auto p = pack_tai64n(x);
    EXPECT_EQ(unpack_tai64n(p).value, x);
    EXPECT_EQ(scan_tai64n_text(format_tai64n_text(x)).value, x);
    EXPECT_EQ(scan_timestamp(format_timestamp(x)).value, x);
    const taina y = *taina::checked(x, 999'999'999);
    EXPECT_EQ(scan_tai64na_text(format_tai64na_text(y)).value, y);
    const auto q = pack_tai64na(y);
    EXPECT_EQ(unpack_tai64na(q).value, y);
  }
}

}  // namespace
}  // namespace refloop
