// SPDX-License-Identifier: ISC
// 128-bit integers for the time model (tain_model.hpp), in standard C++ on every target: gcc's
// __int128 exists on 64-bit targets only, and the model must run on 32-bit ones too (armhf).
// Written to be obviously right, not fast: two 64-bit words, schoolbook multiplication on 32-bit
// halves, and division one bit at a time. u128 is arithmetic modulo 2^128; i128 is the same bits
// read as two's complement, with C's rules (division truncates toward zero, the remainder takes
// the dividend's sign). Both convert implicitly from any built-in integer (sign-extended) and
// explicitly to one (keeping the low bits) or to each other (keeping the bits).
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>

namespace refloop::model {

class u128 {
 public:
  constexpr u128() = default;
  template <std::integral T>
  constexpr u128(T v)  // NOLINT(google-explicit-constructor): behaves like a built-in integer
      : hi_(v < 0 ? ~std::uint64_t{0} : 0), lo_(static_cast<std::uint64_t>(v)) {}
  static constexpr u128 from_words(std::uint64_t hi, std::uint64_t lo) {
    u128 r;
    r.hi_ = hi;
    r.lo_ = lo;
    return r;
  }
  template <std::integral T>
  explicit constexpr operator T() const { return static_cast<T>(lo_); }
  [[nodiscard]] constexpr std::uint64_t high() const { return hi_; }
  [[nodiscard]] constexpr std::uint64_t low() const { return lo_; }

  friend constexpr bool operator==(u128, u128) = default;
  friend constexpr std::strong_ordering operator<=>(u128 a, u128 b) {
    return a.hi_ != b.hi_ ? a.hi_ <=> b.hi_ : a.lo_ <=> b.lo_;
  }
  friend constexpr u128 operator+(u128 a, u128 b) {
    const std::uint64_t lo = a.lo_ + b.lo_;
    return from_words(a.hi_ + b.hi_ + (lo < a.lo_ ? 1 : 0), lo);  // carry out of the low word
  }
  friend constexpr u128 operator-(u128 a, u128 b) { return a + (~b + 1); }
  friend constexpr u128 operator~(u128 a) { return from_words(~a.hi_, ~a.lo_); }
  friend constexpr u128 operator*(u128 a, u128 b) {
    // Modulo 2^128 only the low 64x64 product is needed in full; the cross products count in
    // the high word, and the high x high product not at all.
    return full_product(a.lo_, b.lo_) + from_words(a.hi_ * b.lo_ + a.lo_ * b.hi_, 0);
  }
  friend constexpr u128 operator<<(u128 a, int n) {
    if (n == 0) return a;
    if (n >= 64) return from_words(a.lo_ << (n - 64), 0);
    return from_words((a.hi_ << n) | (a.lo_ >> (64 - n)), a.lo_ << n);
  }
  friend constexpr u128 operator>>(u128 a, int n) {
    if (n == 0) return a;
    if (n >= 64) return from_words(0, a.hi_ >> (n - 64));
    return from_words(a.hi_ >> n, (a.lo_ >> n) | (a.hi_ << (64 - n)));
  }
  friend constexpr u128 operator/(u128 a, u128 b) {
    u128 remainder;
    return divide(a, b, remainder);
  }
  friend constexpr u128 operator%(u128 a, u128 b) {
    u128 remainder;
    divide(a, b, remainder);
    return remainder;
  }

 private:
  static constexpr u128 full_product(std::uint64_t a, std::uint64_t b) {
    const std::uint64_t mask = 0xffff'ffff;
    const std::uint64_t low = (a & mask) * (b & mask), high = (a >> 32) * (b >> 32);
    const u128 middle = u128{(a >> 32) * (b & mask)} + u128{(a & mask) * (b >> 32)};
    return from_words(high, low) + (middle << 32);
  }
  static constexpr u128 divide(u128 n, u128 d, u128& remainder);
  [[nodiscard]] constexpr bool bit(int i) const { return ((*this >> i).lo_ & 1) != 0; }

  std::uint64_t hi_ = 0;
  std::uint64_t lo_ = 0;
};

// Long division, one bit of the quotient per step, from the top (division by zero is the
// caller's error, as for built-in integers: here it yields all ones).
constexpr u128 u128::divide(u128 n, u128 d, u128& remainder) {
  u128 quotient;
  remainder = 0;
  for (int i = 127; i >= 0; --i) {
    remainder = (remainder << 1) + u128{n.bit(i) ? 1 : 0};
    quotient = quotient << 1;
    if (remainder >= d) {
      remainder = remainder - d;
      quotient = quotient + 1;
    }
  }
  return quotient;
}

class i128 {
 public:
  constexpr i128() = default;
  template <std::integral T>
  constexpr i128(T v) : bits_(v) {}  // NOLINT(google-explicit-constructor)
  explicit constexpr i128(u128 bits) : bits_(bits) {}
  template <std::integral T>
  explicit constexpr operator T() const { return static_cast<T>(bits_); }
  explicit constexpr operator u128() const { return bits_; }

  friend constexpr bool operator==(i128, i128) = default;
  friend constexpr std::strong_ordering operator<=>(i128 a, i128 b) {
    if (a.negative() != b.negative()) return a.negative() ? std::strong_ordering::less : std::strong_ordering::greater;
    return a.bits_ <=> b.bits_;  // same sign: two's complement orders like the unsigned bits
  }
  friend constexpr i128 operator-(i128 a) { return i128{u128{0} - a.bits_}; }
  friend constexpr i128 operator+(i128 a, i128 b) { return i128{a.bits_ + b.bits_}; }
  friend constexpr i128 operator-(i128 a, i128 b) { return i128{a.bits_ - b.bits_}; }
  friend constexpr i128 operator*(i128 a, i128 b) { return i128{a.bits_ * b.bits_}; }
  friend constexpr i128 operator<<(i128 a, int n) { return i128{a.bits_ << n}; }
  friend constexpr i128 operator/(i128 a, i128 b) {
    const i128 q{a.magnitude() / b.magnitude()};
    return a.negative() != b.negative() ? -q : q;
  }
  friend constexpr i128 operator%(i128 a, i128 b) {
    const i128 r{a.magnitude() % b.magnitude()};
    return a.negative() ? -r : r;
  }

 private:
  [[nodiscard]] constexpr bool negative() const { return (bits_ >> 127) == u128{1}; }
  [[nodiscard]] constexpr u128 magnitude() const { return negative() ? u128{0} - bits_ : bits_; }

  u128 bits_;
};

}  // namespace refloop::model
