// SPDX-License-Identifier: ISC
// tain arithmetic and conversions == model/time/tain_model.hpp over the whole domain.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "time_generators.hpp"

namespace refloop {
namespace {

using testgen::to_model;

model::Err to_model(TimeErrc e) {
  switch (e) {
    case TimeErrc::nano_out_of_range: return model::Err::nano_out_of_range;
    case TimeErrc::negative: return model::Err::negative;
    case TimeErrc::out_of_range: return model::Err::out_of_range;
  }
  return model::Err::none;
}

template <class R>
void expect_same_tain(const R& impl, const model::Conv& expected) {
  if (expected.err == model::Err::none) {
    RC_ASSERT(impl.has_value());
    RC_ASSERT(to_model(*impl) == expected.value);
  } else {
    RC_ASSERT(!impl.has_value());
    RC_ASSERT(to_model(impl.error()) == expected.err);
  }
}

template <class R, class Sub>
void expect_same_parts(const R& impl, const model::Parts& expected, Sub sub_of) {
  if (expected.err == model::Err::none) {
    RC_ASSERT(impl.has_value());
    RC_ASSERT(model::i128{impl->tv_sec} == expected.sec);
    RC_ASSERT(model::i128{sub_of(*impl)} == expected.sub);
  } else {
    RC_ASSERT(!impl.has_value());
    RC_ASSERT(to_model(impl.error()) == expected.err);
  }
}

// [req:TAIN-001] every tain the generators make, and every result below, is normalised.
RC_GTEST_PROP(TainProperty, TAIN_001_normalised_and_checked_agree, ()) {
  const auto sec = *testgen::seconds();
  const auto nano = *rc::gen::arbitrary<std::uint64_t>();
  const tain n = tain::normalised(sec, nano);
  RC_ASSERT(n.nano() < nano_per_second);
  RC_ASSERT(to_model(n) == model::add(model::make(sec, 0), model::Time{model::u128{nano} % model::ring}));
  RC_ASSERT(tain::checked(sec, nano).has_value() == (nano < nano_per_second));
}

// [req:TAIN-003] [req:TAIN-005]
RC_GTEST_PROP(TainProperty, TAIN_003_005_add_and_sub_match_the_model, ()) {
  const tain a = *testgen::tains(), b = *testgen::tains();
  RC_ASSERT(to_model(a + b) == model::add(to_model(a), to_model(b)));
  RC_ASSERT(to_model(a - b) == model::sub(to_model(a), to_model(b)));
  RC_ASSERT((a - b) + b == a);
  RC_ASSERT((a + b).nano() < nano_per_second);
}

// [req:TAIN-004] order consistency: the same order as the model, and a total order.
RC_GTEST_PROP(TainProperty, TAIN_004_order_matches_the_model, ()) {
  const tain a = *testgen::tains(), b = *testgen::tains(), c = *testgen::tains();
  RC_ASSERT((a < b) == model::less(to_model(a), to_model(b)));
  RC_ASSERT((a == b) == (to_model(a) == to_model(b)));
  RC_ASSERT(int(a < b) + int(b < a) + int(a == b) == 1);
  if (a < b && b < c) RC_ASSERT(a < c);
}

// [req:TAIN-006] [req:TAIN-007] [req:TAIN-008] [req:TAIN-009]
RC_GTEST_PROP(TainProperty, TAIN_006_009_derived_operations_match_the_model, ()) {
  const tain a = *testgen::tains(), b = *testgen::tains();
  const std::int64_t n = *testgen::signed_seconds();
  const std::uint64_t ms = *rc::gen::oneOf(rc::gen::arbitrary<std::uint64_t>(), rc::gen::element<std::uint64_t>(0, 999, 1000, UINT64_MAX));
  RC_ASSERT(to_model(add_seconds(a, n)) == model::add_seconds(to_model(a), n));
  RC_ASSERT(to_model(add_milliseconds(a, ms)) == model::add_milliseconds(to_model(a), ms));
  RC_ASSERT(to_model(half(a)) == model::half(to_model(a)));
  RC_ASSERT(to_model(earliest(a, b)) == model::earliest(to_model(a), to_model(b)));
  const std::vector<tain> v = *rc::gen::container<std::vector<tain>>(testgen::tains());
  model::Time least = model::infinite;
  for (std::size_t i = 0; i < v.size(); ++i) least = i == 0 ? to_model(v[i]) : model::earliest(least, to_model(v[i]));
  RC_ASSERT(to_model(earliest(std::span<const tain>(v))) == least);
}

// [req:TAIN-010] [req:TAIN-011]
RC_GTEST_PROP(TainProperty, TAIN_010_011_timespec_matches_the_model, ()) {
  // A 32-bit time_t (armhf) keeps the generated seconds' low bits, as the conversion would.
  const timespec ts{static_cast<time_t>(*testgen::signed_seconds()), *testgen::sub_seconds(1'000'000'000)};
  expect_same_tain(tain_from_timespec(ts), model::from_absolute(ts.tv_sec, ts.tv_nsec));
  expect_same_tain(tain_from_timespec_relative(ts), model::from_relative(ts.tv_sec, ts.tv_nsec));
  const tain a = *testgen::tains();
  const auto nsec = [](const timespec& t) { return t.tv_nsec; };
  expect_same_parts(timespec_from_tain(a), model::to_absolute(to_model(a), 1), nsec);
  expect_same_parts(timespec_from_tain_relative(a), model::to_relative(to_model(a), 1), nsec);
  if (auto back = tain_from_timespec(ts); back) RC_ASSERT(timespec_from_tain(*back)->tv_sec == ts.tv_sec);
}

// [req:TAIN-012] [req:TAIN-013]
RC_GTEST_PROP(TainProperty, TAIN_012_013_timeval_matches_the_model, ()) {
  const timeval tv{static_cast<time_t>(*testgen::signed_seconds()), *testgen::sub_seconds(1'000'000)};
  const bool usec_ok = tv.tv_usec >= 0 && tv.tv_usec < 1'000'000;
  const model::Conv abs = usec_ok ? model::from_absolute(tv.tv_sec, tv.tv_usec * 1000) : model::Conv{{}, model::Err::nano_out_of_range};
  const model::Conv rel = usec_ok ? model::from_relative(tv.tv_sec, tv.tv_usec * 1000) : model::Conv{{}, model::Err::nano_out_of_range};
  expect_same_tain(tain_from_timeval(tv), abs);
  expect_same_tain(tain_from_timeval_relative(tv), rel);
  const tain a = *testgen::tains();
  const auto usec = [](const timeval& t) { return t.tv_usec; };
  expect_same_parts(timeval_from_tain(a), model::to_absolute(to_model(a), 1000), usec);
  expect_same_parts(timeval_from_tain_relative(a), model::to_relative(to_model(a), 1000), usec);
  // Never early: the timeval is at least the time it came from.
  if (auto r = timeval_from_tain_relative(a); r)
    RC_ASSERT(!(*tain_from_timeval_relative(*r) < a));
}

// [req:TAIN-014]
RC_GTEST_PROP(TainProperty, TAIN_014_milliseconds_match_the_model, ()) {
  const tain a = *testgen::tains();
  const std::uint64_t ms = *rc::gen::oneOf(rc::gen::arbitrary<std::uint64_t>(), rc::gen::inRange<std::uint64_t>(0, 100000));
  RC_ASSERT(milliseconds_from_tain(a) == model::to_milliseconds(to_model(a)));
  RC_ASSERT(to_model(tain_from_milliseconds(ms)) == model::Time{model::from_milliseconds(ms).ns % model::ring});
  if (milliseconds_from_tain(a) != UINT64_MAX) RC_ASSERT(!(tain_from_milliseconds(milliseconds_from_tain(a)) < a));
}

}  // namespace
}  // namespace refloop
