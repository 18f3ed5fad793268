// SPDX-License-Identifier: ISC
// The model column of the tai suite: model/time (format_model, leap_model, tain_model) answering
// the vocabulary as the C++ API would (spec/time.md, LABEL, TAIN, LEAP). The model has no
// little-endian forms and no C API quirks; it refuses the same unrepresentable inputs as the
// refloop column, so both columns run the same cases.
#include "model_tai.hpp"
#include "time/format_model.hpp"
#include "time/leap_model.hpp"
#include "time/tain_model.hpp"

namespace refloop::conformance::tai_suite {
namespace {

namespace m = refloop::model;

const char* name_of(m::ScanErr e) {
  switch (e) {
    case m::ScanErr::none: return "none";
    case m::ScanErr::short_input: return "short_input";
    case m::ScanErr::not_hex: return "not_hex";
    case m::ScanErr::missing_at_sign: return "missing_at_sign";
    case m::ScanErr::reserved_label: return "reserved_label";
    case m::ScanErr::nano_out_of_range: return "nano_out_of_range";
    case m::ScanErr::atto_out_of_range: return "atto_out_of_range";
  }
  return "?";
}

const char* name_of(m::Err e) {
  switch (e) {
    case m::Err::none: return "none";
    case m::Err::nano_out_of_range: return "nano_out_of_range";
    case m::Err::negative: return "negative";
    case m::Err::out_of_range: return "out_of_range";
  }
  return "?";
}

const char* name_of(m::CalendarError e) {
  switch (e) {
    case m::CalendarError::label_below_10: return "label_below_10";
    case m::CalendarError::reserved_label: return "reserved_label";
    case m::CalendarError::invalid_field: return "invalid_field";
    case m::CalendarError::not_a_leap_second: return "not_a_leap_second";
    case m::CalendarError::out_of_range: return "out_of_range";
  }
  return "?";
}

int fields_of(Form form) { return form == Form::tai64 ? 1 : form == Form::tai64na ? 3 : 2; }

Outcome scanned(const m::Scan& s, int fields) {
  if (s.err != m::ScanErr::none) return s.consumed != 0 ? error_outcome("refused_but_consumed") : error_outcome(name_of(s.err), s.offset);
  std::vector<std::uint64_t> numbers{s.value.sec, s.value.nano, s.value.atto};
  numbers.resize(static_cast<std::size_t>(fields));
  return value_outcome(numbers, s.consumed);
}

Outcome time_value(m::Time t) { return value_outcome({t.sec(), t.nano()}); }

Outcome converted(const m::Conv& c) { return c.err != m::Err::none ? error_outcome(name_of(c.err)) : time_value(c.value); }

Outcome parts_of(const m::Parts& p) {
  if (p.err != m::Err::none) return error_outcome(name_of(p.err));
  return numbers_outcome(Outcome::Kind::parts, {static_cast<std::uint64_t>(p.sec), static_cast<std::uint64_t>(p.sub)});
}

class ModelTaiAdapter final : public TaiAdapter {
 public:
  [[nodiscard]] std::optional<std::string> not_applicable(const Op& op) const override {
    if (op.form == Form::tai64_little || op.form == Form::tai64n_little)
      return "the model has no little-endian form (skalibs-internal, TAICOMPAT-015)";
    if ((op.verb == Verb::pack || op.verb == Verb::fmt) && (op.n(1) >= 1'000'000'000 || op.n(2) >= 1'000'000'000))
      return "a tain/taina cannot hold nano or atto >= 10^9 (TAIN-001, LABEL-001)";
    const bool takes_tain = op.verb == Verb::utc_time || op.verb == Verb::to_timespec || op.verb == Verb::to_timeval ||
                            op.verb == Verb::to_timespec_relative || op.verb == Verb::to_timeval_relative || op.verb == Verb::to_ms;
    if (takes_tain && op.n(1) >= 1'000'000'000) return "a tain cannot hold nano >= 10^9 (TAIN-001)";
    return std::nullopt;
  }

  Outcome perform(const Op& op) override {
    const m::Label label{op.n(0), op.n(1), op.n(2)};
    const int fields = fields_of(op.form);
    switch (op.verb) {
      case Verb::pack: return bytes_outcome(m::pack(label, fields));
      case Verb::unpack: return scanned(m::unpack(op.bytes, fields), fields);
      case Verb::fmt: return text_outcome((op.form == Form::timestamp ? "@" : "") + m::hex(m::pack(label, fields)));
      case Verb::scan:
        if (op.form == Form::timestamp) return scanned(m::scan_timestamp(op.text), 2);
        return scanned(m::scan_text(op.text, fields, 0), fields);
      default: return convert(op);
    }
  }

 private:
  static Outcome convert(const Op& op) {
    const m::LeapList leaps = m::builtin_leaps();
    const auto s = static_cast<std::int64_t>(op.n(0));
    const auto sub = static_cast<std::int64_t>(op.n(1));
    const m::Time t = m::make(op.n(0), op.n(1));
    const time_t tv_sec = static_cast<time_t>(s);  // what a timespec/timeval holds, as for the other subjects
    switch (op.verb) {
      case Verb::tai_from_utc: return numbers_outcome(Outcome::Kind::label, {m::tai_from_utc(s, leaps)});
      case Verb::utc_from_tai: return utc_reading(op.n(0), leaps);
      case Verb::utc_time: return calendar(op.n(0), static_cast<std::uint32_t>(op.n(1)), leaps);
      case Verb::from_utc_time: return from_calendar(op.civil, leaps);
      case Verb::from_timespec: return converted(m::from_absolute(tv_sec, sub));
      case Verb::from_timespec_relative: return converted(m::from_relative(tv_sec, sub));
      case Verb::from_timeval: return converted(m::from_absolute(tv_sec, m::i128{sub} * 1000));
      case Verb::from_timeval_relative: return converted(m::from_relative(tv_sec, m::i128{sub} * 1000));
      case Verb::to_timespec: return parts_of(m::to_absolute(t, 1));
      case Verb::to_timespec_relative: return parts_of(m::to_relative(t, 1));
      case Verb::to_timeval: return parts_of(m::to_absolute(t, 1000));
      case Verb::to_timeval_relative: return parts_of(m::to_relative(t, 1000));
      case Verb::to_ms: return numbers_outcome(Outcome::Kind::ms, {m::to_milliseconds(t)});
      case Verb::from_ms: return time_value(m::from_milliseconds(op.n(0)));
      default: return error_outcome("adapter_bug");
    }
  }

  static Outcome utc_reading(std::uint64_t label, const m::LeapList& leaps) {
    const auto r = m::utc_from_tai(label, leaps);
    if (!r) return error_outcome("label_below_10");
    Outcome o = numbers_outcome(Outcome::Kind::sysclock, {r->sysclock});
    o.leap = r->leap_second;
    return o;
  }

  static Outcome calendar(std::uint64_t label, std::uint32_t nano, const m::LeapList& leaps) {
    const m::CalendarResult r = m::utc_time_from_tain(label, nano, leaps);
    if (r.error) return error_outcome(name_of(*r.error));
    const m::Civil& c = *r.time;
    Outcome o;
    o.kind = Outcome::Kind::utc;
    o.text = format_civil(CivilTime{c.year, c.month, c.day, c.hour, c.minute, c.second, c.nano});
    return o;
  }

  static Outcome from_calendar(const CivilTime& c, const m::LeapList& leaps) {
    const m::LabelResult r = m::tain_from_utc_time(m::Civil{c.year, c.month, c.day, c.hour, c.minute, c.second, c.nano}, leaps);
    if (r.error) return error_outcome(name_of(*r.error));
    return value_outcome({*r.label, c.nano});
  }
};

}  // namespace

std::unique_ptr<TaiAdapter> make_model_tai_adapter() { return std::make_unique<ModelTaiAdapter>(); }

}  // namespace refloop::conformance::tai_suite
