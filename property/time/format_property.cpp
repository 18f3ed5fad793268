// SPDX-License-Identifier: ISC
// TAI64 / TAI64N / TAI64NA forms == model/time/format_model.hpp: packing, unpacking, formatting
// and scanning of valid values and of arbitrary (mostly almost-valid) inputs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "refloop/time/format.hpp"
#include "time/format_model.hpp"
#include "time_generators.hpp"

namespace refloop {
namespace {

model::ScanErr to_model(ScanErrc e) { return static_cast<model::ScanErr>(static_cast<int>(e)); }

rc::Gen<taina> tainas() {
  return rc::gen::map(rc::gen::pair(testgen::tains(), testgen::nanos()),
                      [](const std::pair<tain, std::uint32_t>& p) { return *taina::checked(p.first, p.second); });
}

// A valid form, then mangled a little: truncated, one character replaced, case flipped.
rc::Gen<std::string> almost_valid_text(std::size_t digits, bool at_sign) {
  return rc::gen::exec([=] {
    std::string s = (at_sign ? "@" : "") + model::hex(model::pack({*testgen::seconds(), *testgen::raw_fields(), *testgen::raw_fields()}, 3)).substr(0, digits);
    const int how = *rc::gen::inRange(0, 5);
    if (how == 1 && !s.empty()) s.resize(*rc::gen::inRange<std::size_t>(0, s.size()));
    if (how == 2 && !s.empty()) s[*rc::gen::inRange<std::size_t>(0, s.size())] = *rc::gen::element('g', 'G', ' ', '\0', '@', 'F', '9', '-');
    if (how == 3) std::transform(s.begin(), s.end(), s.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    if (how == 4) s += *rc::gen::arbitrary<std::string>();
    return s;
  });
}

template <class T>
void expect_same_scan(const ScanResult<T>& impl, const model::Scan& m, std::size_t input_size) {
  RC_ASSERT(to_model(impl.error) == m.err);
  RC_ASSERT(impl.consumed == m.consumed);
  RC_ASSERT(impl.consumed <= input_size);  // [req:LABEL-007] never consumes more than it has
  if (impl.ok()) RC_ASSERT(impl.consumed > 0);
  else RC_ASSERT(impl.error_offset == m.offset);
}

model::Label label_of(const tain& t) { return {t.sec(), t.nano(), 0}; }
model::Label label_of(const taina& t) { return {t.time().sec(), t.time().nano(), t.atto()}; }
model::Label label_of(const tai& t) { return {t.x, 0, 0}; }

// [req:LABEL-002] [req:LABEL-004]
RC_GTEST_PROP(FormatProperty, LABEL_002_004_pack_and_format_match_the_model, ()) {
  const taina v = *tainas();
  const auto p1 = pack_tai64(v.time().label());
  const auto p2 = pack_tai64n(v.time());
  const auto p3 = pack_tai64na(v);
  RC_ASSERT(std::vector<std::uint8_t>(p1.begin(), p1.end()) == model::pack(label_of(v.time().label()), 1));
  RC_ASSERT(std::vector<std::uint8_t>(p2.begin(), p2.end()) == model::pack(label_of(v.time()), 2));
  RC_ASSERT(std::vector<std::uint8_t>(p3.begin(), p3.end()) == model::pack(label_of(v), 3));
  RC_ASSERT(format_tai64n_text(v.time()) == model::hex(model::pack(label_of(v.time()), 2)));
  RC_ASSERT(format_timestamp(v.time()) == "@" + model::hex(model::pack(label_of(v.time()), 2)));
  RC_ASSERT(format_tai64na_text(v) == model::hex(model::pack(label_of(v), 3)));
}

// [req:LABEL-003] arbitrary byte strings (valid packs with noise) unpack as the model says.
RC_GTEST_PROP(FormatProperty, LABEL_003_unpack_matches_the_model, ()) {
  std::vector<std::uint8_t> in = model::pack({*testgen::seconds(), *testgen::raw_fields(), *testgen::raw_fields()}, 3);
  if (*rc::gen::arbitrary<bool>()) in = *rc::gen::arbitrary<std::vector<std::uint8_t>>();
  in.resize(*rc::gen::inRange<std::size_t>(0, in.size() + 4));
  const auto a = unpack_tai64(in);
  const auto b = unpack_tai64n(in);
  const auto c = unpack_tai64na(in);
  const auto ma = model::unpack(in, 1), mb = model::unpack(in, 2), mc = model::unpack(in, 3);
  expect_same_scan(a, ma, in.size());
  expect_same_scan(b, mb, in.size());
  expect_same_scan(c, mc, in.size());
  if (a.ok()) RC_ASSERT(label_of(a.value) == ma.value);
  if (b.ok()) RC_ASSERT(label_of(b.value) == mb.value);
  if (c.ok()) RC_ASSERT(label_of(c.value) == mc.value);
}

// [req:LABEL-005] scanners against the model on almost-valid text.
RC_GTEST_PROP(FormatProperty, LABEL_005_scan_matches_the_model, ()) {
  const std::string n = *almost_valid_text(24, false), ts = *almost_valid_text(24, true), na = *almost_valid_text(32, false);
  const auto a = scan_tai64n_text(n), b = scan_timestamp(ts);
  const auto c = scan_tai64na_text(na);
  const auto ma = model::scan_text(n, 2, 0), mb = model::scan_timestamp(ts), mc = model::scan_text(na, 3, 0);
  expect_same_scan(a, ma, n.size());
  expect_same_scan(b, mb, ts.size());
  expect_same_scan(c, mc, na.size());
  if (a.ok()) RC_ASSERT(label_of(a.value) == ma.value);
  if (b.ok()) RC_ASSERT(label_of(b.value) == mb.value);
  if (c.ok()) RC_ASSERT(label_of(c.value) == mc.value);
}

// [req:LABEL-006] round trips over every valid value the generators reach.
RC_GTEST_PROP(FormatProperty, LABEL_006_round_trips, ()) {
  const tain t = *testgen::tains();
  const taina v = *tainas();
  const bool label_ok = t.sec() < (std::uint64_t{1} << 63);
  const auto p = pack_tai64n(t);
  RC_ASSERT(unpack_tai64n(p).ok() == label_ok);
  RC_ASSERT(scan_tai64n_text(format_tai64n_text(t)).ok() == label_ok);
  if (label_ok) {
    RC_ASSERT(unpack_tai64n(p).value == t);
    RC_ASSERT(scan_tai64n_text(format_tai64n_text(t)).value == t);
    RC_ASSERT(scan_timestamp(format_timestamp(t)).value == t);
    RC_ASSERT(unpack_tai64(pack_tai64(t.label())).value == t.label());
  }
  if (v.time().sec() < (std::uint64_t{1} << 63)) {
    const auto q = pack_tai64na(v);
    RC_ASSERT(unpack_tai64na(q).value == v);
    RC_ASSERT(scan_tai64na_text(format_tai64na_text(v)).value == v);
  }
}

// [req:TAI-002] labels >= 2^63 are refused wherever they enter and never produced.
RC_GTEST_PROP(FormatProperty, TAI_002_reserved_labels_are_refused, ()) {
  const std::uint64_t sec = *rc::gen::inRange<std::uint64_t>(std::uint64_t{1} << 63, UINT64_MAX);
  const tain t = *tain::checked(sec, *testgen::nanos());
  RC_ASSERT(unpack_tai64n(pack_tai64n(t)).error == ScanErrc::reserved_label);
  RC_ASSERT(scan_tai64n_text(format_tai64n_text(t)).error == ScanErrc::reserved_label);
  RC_ASSERT(!timespec_from_tain(t).has_value());
  RC_ASSERT(!timeval_from_tain(t).has_value());
}

}  // namespace
}  // namespace refloop
