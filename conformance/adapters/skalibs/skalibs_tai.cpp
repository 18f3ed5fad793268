// SPDX-License-Identifier: ISC
// The C API column of the tai suite, written against <skalibs/tai.h> and <skalibs/djbtime.h>
// only and compiled twice (conformance/adapters/skalibs/CMakeLists.txt): with refloop's compat headers and
// refloop::skalibs (column refloop-skalibs) and with Debian's skalibs headers and libskarnet
// (column skalibs), as separate executables so the identically named C symbols never meet. It
// checks what the C API promises beyond the returned value (spec/time.md, TAICOMPAT-004, -012,
// -016..018): outputs are untouched on failure (a sentinel), fmt writes no NUL and nothing past
// its count, and scanners get a NUL-terminated heap copy of exactly the text plus its NUL, so a
// read past the terminator is a heap overflow under ASan.
#include <cerrno>
#include <climits>
#include <cstring>
#include <initializer_list>  // before the extern "C" block: refloop's <skalibs/tai.h> includes it under C++
#include <memory>

#include "tai_adapter.hpp"

extern "C" {  // Debian's skalibs headers have no extern "C" guards; refloop's nest inside this one
#include <skalibs/djbtime.h>
#include <skalibs/tai.h>
}

namespace refloop::conformance::tai_suite {
namespace {

constexpr std::uint64_t sentinel64 = 0x5555555555555555;
constexpr std::uint32_t sentinel32 = 0x55555555;
constexpr unsigned char untouched_byte = 0x7f;

// A C API failure: errno's name, or a failure of its own when the output was changed anyway.
Outcome refused(int saved_errno, bool output_untouched) {
  return output_untouched ? error_outcome(errno_name(saved_errno)) : error_outcome("output_modified");
}

::tain tain_of(const Op& op) {
  ::tain a;
  a.sec.x = op.n(0);
  a.nano = static_cast<std::uint32_t>(op.n(1));
  return a;
}

::tain sentinel_tain() {
  ::tain a;
  a.sec.x = sentinel64;
  a.nano = sentinel32;
  return a;
}

bool is_sentinel(const ::tain& a) { return a.sec.x == sentinel64 && a.nano == sentinel32; }
Outcome tain_value(const ::tain& a) { return value_outcome({a.sec.x, a.nano}); }

class CTaiAdapter final : public TaiAdapter {
 public:
  [[nodiscard]] std::optional<std::string> not_applicable(const Op& op) const override {
    if (op.form == Form::tai64na) return "skalibs has no TAI64NA (attoseconds were dropped in skalibs 2.0)";
    if (op.verb == Verb::utc_time || op.verb == Verb::from_utc_time)
      return "<skalibs/tai.h> has no calendar conversion (refloop's C API omits skalibs' localtm part, TAICOMPAT-028)";
    if (op.verb == Verb::unpack && op.bytes.size() < binary_size(op.form))
      return "tai_unpack / tain_unpack read a fixed 8 / 12 bytes and cannot be told a shorter input";
    if (op.verb == Verb::from_ms && static_cast<std::int64_t>(op.n(0)) != static_cast<int>(op.n(0)))
      return "tain_from_millisecs takes an int";
    const bool takes_tain = op.verb == Verb::pack || op.verb == Verb::fmt || op.verb == Verb::to_timespec ||
                            op.verb == Verb::to_timespec_relative || op.verb == Verb::to_timeval ||
                            op.verb == Verb::to_timeval_relative || op.verb == Verb::to_ms;
    if (takes_tain && op.n(1) > UINT32_MAX)
      return "a C tain's nano is a uint32_t";
    return std::nullopt;
  }

  Outcome perform(const Op& op) override {
    switch (op.verb) {
      case Verb::pack: return pack(op);
      case Verb::unpack: return unpack(op);
      case Verb::fmt: return fmt(op);
      case Verb::scan: return scan(op);
      case Verb::tai_from_utc: return from_utc(op.n(0));
      case Verb::utc_from_tai: return to_utc(op.n(0));
      case Verb::from_timespec: case Verb::from_timespec_relative: case Verb::from_timeval:
      case Verb::from_timeval_relative: case Verb::from_ms: return to_tain(op);
      default: return from_tain(op);
    }
  }

 private:
  static Outcome pack(const Op& op) {
    std::vector<std::uint8_t> out(binary_size(op.form));
    char* s = reinterpret_cast<char*>(out.data());
    ::tai t;
    t.x = op.n(0);
    const ::tain a = tain_of(op);
    if (op.form == Form::tai64) tai_pack(s, &t);
    else if (op.form == Form::tai64_little) tai_pack_little(s, &t);
    else if (op.form == Form::tai64n) tain_pack(s, &a);
    else tain_pack_little(s, &a);
    return bytes_outcome(out);
  }

  static Outcome unpack(const Op& op) {
    const std::size_t size = binary_size(op.form);
    const auto exact = std::make_unique<char[]>(op.bytes.size());
    std::memcpy(exact.get(), op.bytes.data(), op.bytes.size());
    if (op.form == Form::tai64 || op.form == Form::tai64_little) {
      ::tai t;
      t.x = sentinel64;
      if (op.form == Form::tai64) tai_unpack(exact.get(), &t);
      else tai_unpack_little(exact.get(), &t);
      return value_outcome({t.x}, size);
    }
    ::tain a = sentinel_tain();
    if (op.form == Form::tai64n) tain_unpack(exact.get(), &a);
    else tain_unpack_little(exact.get(), &a);
    return value_outcome({a.sec.x, a.nano}, size);
  }

