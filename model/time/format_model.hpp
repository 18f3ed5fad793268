// SPDX-License-Identifier: ISC
// The model of the external label forms (spec/time.md, LABEL): bytes from arithmetic on the
// 128-bit count, hex from a lookup string, and scanning as "check every character in order,
// then decode, then range-check" — the order LABEL-005 states. Mirrors impl/time/format.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "time/tain_model.hpp"

namespace refloop::model {

enum class ScanErr { none, short_input, not_hex, missing_at_sign, reserved_label, nano_out_of_range, atto_out_of_range };

struct Label {  // sec, nano, atto: as many fields as the form has
  std::uint64_t sec = 0;
  std::uint64_t nano = 0;
  std::uint64_t atto = 0;
  friend bool operator==(const Label&, const Label&) = default;
};

struct Scan {
  Label value{};
  std::size_t consumed = 0;
  ScanErr err = ScanErr::none;
  std::size_t offset = 0;
};

// fields: 1 = TAI64, 2 = TAI64N, 3 = TAI64NA.
inline std::vector<std::uint8_t> pack(const Label& v, int fields) {
  std::vector<std::uint8_t> out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v.sec >> shift));
  if (fields >= 2)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v.nano >> shift));
  if (fields >= 3)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v.atto >> shift));
  return out;
}

inline std::string hex(const std::vector<std::uint8_t>& bytes) {
  const std::string digits = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : bytes) {
    s += digits[b / 16];
    s += digits[b % 16];
  }
  return s;
}

inline std::size_t byte_count(int fields) { return fields == 1 ? 8 : fields == 2 ? 12 : 16; }

// Range checks on decoded bytes; `scale` converts byte offsets to the caller's units.
inline Scan check_ranges(const std::vector<std::uint8_t>& bytes, int fields, std::size_t scale, std::size_t base,
                         std::size_t consumed) {
  Label v;
  for (std::size_t i = 0; i < 8; ++i) v.sec = v.sec * 256 + bytes[i];
  for (std::size_t i = 8; i < 12 && fields >= 2; ++i) v.nano = v.nano * 256 + bytes[i];
  for (std::size_t i = 12; i < 16 && fields >= 3; ++i) v.atto = v.atto * 256 + bytes[i];
  if (v.sec >= (std::uint64_t{1} << 63)) return {{}, 0, ScanErr::reserved_label, base};
  if (v.nano >= 1'000'000'000) return {{}, 0, ScanErr::nano_out_of_range, base + 8 * scale};
  if (v.atto >= 1'000'000'000) return {{}, 0, ScanErr::atto_out_of_range, base + 12 * scale};
  return {v, consumed, ScanErr::none, 0};
}

inline Scan unpack(const std::vector<std::uint8_t>& in, int fields) {
  const std::size_t n = byte_count(fields);
  if (in.size() < n) return {{}, 0, ScanErr::short_input, in.size()};
  return check_ranges(std::vector<std::uint8_t>(in.begin(), in.begin() + static_cast<long>(n)), fields, 1, 0, n);
}

inline int hex_digit(char c) {
  const std::string lower = "0123456789abcdef", upper = "0123456789ABCDEF";
  for (int i = 0; i < 16; ++i)
    if (c == lower[static_cast<std::size_t>(i)] || c == upper[static_cast<std::size_t>(i)]) return i;
  return -1;
}

// Text of `fields` starting at `base` (1 after a timestamp's '@').
inline Scan scan_text(std::string_view in, int fields, std::size_t base) {
  const std::size_t digits = 2 * byte_count(fields);
  for (std::size_t i = base; i < base + digits; ++i) {
    if (i >= in.size()) return {{}, 0, ScanErr::short_input, in.size()};
    if (hex_digit(in[i]) < 0) return {{}, 0, ScanErr::not_hex, i};
  }
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = base; i < base + digits; i += 2)
    bytes.push_back(static_cast<std::uint8_t>(hex_digit(in[i]) * 16 + hex_digit(in[i + 1])));
  return check_ranges(bytes, fields, 2, base, base + digits);
}

inline Scan scan_timestamp(std::string_view in) {
  if (in.empty()) return {{}, 0, ScanErr::short_input, 0};
  if (in[0] != '@') return {{}, 0, ScanErr::missing_at_sign, 0};
  return scan_text(in, 2, 1);
}

}  // namespace refloop::model
