// SPDX-License-Identifier: ISC
// RapidCheck generators for the time layer that reach the boundaries spec/time.md names: seconds
// 0, 2^62, 2^63 - 1, 2^63, 2^64 - 1 and their neighbours, nanoseconds 0 and 999'999'999, and
// plain random values in between. Shared by the property tests of property/time.
#pragma once

#include <rapidcheck.h>

#include <climits>
#include <cstdint>

#include "refloop/time/tain.hpp"
#include "time/tain_model.hpp"

namespace refloop::testgen {

inline rc::Gen<std::uint64_t> seconds() {
  constexpr std::uint64_t p31 = std::uint64_t{1} << 31, p62 = std::uint64_t{1} << 62, p63 = std::uint64_t{1} << 63;
  return rc::gen::weightedOneOf<std::uint64_t>({
      {3, rc::gen::element<std::uint64_t>(0, 1, 2, p62 - 1, p62, p62 + 1, p62 + 10, p63 - 2, p63 - 1, p63,
                                          p63 + 1, UINT64_MAX - 1, UINT64_MAX, 2147483, INT64_MAX)},
      // A 32-bit time_t's limits (TAIN-015): 2038-01-19T03:14:07, 1901-12-13T20:45:52, 2^31 s.
      {1, rc::gen::element<std::uint64_t>(p62 + p31 - 1, p62 + p31, p62 - p31, p62 - p31 - 1, p31 - 1, p31)},
      {2, rc::gen::map(rc::gen::inRange<std::int64_t>(-100000, 100000),
                       [=](std::int64_t d) { return p62 + static_cast<std::uint64_t>(d); })},
      {3, rc::gen::arbitrary<std::uint64_t>()},
      {2, rc::gen::inRange<std::uint64_t>(0, 5000)},
  });
}

inline rc::Gen<std::uint32_t> nanos() {
  return rc::gen::weightedOneOf<std::uint32_t>({
      {2, rc::gen::element<std::uint32_t>(0, 1, 499'999'999, 500'000'000, 999'999'000, 999'999'001,
                                          999'999'500, 999'999'998, 999'999'999, 1'000'000, 999'999)},
      {3, rc::gen::inRange<std::uint32_t>(0, 1'000'000'000)},
  });
}

// Raw 32-bit sub-second fields as they appear in external forms: valid ones, the invalid
// boundary 10^9 and its neighbours, the maximum, and anything.
inline rc::Gen<std::uint32_t> raw_fields() {
  return rc::gen::weightedOneOf<std::uint32_t>({
      {3, nanos()},
      {2, rc::gen::element<std::uint32_t>(1'000'000'000, 1'000'000'001, 0xffffffffu, 0x80000000u)},
      {1, rc::gen::arbitrary<std::uint32_t>()},
  });
}

inline rc::Gen<tain> tains() {
  return rc::gen::map(rc::gen::pair(seconds(), nanos()),
                      [](const std::pair<std::uint64_t, std::uint32_t>& p) { return *tain::checked(p.first, p.second); });
}

inline model::Time to_model(const tain& t) { return model::make(t.sec(), t.nano()); }

// Any signed 64-bit value with the interesting ones (INT64_MIN, +-2^62 and neighbours) likely.
inline rc::Gen<std::int64_t> signed_seconds() {
  constexpr std::int64_t p62 = std::int64_t{1} << 62;
  return rc::gen::oneOf(rc::gen::element<std::int64_t>(INT64_MIN, INT64_MIN + 1, -p62 - 1, -p62, -p62 + 1, -1, 0,
                                                       1, p62 - 1, p62, p62 + 1, INT64_MAX - 1, INT64_MAX,
                                                       INT32_MIN - INT64_C(1), INT32_MIN, INT32_MAX, INT32_MAX + INT64_C(1)),
                        rc::gen::arbitrary<std::int64_t>(), rc::gen::inRange<std::int64_t>(-5000, 5000));
}

// Sub-second fields for conversions, including invalid ones on both sides.
inline rc::Gen<long> sub_seconds(long limit) {
  return rc::gen::oneOf(rc::gen::element<long>(-1, 0, 1, limit - 1, limit, limit + 1, LONG_MIN, LONG_MAX),
                        rc::gen::inRange<long>(0, limit));
}

}  // namespace refloop::testgen