  static Outcome fmt(const Op& op) {
    char buffer[64];
    std::memset(buffer, untouched_byte, sizeof buffer);
    const ::tain a = tain_of(op);
    const std::size_t n = op.form == Form::timestamp ? timestamp_fmt(buffer, &a) : tain_fmt(buffer, &a);
    if (n > sizeof buffer) return error_outcome("count_too_large");
    for (std::size_t i = n; i < sizeof buffer; ++i)
      if (static_cast<unsigned char>(buffer[i]) != untouched_byte) return error_outcome("wrote_past_its_count");
    return text_outcome(std::string(buffer, n));
  }

  static Outcome scan(const Op& op) {
    const auto exact = std::make_unique<char[]>(op.text.size() + 1);  // the text and its NUL, nothing more
    std::memcpy(exact.get(), op.text.c_str(), op.text.size() + 1);
    ::tain a = sentinel_tain();
    const std::size_t n = op.form == Form::timestamp ? timestamp_scan(exact.get(), &a) : tain_scan(exact.get(), &a);
    if (n == 0) return is_sentinel(a) ? error_outcome("") : error_outcome("output_modified");
    return value_outcome({a.sec.x, a.nano}, n);
  }

  static Outcome from_utc(std::uint64_t posix) {
    ::tai t;
    t.x = sentinel64;
    errno = 0;
    const int r = ::tai_from_utc(&t, TAI_MAGIC + posix);
    if (r == 0) return refused(errno, t.x == sentinel64);
    return numbers_outcome(Outcome::Kind::label, {t.x});
  }

  static Outcome to_utc(std::uint64_t label) {
    ::tai t;
    t.x = label;
    std::uint64_t u = sentinel64;
    errno = 0;
    const int r = ::utc_from_tai(&u, &t);
    if (r == 0) return refused(errno, u == sentinel64);
    Outcome o = numbers_outcome(Outcome::Kind::sysclock, {u});
    o.leap = r == 2;
    return o;
  }

  static Outcome to_tain(const Op& op) {
    const timespec ts{static_cast<time_t>(op.n(0)), static_cast<long>(op.n(1))};
    const timeval tv{static_cast<time_t>(op.n(0)), static_cast<suseconds_t>(op.n(1))};
    ::tain a = sentinel_tain();
    errno = 0;
    int r = 0;
    if (op.verb == Verb::from_timespec) r = tain_from_timespec(&a, &ts);
    else if (op.verb == Verb::from_timespec_relative) r = tain_relative_from_timespec(&a, &ts);
    else if (op.verb == Verb::from_timeval) r = tain_from_timeval(&a, &tv);
    else if (op.verb == Verb::from_timeval_relative) r = tain_relative_from_timeval(&a, &tv);
    else r = tain_from_millisecs(&a, static_cast<int>(op.n(0)));
    if (r == 0) return refused(errno, is_sentinel(a));
    return tain_value(a);
  }

  static Outcome from_tain(const Op& op) {
    const ::tain a = tain_of(op);
    errno = 0;
    if (op.verb == Verb::to_ms) {
      const int ms = tain_to_millisecs(&a);
      if (ms < 0) return refused(errno, true);
      return numbers_outcome(Outcome::Kind::ms, {static_cast<std::uint64_t>(ms)});
    }
    timespec ts{static_cast<time_t>(sentinel64), static_cast<long>(sentinel32)};
    timeval tv{static_cast<time_t>(sentinel64), static_cast<suseconds_t>(sentinel32)};
    int r = 0;
    if (op.verb == Verb::to_timespec) r = timespec_from_tain(&ts, &a);
    else if (op.verb == Verb::to_timespec_relative) r = timespec_from_tain_relative(&ts, &a);
    else if (op.verb == Verb::to_timeval) r = timeval_from_tain(&tv, &a);
    else r = timeval_from_tain_relative(&tv, &a);
    const bool spec = op.verb == Verb::to_timespec || op.verb == Verb::to_timespec_relative;
    if (r == 0) return refused(errno, spec ? ts.tv_sec == static_cast<time_t>(sentinel64) : tv.tv_sec == static_cast<time_t>(sentinel64));
    const std::int64_t sec = spec ? ts.tv_sec : tv.tv_sec;
    const std::int64_t sub = spec ? ts.tv_nsec : tv.tv_usec;
    return numbers_outcome(Outcome::Kind::parts, {static_cast<std::uint64_t>(sec), static_cast<std::uint64_t>(sub)});
  }
};

}  // namespace

std::vector<Column> available_columns(const std::string& impl, std::string& error) {
  const std::string implementation = REFLOOP_TAI_C_IMPLEMENTATION;
  if (impl != implementation && impl != "all") {
    error = "this runner offers only --impl " + implementation;
    return {};
  }
  return {Column{implementation, implementation, true, [] { return std::unique_ptr<TaiAdapter>(new CTaiAdapter); }}};
}

}  // namespace refloop::conformance::tai_suite
