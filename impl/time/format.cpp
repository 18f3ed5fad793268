// SPDX-License-Identifier: ISC
// TAI64 / TAI64N / TAI64NA binary and text forms (spec/time.md, LABEL). Text is the hex of the
// binary form, so scanning decodes hex into bytes and then reuses the binary range checks.
#include "refloop/time/format.hpp"

namespace refloop {

namespace {

constexpr std::uint64_t reserved_from = std::uint64_t{1} << 63;

void put_be(std::uint8_t* out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) out[i] = static_cast<std::uint8_t>(value & 0xff);
}

std::uint64_t get_be(const std::uint8_t* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | in[i];
  return value;
}

template <class T>
ScanResult<T> refuse(ScanErrc error, std::size_t offset) {
  ScanResult<T> r;
  r.error = error;
  r.error_offset = offset;
  return r;
}

template <class T>
ScanResult<T> accept(const T& value, std::size_t consumed) {
  ScanResult<T> r;
  r.value = value;
  r.consumed = consumed;
  return r;
}

// The fields of a TAI64NA-shaped byte string, range-checked in the order LABEL-003 gives.
// `fields` is 1 (label), 2 (+nano) or 3 (+atto); `scale` turns a byte offset into the caller's
// units (2 hex digits per byte) and `base` adds a prefix such as '@'.
struct Fields {
  std::uint64_t label = 0;
  std::uint32_t nano = 0;
  std::uint32_t atto = 0;
  ScanErrc error = ScanErrc::none;
  std::size_t error_offset = 0;
};

Fields check_fields(const std::uint8_t* bytes, int fields, std::size_t scale, std::size_t base) {
  Fields f;
  f.label = get_be(bytes, 8);
  if (f.label >= reserved_from) return {0, 0, 0, ScanErrc::reserved_label, base};
  if (fields >= 2) {
    f.nano = static_cast<std::uint32_t>(get_be(bytes + 8, 4));
    if (f.nano >= nano_per_second) return {0, 0, 0, ScanErrc::nano_out_of_range, base + 8 * scale};
  }
  if (fields >= 3) {
    f.atto = static_cast<std::uint32_t>(get_be(bytes + 12, 4));
    if (f.atto >= nano_per_second) return {0, 0, 0, ScanErrc::atto_out_of_range, base + 12 * scale};
  }
  return f;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const std::uint8_t* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    s.push_back(digits[bytes[i] >> 4]);
    s.push_back(digits[bytes[i] & 0xf]);
  }
  return s;
}

// Decodes 2 * n hex digits of `in` starting at `base` into `out`. Characters are looked at one at
// a time and never past in.size(), so a short or bad input is refused at its first fault.
template <class T>
bool decode_hex(std::string_view in, std::size_t base, std::uint8_t* out, std::size_t n, ScanResult<T>& fault) {
  for (std::size_t i = 0; i < 2 * n; ++i) {
    const std::size_t at = base + i;
    if (at >= in.size()) {
      fault = refuse<T>(ScanErrc::short_input, in.size());
      return false;
    }
    const int v = hex_value(in[at]);
    if (v < 0) {
      fault = refuse<T>(ScanErrc::not_hex, at);
      return false;
    }
    out[i / 2] = static_cast<std::uint8_t>((i % 2) ? (out[i / 2] | v) : (v << 4));
  }
  return true;
}

}  // namespace

const char* describe(ScanErrc error) {
  switch (error) {
    case ScanErrc::none: return "no error";
    case ScanErrc::short_input: return "input ends before the form does";
    case ScanErrc::not_hex: return "not a hexadecimal digit";
    case ScanErrc::missing_at_sign: return "timestamp does not start with '@'";
    case ScanErrc::reserved_label: return "TAI64 label >= 2^63 is reserved";
    case ScanErrc::nano_out_of_range: return "nanoseconds >= 10^9";
    case ScanErrc::atto_out_of_range: return "attoseconds >= 10^9";
  }
  return "unknown scan error";
}

// implements: LABEL-002
std::array<std::uint8_t, tai64_size> pack_tai64(const tai& t) {
  std::array<std::uint8_t, tai64_size> out{};
  put_be(out.data(), t.x, 8);
  return out;
}

