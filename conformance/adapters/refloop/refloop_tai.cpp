// SPDX-License-Identifier: ISC
// The refloop column of the tai suite: the C++ API of refloop/time (spec/time.md, LABEL, TAIN,
// LEAP) performing each operation of the vocabulary. Inputs are copied into heap buffers of
// exactly their length, so an unpacker or scanner reading past its span or string view is a
// heap overflow under ASan (LABEL-007). The leap conversions use the builtin table (LEAP-001).
#include <cstring>
#include <memory>

#include "refloop/time/format.hpp"
#include "refloop/time/leap.hpp"
#include "refloop/time/tain.hpp"
#include "refloop_tai.hpp"

namespace refloop::conformance::tai_suite {
namespace {

const char* name_of(ScanErrc e) {
  switch (e) {
    case ScanErrc::none: return "none";
    case ScanErrc::short_input: return "short_input";
    case ScanErrc::not_hex: return "not_hex";
    case ScanErrc::missing_at_sign: return "missing_at_sign";
    case ScanErrc::reserved_label: return "reserved_label";
    case ScanErrc::nano_out_of_range: return "nano_out_of_range";
    case ScanErrc::atto_out_of_range: return "atto_out_of_range";
  }
  return "?";
}

const char* name_of(TimeErrc e) {
  switch (e) {
    case TimeErrc::nano_out_of_range: return "nano_out_of_range";
    case TimeErrc::negative: return "negative";
    case TimeErrc::out_of_range: return "out_of_range";
  }
  return "?";
}

const char* name_of(LeapErrc e) {
  switch (e) {
    case LeapErrc::label_below_10: return "label_below_10";
    case LeapErrc::reserved_label: return "reserved_label";
    case LeapErrc::invalid_field: return "invalid_field";
    case LeapErrc::not_a_leap_second: return "not_a_leap_second";
    case LeapErrc::out_of_range: return "out_of_range";
  }
  return "?";
}

std::vector<std::uint64_t> fields_of(const tain& t) { return {t.sec(), t.nano()}; }
std::vector<std::uint64_t> fields_of(const tai& t) { return {t.x}; }
std::vector<std::uint64_t> fields_of(const taina& t) { return {t.time().sec(), t.time().nano(), t.atto()}; }

template <class T>
Outcome scanned(const ScanResult<T>& r) {
  if (!r.ok()) {
    if (r.consumed != 0) return error_outcome("refused_but_consumed");
    return error_outcome(name_of(r.error), r.error_offset);
  }
  return value_outcome(fields_of(r.value), r.consumed);
}

template <class T, class E>
Outcome converted(const Expected<T, E>& r, Outcome (*to_outcome)(const T&)) {
  if (!r) return error_outcome(name_of(r.error()));
  return to_outcome(*r);
}

Outcome tain_value(const tain& t) { return value_outcome(fields_of(t)); }
Outcome timespec_parts(const timespec& ts) {
  return numbers_outcome(Outcome::Kind::parts, {static_cast<std::uint64_t>(ts.tv_sec), static_cast<std::uint64_t>(ts.tv_nsec)});
}
Outcome timeval_parts(const timeval& tv) {
  return numbers_outcome(Outcome::Kind::parts, {static_cast<std::uint64_t>(tv.tv_sec), static_cast<std::uint64_t>(tv.tv_usec)});
}
Outcome utc_reading(const UtcReading& r) {
  Outcome o = numbers_outcome(Outcome::Kind::sysclock, {r.sysclock});
  o.leap = r.leap_second;
  return o;
}
Outcome utc_text(const UtcTime& t) {
  Outcome o;
  o.kind = Outcome::Kind::utc;
  o.text = format_civil(CivilTime{t.year, t.month, t.day, t.hour, t.minute, t.second, t.nano});
  return o;
}

template <std::size_t N>
Outcome packed(const std::array<std::uint8_t, N>& bytes) {
  return bytes_outcome(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

class RefloopTaiAdapter final : public TaiAdapter {
 public:
  [[nodiscard]] std::optional<std::string> not_applicable(const Op& op) const override {
    if (op.form == Form::tai64_little || op.form == Form::tai64n_little)
      return "the C++ API has no little-endian form (skalibs-internal, TAICOMPAT-015)";
    if ((op.verb == Verb::pack || op.verb == Verb::fmt) && (op.n(1) >= nano_per_second || op.n(2) >= nano_per_second))
      return "a C++ tain/taina cannot hold nano or atto >= 10^9 (TAIN-001, LABEL-001)";
    const bool takes_tain = op.verb == Verb::utc_time || op.verb == Verb::to_timespec || op.verb == Verb::to_timeval ||
                            op.verb == Verb::to_timespec_relative || op.verb == Verb::to_timeval_relative || op.verb == Verb::to_ms;
    if (takes_tain && op.n(1) >= nano_per_second) return "a C++ tain cannot hold nano >= 10^9 (TAIN-001)";
    return std::nullopt;
  }

  Outcome perform(const Op& op) override {
    switch (op.verb) {
      case Verb::pack: return pack(op);
      case Verb::unpack: return unpack(op);
      case Verb::fmt: return fmt(op);
      case Verb::scan: return scan(op);
      default: return convert(op);
    }
  }

 private:
  static tain tain_of(const Op& op) { return *tain::checked(op.n(0), op.n(1)); }
  static taina taina_of(const Op& op) { return *taina::checked(tain_of(op), op.n(2)); }

  static Outcome pack(const Op& op) {
    if (op.form == Form::tai64) return packed(pack_tai64(tai{op.n(0)}));
    if (op.form == Form::tai64n) return packed(pack_tai64n(tain_of(op)));
    return packed(pack_tai64na(taina_of(op)));
  }

  static Outcome unpack(const Op& op) {
    const auto exact = std::make_unique<std::uint8_t[]>(op.bytes.size());
    if (!op.bytes.empty()) std::memcpy(exact.get(), op.bytes.data(), op.bytes.size());
    const std::span<const std::uint8_t> in(exact.get(), op.bytes.size());
    if (op.form == Form::tai64) return scanned(unpack_tai64(in));
    if (op.form == Form::tai64n) return scanned(unpack_tai64n(in));
    return scanned(unpack_tai64na(in));
  }

  static Outcome fmt(const Op& op) {
    if (op.form == Form::tai64n) return text_outcome(format_tai64n_text(tain_of(op)));
    if (op.form == Form::timestamp) return text_outcome(format_timestamp(tain_of(op)));
    return text_outcome(format_tai64na_text(taina_of(op)));
  }

  static Outcome scan(const Op& op) {
    const auto exact = std::make_unique<char[]>(op.text.size());
    if (!op.text.empty()) std::memcpy(exact.get(), op.text.data(), op.text.size());
    const std::string_view in(exact.get(), op.text.size());
    if (op.form == Form::tai64n) return scanned(scan_tai64n_text(in));
    if (op.form == Form::timestamp) return scanned(scan_timestamp(in));
    return scanned(scan_tai64na_text(in));
  }

  static Outcome convert(const Op& op) {
    const auto s = static_cast<std::int64_t>(op.n(0));
    const auto sub = static_cast<std::int64_t>(op.n(1));
    const timespec ts{static_cast<time_t>(s), static_cast<long>(sub)};
    const timeval tv{static_cast<time_t>(s), static_cast<suseconds_t>(sub)};
    const LeapTable& table = LeapTable::builtin();
    switch (op.verb) {
      case Verb::tai_from_utc: return numbers_outcome(Outcome::Kind::label, {tai_from_utc(s, table).x});
      case Verb::utc_from_tai: return converted(refloop::utc_from_tai(tai{op.n(0)}, table), utc_reading);
      case Verb::utc_time: return converted(utc_time_from_tain(tain_of(op), table), utc_text);
      case Verb::from_utc_time: {
        const CivilTime& c = op.civil;
        return converted(tain_from_utc_time(UtcTime{c.year, c.month, c.day, c.hour, c.minute, c.second, c.nano}, table), tain_value);
      }
      case Verb::from_timespec: return converted(tain_from_timespec(ts), tain_value);
      case Verb::from_timespec_relative: return converted(tain_from_timespec_relative(ts), tain_value);
      case Verb::from_timeval: return converted(tain_from_timeval(tv), tain_value);
      case Verb::from_timeval_relative: return converted(tain_from_timeval_relative(tv), tain_value);
      case Verb::to_timespec: return converted(timespec_from_tain(tain_of(op)), timespec_parts);
      case Verb::to_timespec_relative: return converted(timespec_from_tain_relative(tain_of(op)), timespec_parts);
      case Verb::to_timeval: return converted(timeval_from_tain(tain_of(op)), timeval_parts);
      case Verb::to_timeval_relative: return converted(timeval_from_tain_relative(tain_of(op)), timeval_parts);
      case Verb::to_ms: return numbers_outcome(Outcome::Kind::ms, {milliseconds_from_tain(tain_of(op))});
      case Verb::from_ms: return tain_value(tain_from_milliseconds(op.n(0)));
      default: return error_outcome("adapter_bug");
    }
  }
};

}  // namespace

std::unique_ptr<TaiAdapter> make_refloop_tai_adapter() { return std::make_unique<RefloopTaiAdapter>(); }

}  // namespace refloop::conformance::tai_suite
