// SPDX-License-Identifier: ISC
// The IERS/NIST leap-seconds.list format: parsing (syntax, order, content, then the #h SHA-1),
// loading a file into the table in use, and writing a table back out. Requirements:
// spec/time.md, LEAP-006 to LEAP-012.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "leap_internal.hpp"
#include "refloop/time/leap.hpp"
#include "sha1.hpp"

namespace refloop {

namespace {

using detail::ntp_to_posix_offset;

constexpr std::uint64_t largest_number = std::uint64_t{1} << 40;  // any numeric field (LEAP-007)
constexpr std::size_t largest_file = std::size_t{1} << 20;        // load_leap_seconds_file

struct NumberField {
  std::string_view digits;  // as written: the hash covers the text
  std::uint64_t value = 0;
};

struct HeaderValue {
  NumberField field;
  std::size_t line = 0;
};

struct DataLine {
  NumberField ntp;
  NumberField tai_minus_utc;
  std::size_t line = 0;
};

struct RawFile {
  std::optional<HeaderValue> updated;  // #$
  std::optional<HeaderValue> expires;  // #@
  std::optional<detail::Sha1Digest> hash;  // #h
  std::size_t hash_line = 0;
  std::vector<DataLine> data;
};

LeapFileError error_at(LeapFileErrc code, std::size_t line, const std::string& what) {
  if (line == 0) return {code, 0, what};
  return {code, line, "line " + std::to_string(line) + ": " + what};
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads characters off the front of one line; never looks past the view it was given.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}

  void skip_blanks() {
    while (!rest_.empty() && is_blank(rest_.front())) rest_.remove_prefix(1);
  }
  [[nodiscard]] bool at_end() const { return rest_.empty(); }
  [[nodiscard]] bool at_blank() const { return !rest_.empty() && is_blank(rest_.front()); }
  [[nodiscard]] bool at_comment() const { return !rest_.empty() && rest_.front() == '#'; }

  // A decimal number of at most `largest_number`; none if there is no digit or it is too big.
  std::optional<NumberField> number() {
    std::size_t length = 0;
    std::uint64_t value = 0;
    while (length < rest_.size() && is_digit(rest_[length])) {
      value = value * 10 + static_cast<std::uint64_t>(rest_[length] - '0');
      if (value > largest_number) return std::nullopt;
      ++length;
    }
    if (length == 0) return std::nullopt;
    NumberField field{rest_.substr(0, length), value};
    rest_.remove_prefix(length);
    return field;
  }

  // A word of 1..8 hexadecimal digits, as the #h line's five words are written.
  std::optional<std::uint32_t> hex_word() {
    std::size_t length = 0;
    std::uint32_t value = 0;
    while (length < rest_.size() && hex_value(rest_[length]) >= 0) {
      if (length == 8) return std::nullopt;
      value = value << 4 | static_cast<std::uint32_t>(hex_value(rest_[length]));
      ++length;
    }
    if (length == 0) return std::nullopt;
    rest_.remove_prefix(length);
    return value;
  }