std::array<std::uint8_t, tai64n_size> pack_tai64n(const tain& t) {
  std::array<std::uint8_t, tai64n_size> out{};
  put_be(out.data(), t.sec(), 8);
  put_be(out.data() + 8, t.nano(), 4);
  return out;
}

std::array<std::uint8_t, tai64na_size> pack_tai64na(const taina& t) {
  std::array<std::uint8_t, tai64na_size> out{};
  put_be(out.data(), t.time().sec(), 8);
  put_be(out.data() + 8, t.time().nano(), 4);
  put_be(out.data() + 12, t.atto(), 4);
  return out;
}

// implements: LABEL-003
ScanResult<tai> unpack_tai64(std::span<const std::uint8_t> in) {
  if (in.size() < tai64_size) return refuse<tai>(ScanErrc::short_input, in.size());
  const Fields f = check_fields(in.data(), 1, 1, 0);
  if (f.error != ScanErrc::none) return refuse<tai>(f.error, f.error_offset);
  return accept(tai{f.label}, tai64_size);
}

ScanResult<tain> unpack_tai64n(std::span<const std::uint8_t> in) {
  if (in.size() < tai64n_size) return refuse<tain>(ScanErrc::short_input, in.size());
  const Fields f = check_fields(in.data(), 2, 1, 0);
  if (f.error != ScanErrc::none) return refuse<tain>(f.error, f.error_offset);
  return accept(*tain::checked(f.label, f.nano), tai64n_size);
}

ScanResult<taina> unpack_tai64na(std::span<const std::uint8_t> in) {
  if (in.size() < tai64na_size) return refuse<taina>(ScanErrc::short_input, in.size());
  const Fields f = check_fields(in.data(), 3, 1, 0);
  if (f.error != ScanErrc::none) return refuse<taina>(f.error, f.error_offset);
  return accept(*taina::checked(*tain::checked(f.label, f.nano), f.atto), tai64na_size);
}

// implements: LABEL-004
std::string format_tai64n_text(const tain& t) {
  const auto bytes = pack_tai64n(t);
  return to_hex(bytes.data(), bytes.size());
}

// The '@' is inserted rather than prepended with operator+, which GCC 12 reports as an
// overlapping memcpy (-Wrestrict, a false positive) once it inlines this function's callee.
std::string format_timestamp(const tain& t) {
  std::string text = format_tai64n_text(t);
  text.insert(text.begin(), '@');
  return text;
}

std::string format_tai64na_text(const taina& t) {
  const auto bytes = pack_tai64na(t);
  return to_hex(bytes.data(), bytes.size());
}

// implements: LABEL-005
namespace {

ScanResult<tain> scan_tai64n_at(std::string_view in, std::size_t base) {
  std::uint8_t bytes[tai64n_size];
  ScanResult<tain> fault;
  if (!decode_hex(in, base, bytes, tai64n_size, fault)) return fault;
  const Fields f = check_fields(bytes, 2, 2, base);
  if (f.error != ScanErrc::none) return refuse<tain>(f.error, f.error_offset);
  return accept(*tain::checked(f.label, f.nano), base + tai64n_text_size);
}

}  // namespace

ScanResult<tain> scan_tai64n_text(std::string_view in) { return scan_tai64n_at(in, 0); }

ScanResult<tain> scan_timestamp(std::string_view in) {
  if (in.empty()) return refuse<tain>(ScanErrc::short_input, 0);
  if (in[0] != '@') return refuse<tain>(ScanErrc::missing_at_sign, 0);
  return scan_tai64n_at(in, 1);
}

ScanResult<taina> scan_tai64na_text(std::string_view in) {
  std::uint8_t bytes[tai64na_size];
  ScanResult<taina> fault;
  if (!decode_hex(in, 0, bytes, tai64na_size, fault)) return fault;
  const Fields f = check_fields(bytes, 3, 2, 0);
  if (f.error != ScanErrc::none) return refuse<taina>(f.error, f.error_offset);
  return accept(*taina::checked(*tain::checked(f.label, f.nano), f.atto), tai64na_text_size);
}

}  // namespace refloop
