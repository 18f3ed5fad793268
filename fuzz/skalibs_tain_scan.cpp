// SPDX-License-Identifier: ISC
// Fuzz target: the skalibs-compatible C scanners and unpackers (spec/time.md, TAICOMPAT-014,
// -015, -017, -018): tain_scan, timestamp_scan, tai_unpack, tain_unpack and the little-endian
// unpackers. Each gets an exactly sized copy (NUL-terminated text, or exactly 8 / 12 bytes) so
// ASan reports any read past what skalibs' contract lets it read. Results are checked against
// the C++ scanners (impl/time): the same value where both accept; where the C++ API refuses a
// range (reserved label, nanoseconds >= 10^9) the C API must accept exactly those fields
// (TAICOMPAT-017); where the text is not hex or too short, both refuse.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "refloop/time/format.hpp"

#include <skalibs/tai.h>

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "skalibs_tain_scan: %s\n", what);
    std::abort();
  }
}

bool same(const tain& c, std::uint64_t sec, std::uint32_t nano) { return c.sec.x == sec && c.nano == nano; }
bool same(const tain& a, const tain& b) { return same(a, b.sec.x, b.nano); }

// The big-endian fields of 12 bytes, read directly: what the C API must deliver, unchecked.
std::uint64_t be(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}

// [req:TAICOMPAT-017] [req:TAICOMPAT-018] scan_form is refloop's C++ scanner for the same form.
template <class CScan, class CxxScan>
void check_text(std::string_view in, std::size_t digits_at, CScan c_scan, CxxScan cxx_scan) {
  std::vector<char> exact(in.begin(), in.end());
  exact.push_back('\0');
  const tain sentinel = {{0x1234}, 0x5678};
  tain got = sentinel;
  const std::size_t n = c_scan(exact.data(), &got);
  const auto want = cxx_scan(in);
  using refloop::ScanErrc;
  if (want.ok()) {
    require(n == digits_at + 24 && same(got, want.value.sec(), want.value.nano()), "accepted text differs from C++");
  } else if (want.error == ScanErrc::reserved_label || want.error == ScanErrc::nano_out_of_range) {
    // The range checks are C++ only: the C API takes the digits as they are.
    std::uint8_t bytes[TAIN_PACK];
    for (int i = 0; i < TAIN_PACK; ++i) {
      char pair[3] = {in[digits_at + 2 * i], in[digits_at + 2 * i + 1], 0};
      bytes[i] = static_cast<std::uint8_t>(std::strtoul(pair, nullptr, 16));
    }
    require(n == digits_at + 24, "C API refused a range the spec says it accepts");
    require(same(got, be(bytes, 8), static_cast<std::uint32_t>(be(bytes + 8, 4))), "unchecked value wrong");
    require(got.sec.x >> 63 || got.nano >= 1'000'000'000U, "C++ refused a value in range");
  } else {
    require(n == 0 && same(got, sentinel), "C API accepted (or wrote) what is not a full label");
  }
  if (n) {
    char text[TIMESTAMP];
    require(timestamp_fmt(text, &got) == TIMESTAMP, "timestamp_fmt length");
    for (std::size_t i = 0; i < 24; ++i) {
      const char c = in[digits_at + i];
      const char lower = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
      require(text[1 + i] == lower, "formatting the scanned value does not give the digits back");
    }
  }
}

// [req:TAICOMPAT-014] [req:TAICOMPAT-015]
void check_binary(const std::uint8_t* data, std::size_t size) {
  if (size >= TAI_PACK) {
    std::vector<char> exact(data, data + TAI_PACK), reversed(exact.rbegin(), exact.rend());
    tai big, little;
    tai_unpack(exact.data(), &big);
    tai_unpack_little(reversed.data(), &little);
    require(big.x == be(data, 8) && little.x == big.x, "tai_unpack / tai_unpack_little");
    const auto cxx = refloop::unpack_tai64(std::span(data, TAI_PACK));
    require(cxx.ok() == !(big.x >> 63), "C++ tai refusal is not exactly the reserved range");
    if (cxx.ok()) require(cxx.value.x == big.x, "tai value differs from C++");
  }
  if (size >= TAIN_PACK) {
    std::vector<char> exact(data, data + TAIN_PACK), reversed(exact.rbegin(), exact.rend());
    tain big, little;
    tain_unpack(exact.data(), &big);
    tain_unpack_little(reversed.data(), &little);
    require(same(big, be(data, 8), static_cast<std::uint32_t>(be(data + 8, 4))), "tain_unpack");
    require(same(little, big.sec.x, big.nano), "tain_unpack_little is not the byte reversal");
    const auto cxx = refloop::unpack_tai64n(std::span(data, TAIN_PACK));
    require(cxx.ok() == (!(big.sec.x >> 63) && big.nano < 1'000'000'000U), "C++ tain refusal is not the range");
    if (cxx.ok()) require(same(big, cxx.value.sec(), cxx.value.nano()), "tain value differs from C++");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_text(in, 0, &tain_scan, [](std::string_view s) { return refloop::scan_tai64n_text(s); });
  check_text(in, 1, &timestamp_scan, [](std::string_view s) { return refloop::scan_timestamp(s); });
  check_binary(data, size);
  return 0;
}