 private:
  std::string_view rest_;
};

// "#$ <number>" or "#@ <number>", the marker already consumed.
Expected<HeaderValue, LeapFileError> parse_header_value(LineCursor cursor, std::size_t line, char marker) {
  const std::string what = std::string("#") + marker + " line";
  if (!cursor.at_blank()) return Unexpected{error_at(LeapFileErrc::malformed, line, what + ": expected a blank and an NTP time")};
  cursor.skip_blanks();
  auto field = cursor.number();
  cursor.skip_blanks();
  if (!field || !cursor.at_end())
    return Unexpected{error_at(LeapFileErrc::malformed, line, what + ": expected one NTP time of at most 2^40")};
  return HeaderValue{*field, line};
}

// "#h w1 w2 w3 w4 w5", the marker already consumed.
Expected<detail::Sha1Digest, LeapFileError> parse_hash(LineCursor cursor, std::size_t line) {
  detail::Sha1Digest digest{};
  for (std::uint32_t& word : digest) {
    const bool separated = cursor.at_blank();
    cursor.skip_blanks();
    auto value = cursor.hex_word();
    if (!separated || !value)
      return Unexpected{error_at(LeapFileErrc::malformed, line, "#h line: expected five words of 1 to 8 hex digits")};
    word = *value;
  }
  cursor.skip_blanks();
  if (!cursor.at_end()) return Unexpected{error_at(LeapFileErrc::malformed, line, "#h line: text after the fifth word")};
  return digest;
}

// "<NTP time> <TAI-UTC> [# comment]".
Expected<DataLine, LeapFileError> parse_data_line(LineCursor cursor, std::size_t line) {
  auto ntp = cursor.number();
  const bool separated = cursor.at_blank();
  cursor.skip_blanks();
  auto offset = separated ? cursor.number() : std::nullopt;
  cursor.skip_blanks();
  if (!ntp || !offset || !(cursor.at_end() || cursor.at_comment()))
    return Unexpected{error_at(LeapFileErrc::malformed, line,
                               "expected 'NTP-time TAI-UTC [# comment]' with numbers of at most 2^40")};
  return DataLine{*ntp, *offset, line};
}

template <class T>
std::optional<LeapFileError> store_once(std::optional<T>& slot, T value, std::size_t line, const char* name) {
  if (slot) return error_at(LeapFileErrc::malformed, line, std::string("second ") + name + " line");
  slot = std::move(value);
  return std::nullopt;
}

std::optional<LeapFileError> parse_header_line(std::string_view text, std::size_t line, RawFile& file) {
  const char marker = text[1];
  LineCursor cursor(text.substr(2));
  if (marker == 'h') {
    auto hash = parse_hash(cursor, line);
    if (!hash) return hash.error();
    file.hash_line = line;
    return store_once(file.hash, *hash, line, "#h");
  }
  auto value = parse_header_value(cursor, line, marker);
  if (!value) return value.error();
  return marker == '$' ? store_once(file.updated, *value, line, "#$") : store_once(file.expires, *value, line, "#@");
}

std::optional<LeapFileError> parse_line(std::string_view text, std::size_t line, RawFile& file) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  const bool header = text.size() >= 2 && text[0] == '#' && (text[1] == '$' || text[1] == '@' || text[1] == 'h');
  if (header) return parse_header_line(text, line, file);
  LineCursor cursor(text);
  cursor.skip_blanks();
  if (cursor.at_end() || cursor.at_comment()) return std::nullopt;  // blank line or comment
  auto data = parse_data_line(LineCursor(text), line);
  if (!data) return data.error();
  file.data.push_back(*data);
  return std::nullopt;
}

Expected<RawFile, LeapFileError> split_and_parse(std::string_view text) {
  RawFile file;
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    const std::size_t end = text.find('\n');
    const std::string_view current = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (auto error = parse_line(current, line, file)) return Unexpected{std::move(*error)};
  }
  if (!file.updated) return Unexpected{error_at(LeapFileErrc::malformed, 0, "no #$ (last update) line")};
  if (!file.expires) return Unexpected{error_at(LeapFileErrc::malformed, 0, "no #@ (expiry) line")};
  if (!file.hash) return Unexpected{error_at(LeapFileErrc::malformed, 0, "no #h (SHA-1) line")};
  if (file.data.empty()) return Unexpected{error_at(LeapFileErrc::malformed, 0, "no data lines")};
  return file;
}

// implements: LEAP-008 (order is checked over the whole file before any content rule)
std::optional<LeapFileError> check_order(const RawFile& file) {
  for (std::size_t i = 1; i < file.data.size(); ++i)
    if (file.data[i].ntp.value <= file.data[i - 1].ntp.value)
      return error_at(LeapFileErrc::out_of_order, file.data[i].line,
                      "NTP time " + std::string(file.data[i].ntp.digits) + " is not later than the line before");
  return std::nullopt;
}

// The first data line is the 1972 baseline; the others become the table's leap seconds, checked
// entry by entry afterwards (LEAP-006).
Expected<std::vector<LeapSecond>, LeapFileError> leaps_from_data(const RawFile& file) {
  const DataLine& first = file.data.front();
  if (first.ntp.value != static_cast<std::uint64_t>(detail::ntp_1972) ||
      first.tai_minus_utc.value != static_cast<std::uint64_t>(detail::tai_minus_utc_before_first_leap))
    return Unexpected{error_at(LeapFileErrc::unsupported, first.line,
                               "the first data line must be '2272060800 10' (1972-01-01, TAI-UTC 10 s)")};
  std::vector<LeapSecond> leaps;
  for (std::size_t i = 1; i < file.data.size(); ++i) {
    const DataLine& data = file.data[i];
    // A TAI-UTC too large for an int can never be the expected 11 + k: keep it visibly wrong.
    const int offset = data.tai_minus_utc.value > 1'000'000 ? -1 : static_cast<int>(data.tai_minus_utc.value);
    leaps.push_back({static_cast<std::int64_t>(data.ntp.value) - ntp_to_posix_offset, offset});
  }
  return leaps;
}

