// SPDX-License-Identifier: ISC
// The skalibs-compatible binary and text forms of tai/tain (spec/time.md, TAICOMPAT): TAI64 and
// TAI64N packing (big-endian, plus skalibs' byte-reversed "little" form), the 24-hex-digit text
// form and the '@' timestamp. Unlike the C++ scanners (LABEL-003, LABEL-005) these check no
// ranges, and read fixed counts from the caller's buffer, exactly as skalibs does.
#include <cstdint>
#include <cstring>


#include <skalibs/tai.h>

namespace {

void put_be(char* out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
}

std::uint64_t get_be(char const* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

void reverse_into(char* out, char const* in, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = in[n - 1 - i];
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes 2 * n hex digits into n bytes, stopping at the first non-digit (so a NUL ends a short
// string safely and nothing after it is read). Returns whether all were digits.
bool decode_hex(char const* s, unsigned char* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const int hi = hex_digit(s[2 * i]);
    if (hi < 0) return false;
    const int lo = hex_digit(s[2 * i + 1]);
    if (lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

extern "C" {

// implements: TAICOMPAT-014. For labels below 2^63 this is the C++ core's TAI64 form; skalibs
// (and so this) packs every 64-bit value the same way.
void tai_pack(char* s, tai const* t) { put_be(s, t->x, 8); }

void tai_unpack(char const* s, tai* t) { t->x = get_be(s, 8); }

void tain_pack(char* s, tain const* a) {
  put_be(s, a->sec.x, 8);
  put_be(s + 8, a->nano, 4);
}

void tain_unpack(char const* s, tain* a) {
  a->sec.x = get_be(s, 8);
  a->nano = static_cast<std::uint32_t>(get_be(s + 8, 4));
}

// implements: TAICOMPAT-015 (the exact byte reversal of the big-endian form)
void tai_pack_little(char* s, tai const* t) {
  char big[TAI_PACK];
  tai_pack(big, t);
  reverse_into(s, big, TAI_PACK);
}

void tai_unpack_little(char const* s, tai* t) {
  char big[TAI_PACK];
  reverse_into(big, s, TAI_PACK);
  tai_unpack(big, t);
}

void tain_pack_little(char* s, tain const* a) {
  char big[TAIN_PACK];
  tain_pack(big, a);
  reverse_into(s, big, TAIN_PACK);
}

void tain_unpack_little(char const* s, tain* a) {
  char big[TAIN_PACK];
  reverse_into(big, s, TAIN_PACK);
  tain_unpack(big, a);
}

// implements: TAICOMPAT-016 (24 lowercase digits, no NUL)
size_t tain_fmt(char* s, tain const* a) {
  static constexpr char digits[] = "0123456789abcdef";
  char packed[TAIN_PACK];
  tain_pack(packed, a);
  for (int i = 0; i < TAIN_PACK; ++i) {
    const auto byte = static_cast<unsigned char>(packed[i]);
    s[2 * i] = digits[byte >> 4];
    s[2 * i + 1] = digits[byte & 0xf];
  }
  return 2 * TAIN_PACK;
}

// implements: TAICOMPAT-017 (exactly 24 digits of either case, no range check, *a untouched
// on failure, what follows is ignored)
size_t tain_scan(char const* s, tain* a) {
  unsigned char packed[TAIN_PACK];
  if (!decode_hex(s, packed, TAIN_PACK)) return 0;
  char bytes[TAIN_PACK];
  std::memcpy(bytes, packed, TAIN_PACK);
  tain_unpack(bytes, a);
  return 2 * TAIN_PACK;
}

// implements: TAICOMPAT-018
size_t timestamp_fmt(char* s, tain const* a) {
  s[0] = '@';
  return 1 + tain_fmt(s + 1, a);
}

size_t timestamp_scan(char const* s, tain* a) {
  if (s[0] != '@') return 0;
  return tain_scan(s + 1, a) ? TIMESTAMP : 0;
}

// implements: TAICOMPAT-019 (always the wall clock, never the tain_now pointer)
int timestamp_r(char* s, tain* stamp) {
  if (!tain_wallclock_read(stamp)) return 0;
  timestamp_fmt(s, stamp);
  return 1;
}

// A local stamp: timestamp() leaves STAMP alone.
int timestamp(char* s) {
  tain now;
  return timestamp_r(s, &now);
}

}  // extern "C"
