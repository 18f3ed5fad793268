// SPDX-License-Identifier: ISC
// External forms of labels: TAI64 (8 bytes), TAI64N (12), TAI64NA (16, attoseconds), and the
// text forms: 24 hex digits (TAI64N), "@" + 24 hex digits (a timestamp, as tai64n(8) and
// s6-tai64n write), and 32 hex digits (TAI64NA). Requirements: spec/time.md, section LABEL.
//
// Every unpacker and scanner takes the whole input as a span or string_view, never reads past
// it, and returns how many bytes it consumed, or why it refused and at which offset.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "refloop/time/tain.hpp"

namespace refloop {

// [LABEL-001] A TAI64NA value: a tain plus attoseconds, 0..999'999'999, enforced like tain's nano.
class taina {
 public:
  constexpr taina() = default;
  static constexpr std::optional<taina> checked(const tain& t, std::uint64_t atto) {
    if (atto >= nano_per_second) return std::nullopt;
    return taina(t, static_cast<std::uint32_t>(atto));
  }
  [[nodiscard]] constexpr const tain& time() const { return time_; }
  [[nodiscard]] constexpr std::uint32_t atto() const { return atto_; }
  friend constexpr auto operator<=>(const taina&, const taina&) = default;

 private:
  constexpr taina(const tain& t, std::uint32_t atto) : time_(t), atto_(atto) {}
  tain time_;
  std::uint32_t atto_ = 0;
};

inline constexpr std::size_t tai64_size = 8;
inline constexpr std::size_t tai64n_size = 12;
inline constexpr std::size_t tai64na_size = 16;
inline constexpr std::size_t tai64n_text_size = 24;
inline constexpr std::size_t timestamp_text_size = 25;
inline constexpr std::size_t tai64na_text_size = 32;

enum class ScanErrc {
  none,
  short_input,        // fewer bytes than the form needs
  not_hex,            // a character that is not a hexadecimal digit
  missing_at_sign,    // a timestamp that does not start with '@'
  reserved_label,     // a label >= 2^63 (reserved by the TAI64 definition)
  nano_out_of_range,  // nanoseconds >= 10^9
  atto_out_of_range,  // attoseconds >= 10^9
};
const char* describe(ScanErrc error);

// Outcome of an unpacker or a scanner. On success `consumed` is the number of input bytes used
// (bytes after them are left alone); on failure `consumed` is 0, and `error_offset` points at the
// offending byte (for short_input, at the end of the input).
template <class T>
struct ScanResult {
  T value{};
  std::size_t consumed = 0;
  ScanErrc error = ScanErrc::none;
  std::size_t error_offset = 0;
  [[nodiscard]] bool ok() const { return error == ScanErrc::none; }
};

// [LABEL-002] Binary forms, big-endian (djb's TAI64 definition).
std::array<std::uint8_t, tai64_size> pack_tai64(const tai& t);
std::array<std::uint8_t, tai64n_size> pack_tai64n(const tain& t);
std::array<std::uint8_t, tai64na_size> pack_tai64na(const taina& t);
ScanResult<tai> unpack_tai64(std::span<const std::uint8_t> in);
ScanResult<tain> unpack_tai64n(std::span<const std::uint8_t> in);
ScanResult<taina> unpack_tai64na(std::span<const std::uint8_t> in);

// [LABEL-003] Text forms. Formatting writes lowercase; scanning accepts either case.
std::string format_tai64n_text(const tain& t);   // 24 hex digits
std::string format_timestamp(const tain& t);     // '@' + 24 hex digits
std::string format_tai64na_text(const taina& t); // 32 hex digits
ScanResult<tain> scan_tai64n_text(std::string_view in);
ScanResult<tain> scan_timestamp(std::string_view in);
ScanResult<taina> scan_tai64na_text(std::string_view in);

}  // namespace refloop