// implements: LEAP-009
detail::Sha1Digest hash_of_data(const RawFile& file) {
  detail::Sha1 hasher;
  hasher.update(file.updated->field.digits);
  hasher.update(file.expires->field.digits);
  for (const DataLine& data : file.data) {
    hasher.update(data.ntp.digits);
    hasher.update(data.tai_minus_utc.digits);
  }
  return hasher.finish();
}

std::string hash_words(const detail::Sha1Digest& digest) {
  std::string words;
  char word[16];
  for (const std::uint32_t value : digest) {
    std::snprintf(word, sizeof word, "%s%08" PRIx32, words.empty() ? "" : " ", value);
    words += word;
  }
  return words;
}

Expected<LeapTable, LeapFileError> table_from_raw(const RawFile& file) {
  if (auto error = check_order(file)) return Unexpected{std::move(*error)};
  auto leaps = leaps_from_data(file);
  if (!leaps) return Unexpected{leaps.error()};
  std::size_t bad_index = 0;
  if (auto error = detail::check_leaps(*leaps, bad_index)) {
    const std::size_t line = file.data[bad_index + 1].line;
    return Unexpected{error_at(error->code, line, error->message)};
  }
  if (hash_of_data(file) != *file.hash)
    return Unexpected{error_at(LeapFileErrc::tampered, file.hash_line,
                               "#h SHA-1 does not match the data; it should be " + hash_words(hash_of_data(file)))};
  const std::int64_t expires = static_cast<std::int64_t>(file.expires->field.value) - ntp_to_posix_offset;
  return LeapTable::create(std::move(leaps.value()), expires);  // operator* is const: it would copy
}

Expected<std::string, LeapFileError> read_whole_file(const std::string& path) {
  std::FILE* stream = std::fopen(path.c_str(), "rb");
  if (!stream) return Unexpected{error_at(LeapFileErrc::unreadable, 0, path + ": " + std::strerror(errno))};
  std::string text;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, stream)) > 0 && text.size() <= largest_file)
    text.append(buffer, got);
  const bool failed = std::ferror(stream) != 0;
  std::fclose(stream);
  if (failed) return Unexpected{error_at(LeapFileErrc::unreadable, 0, path + ": read error")};
  if (text.size() > largest_file) return Unexpected{error_at(LeapFileErrc::unreadable, 0, path + ": larger than 1 MiB")};
  return text;
}

std::string data_line(std::int64_t posix, int tai_minus_utc) {
  static constexpr const char* month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const detail::CivilDate date = detail::civil_from_days(posix / detail::seconds_per_day);
  char line[96];
  std::snprintf(line, sizeof line, "%" PRId64 "\t%d\t# %d %s %" PRId64 "\n", posix + ntp_to_posix_offset,
                tai_minus_utc, date.day, month_names[date.month - 1], date.year);
  return line;
}

}  // namespace

// implements: LEAP-007, LEAP-008, LEAP-009
Expected<LeapTable, LeapFileError> parse_leap_seconds_list(std::string_view text) {
  auto raw = split_and_parse(text);
  if (!raw) return Unexpected{raw.error()};
  auto table = table_from_raw(*raw);
  if (!table) return Unexpected{table.error()};
  return table;
}

// implements: LEAP-011
Expected<std::shared_ptr<const LeapTable>, LeapFileError> load_leap_seconds_file(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return Unexpected{text.error()};
  auto table = parse_leap_seconds_list(*text);
  if (!table) {
    LeapFileError error = table.error();
    error.message = path + ": " + error.message;
    return Unexpected{std::move(error)};
  }
  auto shared = std::make_shared<const LeapTable>(*table);
  install_leap_table(shared);
  return std::shared_ptr<const LeapTable>(shared);
}

// implements: LEAP-012
std::string format_leap_seconds_list(const LeapTable& table, std::int64_t updated_posix, std::int64_t expires_posix) {
  const std::string updated = std::to_string(updated_posix + ntp_to_posix_offset);
  const std::string expires = std::to_string(expires_posix + ntp_to_posix_offset);
  std::string hashed = updated + expires + std::to_string(detail::ntp_1972) + "10";
  std::string text = "#\tleap-seconds.list written by refloop\n#\n#$\t" + updated + "\n#@\t" + expires + "\n#\n";
  text += data_line(detail::ntp_1972 - ntp_to_posix_offset, detail::tai_minus_utc_before_first_leap);
  for (const LeapSecond& leap : table.leaps()) {
    text += data_line(leap.posix_midnight, leap.tai_minus_utc);
    hashed += std::to_string(leap.posix_midnight + ntp_to_posix_offset) + std::to_string(leap.tai_minus_utc);
  }
  return text + "#\n#h\t" + hash_words(detail::sha1(hashed)) + "\n";
}

}  // namespace refloop
