// SPDX-License-Identifier: ISC
// Leap seconds: impl/time == model/time/leap_model.hpp for every conversion, over the builtin
// table, the empty table and random valid tables, with generators that put most inputs within
// +-3 s of a leap second and the rest on the domain's edges (labels 0..10, 2^62, 2^63 - 1, 2^63,
// 2^64 - 1, years +-2*10^11) or anywhere. Also the file format: format then parse round-trips,
// and no single changed digit or truncation is accepted as different data (spec/time.md, LEAP).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <limits>

#include "refloop/time/leap.hpp"
#include "time/leap_model.hpp"

namespace refloop {
namespace {

constexpr std::uint64_t p62 = std::uint64_t{1} << 62, p63 = std::uint64_t{1} << 63;
constexpr std::int64_t ntp_offset = 2'208'988'800;

// A random valid table: month starts after 1972-01, 1 to 120 months apart.
rc::Gen<model::LeapList> random_leaps() {
  return rc::gen::map(rc::gen::container<std::vector<int>>(rc::gen::inRange(1, 121)), [](const std::vector<int>& gaps) {
    model::LeapList leaps;
    std::int64_t months = 1972 * 12;  // months since year 0, January = 0
    for (const int gap : gaps) {
      months += gap;
      leaps.push_back(model::days_since_1970(months / 12, static_cast<int>(months % 12) + 1, 1) * model::day);
    }
    return leaps;
  });
}

rc::Gen<model::LeapList> leap_lists() {
  return rc::gen::weightedOneOf<model::LeapList>(
      {{3, rc::gen::just(model::builtin_leaps())}, {1, rc::gen::just(model::LeapList{})}, {3, random_leaps()}});
}

LeapTable impl_table(const model::LeapList& leaps, std::optional<std::int64_t> expires = std::nullopt) {
  std::vector<LeapSecond> entries;
  for (std::size_t i = 0; i < leaps.size(); ++i) entries.push_back({leaps[i], 11 + static_cast<int>(i)});
  return *LeapTable::create(std::move(entries), expires);
}

// Within +-3 s of the given instants (when there are any), or elsewhere.
template <class T>
rc::Gen<T> near_or_anywhere(const std::vector<T>& instants, rc::Gen<T> elsewhere) {
  if (instants.empty()) return elsewhere;
  auto near = rc::gen::apply([](T at, int delta) { return at + static_cast<T>(delta); },
                             rc::gen::elementOf(instants), rc::gen::inRange(-3, 4));
  return rc::gen::weightedOneOf<T>({{4, near}, {3, elsewhere}});
}

rc::Gen<std::int64_t> posix_times(const model::LeapList& leaps) {
  constexpr auto min = std::numeric_limits<std::int64_t>::min(), max = std::numeric_limits<std::int64_t>::max();
  return near_or_anywhere<std::int64_t>(
      leaps, rc::gen::weightedOneOf<std::int64_t>(
                 {{2, rc::gen::element<std::int64_t>(0, -1, 1, 63'072'000, 63'071'999, min, min + 1, max, max - 1)},
                  {2, rc::gen::arbitrary<std::int64_t>()},
                  {3, rc::gen::inRange<std::int64_t>(-3'000'000'000, 5'000'000'000)}}));
}

rc::Gen<std::uint64_t> labels(const model::LeapList& leaps) {
  std::vector<std::uint64_t> leap_labels;
  for (std::size_t k = 0; k < leaps.size(); ++k) leap_labels.push_back(model::leap_label(k, leaps));
  return near_or_anywhere<std::uint64_t>(
      leap_labels,
      rc::gen::weightedOneOf<std::uint64_t>(
          {{2, rc::gen::element<std::uint64_t>(0, 9, 10, 11, p62, p62 + 9, p62 + 10, p63 - 2, p63 - 1, p63, p63 + 1,
                                               ~std::uint64_t{0} - 37, ~std::uint64_t{0})},
           {2, rc::gen::arbitrary<std::uint64_t>()},
           {1, rc::gen::inRange<std::uint64_t>(0, 40)},
           {3, rc::gen::map(rc::gen::inRange<std::int64_t>(-3'000'000'000, 5'000'000'000),
                            [](std::int64_t d) { return p62 + static_cast<std::uint64_t>(d); })}}));
}

rc::Gen<std::uint32_t> nanos() {
  return rc::gen::weightedOneOf<std::uint32_t>(
      {{1, rc::gen::element<std::uint32_t>(0, 999'999'999)}, {2, rc::gen::inRange<std::uint32_t>(0, 1'000'000'000)}});
}

model::Civil civil_of(const UtcTime& t) { return {t.year, t.month, t.day, t.hour, t.minute, t.second, t.nano}; }
UtcTime utc_of(const model::Civil& t) { return {t.year, t.month, t.day, t.hour, t.minute, t.second, t.nano}; }

model::CalendarError model_error(LeapErrc error) {
  switch (error) {
    case LeapErrc::label_below_10: return model::CalendarError::label_below_10;
    case LeapErrc::reserved_label: return model::CalendarError::reserved_label;
    case LeapErrc::invalid_field: return model::CalendarError::invalid_field;
    case LeapErrc::not_a_leap_second: return model::CalendarError::not_a_leap_second;
    case LeapErrc::out_of_range: return model::CalendarError::out_of_range;
  }
  return model::CalendarError::out_of_range;
}

// Calendar times: readings of labels, 23:59:60 on and next to leap days, raw fields around
// their limits, and years at the +-2*10^11 limit.
rc::Gen<model::Civil> civil_times(const model::LeapList& leaps) {
  auto of_label = rc::gen::map(rc::gen::pair(labels(leaps), nanos()), [leaps](const auto& p) {
    auto time = model::utc_time_from_tain(p.first, p.second, leaps).time;
    return time ? *time : model::Civil{};
  });
  auto raw = rc::gen::apply(
      [](std::int64_t y, int mo, int d, int h, int mi, int s, std::uint32_t ns) { return model::Civil{y, mo, d, h, mi, s, ns}; },
      rc::gen::weightedOneOf<std::int64_t>({{3, rc::gen::inRange<std::int64_t>(1960, 2100)},
                                            {1, rc::gen::element<std::int64_t>(-200'000'000'001, -200'000'000'000,
                                                                               200'000'000'000, 200'000'000'001)},
                                            {1, rc::gen::arbitrary<std::int64_t>()}}),
      rc::gen::inRange(0, 14), rc::gen::inRange(0, 33), rc::gen::inRange(-1, 25), rc::gen::inRange(-1, 61),
      rc::gen::inRange(-1, 62), rc::gen::element<std::uint32_t>(0, 999'999'999, 1'000'000'000, 0xffffffffu));
  auto leap_day_end = rc::gen::map(rc::gen::pair(labels(leaps), rc::gen::inRange(-1, 2)), [leaps](const auto& p) {
    auto time = model::utc_time_from_tain(p.first, 0, leaps).time.value_or(model::Civil{});
    const auto date = model::date_from_days(model::days_since_1970(time.year, time.month, time.day) + p.second);
    return model::Civil{date.year, date.month, date.day, 23, 59, 60, 0};
  });
  return rc::gen::weightedOneOf<model::Civil>({{3, of_label}, {2, leap_day_end}, {2, raw}});
}

// [req:LEAP-003]
RC_GTEST_PROP(LeapProperty, LEAP_003_tai_from_utc_matches_model, ()) {
  const auto leaps = *leap_lists();
  const auto posix = *posix_times(leaps);
  RC_ASSERT(tai_from_utc(posix, impl_table(leaps)).x == model::tai_from_utc(posix, leaps));
}

// [req:LEAP-004]
RC_GTEST_PROP(LeapProperty, LEAP_004_utc_from_tai_matches_model, ()) {
  const auto leaps = *leap_lists();
  const auto label = *labels(leaps);
  const auto impl = utc_from_tai(tai{label}, impl_table(leaps));
  const auto expected = model::utc_from_tai(label, leaps);
  RC_ASSERT(impl.has_value() == expected.has_value());
  if (!expected) {
    RC_ASSERT(impl.error() == LeapErrc::label_below_10);
    return;
  }
  RC_ASSERT(impl->sysclock == expected->sysclock);
  RC_ASSERT(impl->leap_second == expected->leap_second);
}

// [req:LEAP-003] [req:LEAP-004] POSIX -> label -> POSIX is the identity, never flagged.
RC_GTEST_PROP(LeapProperty, LEAP_004_utc_round_trip, ()) {
  const auto leaps = *leap_lists();
  const auto posix = *rc::gen::inRange<std::int64_t>(-(std::int64_t{1} << 61), std::int64_t{1} << 61);
  const auto near = *posix_times(leaps);
  for (const std::int64_t p : {posix, near}) {
    const auto label = tai_from_utc(p, impl_table(leaps));
    if (label.x < 10 || label.x >= p63) continue;  // wrapped: outside the labels POSIX time can name
    const auto back = *utc_from_tai(label, impl_table(leaps));
    RC_ASSERT(back.posix() == p);
    RC_ASSERT(!back.leap_second);
  }
}

// [req:LEAP-005]
RC_GTEST_PROP(LeapProperty, LEAP_005_calendar_from_label_matches_model, ()) {
  const auto leaps = *leap_lists();
  const auto label = *labels(leaps);
  const auto nano = *nanos();
  const auto impl = utc_time_from_tain(*tain::checked(label, nano), impl_table(leaps));
  const auto expected = model::utc_time_from_tain(label, nano, leaps);
  RC_ASSERT(impl.has_value() == expected.time.has_value());
  if (impl) {
    RC_ASSERT(civil_of(*impl) == *expected.time);
    // [req:LEAP-005] and back to the same label
    RC_ASSERT(tain_from_utc_time(*impl, impl_table(leaps))->sec() == label);
  } else {
    RC_ASSERT(model_error(impl.error()) == *expected.error);
  }
}

// [req:LEAP-005]
RC_GTEST_PROP(LeapProperty, LEAP_005_label_from_calendar_matches_model, ()) {
  const auto leaps = *leap_lists();
  const auto time = *civil_times(leaps);
  const auto impl = tain_from_utc_time(utc_of(time), impl_table(leaps));
  const auto expected = model::tain_from_utc_time(time, leaps);
  RC_ASSERT(impl.has_value() == expected.label.has_value());
  if (impl) {
    RC_ASSERT(impl->sec() == *expected.label);
    RC_ASSERT(impl->nano() == time.nano);
  } else {
    RC_ASSERT(model_error(impl.error()) == *expected.error);
  }
}

// [req:LEAP-002] The table-less forms are the table forms applied to the table in use.
RC_GTEST_PROP(LeapProperty, LEAP_002_table_in_use_is_used, ()) {
  const auto leaps = *leap_lists();
  install_leap_table(std::make_shared<const LeapTable>(impl_table(leaps)));
  const auto posix = *posix_times(leaps);
  const auto label = *labels(leaps);
  const auto time = *civil_times(leaps);
  const bool same = tai_from_utc(posix).x == model::tai_from_utc(posix, leaps) &&
                    utc_from_tai(tai{label}).has_value() == model::utc_from_tai(label, leaps).has_value() &&
                    utc_time_from_tain(tain::seconds(label)).has_value() ==
                        model::utc_time_from_tain(label, 0, leaps).time.has_value() &&
                    tain_from_utc_time(utc_of(time)).has_value() == model::tain_from_utc_time(time, leaps).label.has_value();
  reset_leap_table_to_builtin();
  RC_ASSERT(same);
}

// [req:LEAP-006]
RC_GTEST_PROP(LeapProperty, LEAP_006_create_accepts_what_the_model_accepts, ()) {
  auto midnights = *rc::gen::weightedOneOf<std::vector<std::int64_t>>(
      {{2, leap_lists()},
       {2, rc::gen::container<std::vector<std::int64_t>>(rc::gen::weightedOneOf<std::int64_t>(
               {{3, rc::gen::elementOf(model::builtin_leaps())},
                {1, rc::gen::element<std::int64_t>(63'072'000, 78'796'801, 78'883'200, (std::int64_t{1} << 40) - ntp_offset,
                                                   (std::int64_t{1} << 40) - ntp_offset + 86'400 * 31)},
                {1, rc::gen::arbitrary<std::int64_t>()}}))}});
  std::vector<int> offsets;
  std::vector<LeapSecond> entries;
  const bool shifted = *rc::gen::inRange(0, 4) == 0;
  for (std::size_t i = 0; i < midnights.size(); ++i) {
    offsets.push_back(11 + static_cast<int>(i) + (shifted && i + 1 == midnights.size() ? 1 : 0));
    entries.push_back({midnights[i], offsets.back()});
  }
  const auto impl = LeapTable::create(entries, std::nullopt);
  const auto expected = model::check_table(midnights, offsets);
  RC_ASSERT(impl.has_value() == !expected.error.has_value());
  if (!impl) {
    RC_ASSERT(impl.error().line == expected.entry);
    const auto code = impl.error().code;
    RC_ASSERT((code == LeapFileErrc::out_of_order) == (*expected.error == model::TableError::out_of_order));
    RC_ASSERT((code == LeapFileErrc::malformed) == (*expected.error == model::TableError::malformed));
    RC_ASSERT((code == LeapFileErrc::unsupported) == (*expected.error == model::TableError::unsupported));
  }
}

rc::Gen<std::int64_t> header_times() {  // NTP 0 .. 2^40 as POSIX
  return rc::gen::map(rc::gen::weightedOneOf<std::int64_t>({{1, rc::gen::element<std::int64_t>(0, std::int64_t{1} << 40)},
                                                            {3, rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 40)}}),
                      [](std::int64_t ntp) { return ntp - ntp_offset; });
}

// [req:LEAP-012] [req:LEAP-010]
RC_GTEST_PROP(LeapProperty, LEAP_012_parse_of_format_is_identity, ()) {
  const auto leaps = *leap_lists();
  const auto updated = *header_times(), expires = *header_times();
  const auto parsed = parse_leap_seconds_list(format_leap_seconds_list(impl_table(leaps), updated, expires));
  RC_ASSERT(parsed.has_value());
  RC_ASSERT(parsed->leaps() == impl_table(leaps).leaps());
  RC_ASSERT(parsed->expires_posix() == expires);
  const auto now = *rc::gen::element<std::int64_t>(expires - 1, expires, expires + 1);
  RC_ASSERT(parsed->expired_at(now) == model::expired_at(expires, now));
}

// [req:LEAP-009] Changing any one digit the hash covers is refused; no prefix of a file is
// accepted as different data.
RC_GTEST_PROP(LeapProperty, LEAP_009_damage_is_never_accepted, ()) {
  const auto leaps = *leap_lists();
  const auto expires = *header_times();
  const std::string text = format_leap_seconds_list(impl_table(leaps), *header_times(), expires);
  std::vector<std::size_t> hashed_digits;  // digits of #$/#@ values and of data fields
  for (std::size_t i = 0, line_start = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_start = i + 1;
    const bool in_comment = text.find('#', line_start) < i && text.compare(line_start, 2, "#$") != 0 &&
                            text.compare(line_start, 2, "#@") != 0;
    if (text[i] >= '0' && text[i] <= '9' && !in_comment) hashed_digits.push_back(i);
  }
  std::string damaged = text;
  const std::size_t at = *rc::gen::elementOf(hashed_digits);
  damaged[at] = static_cast<char>('0' + (damaged[at] - '0' + *rc::gen::inRange(1, 10)) % 10);
  RC_ASSERT(!parse_leap_seconds_list(damaged).has_value());
  const auto cut = parse_leap_seconds_list(std::string_view(text).substr(0, *rc::gen::inRange<std::size_t>(0, text.size())));
  if (cut) {
    RC_ASSERT(cut->leaps() == impl_table(leaps).leaps());
    RC_ASSERT(cut->expires_posix() == expires);
  }
}

}  // namespace
}  // namespace refloop
