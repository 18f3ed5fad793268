// SPDX-License-Identifier: ISC
// The model of the leap-seconds.list parser (spec/time.md LEAP-007 to LEAP-009), written to be
// obviously right: each line is cut into blank-separated words and the words are checked
// against the rules one at a time. The model does not hash: it returns the text the #h line
// must be the SHA-1 of and the five words, and the caller compares (the SHA-1 itself is tested
// against FIPS vectors in impl/time/sha1_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "time/leap_model.hpp"

namespace refloop::model {

enum class FileError { malformed, out_of_order, unsupported };

struct ParsedFile {
  std::optional<FileError> error;  // none: the file is well formed (the hash is still to check)
  std::size_t line = 0;            // of the error; 0 when no single line is at fault
  LeapList leaps;
  std::int64_t expires_posix = 0;
  std::string hashed_text;        // #$ digits, #@ digits, each data line's two numbers
  std::vector<std::uint32_t> hash;  // the five #h words
  std::size_t hash_line = 0;
};

inline std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (c == ' ' || c == '\t') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

// A decimal number of at most 2^40, or none.
inline std::optional<std::uint64_t> small_number(const std::string& word) {
  if (word.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : word) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > (std::uint64_t{1} << 40)) return std::nullopt;
  }
  return value;
}

inline std::optional<std::uint32_t> hash_word(const std::string& word) {
  if (word.empty() || word.size() > 8) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : word) {
    const std::string_view digits = "0123456789abcdef";
    const char lower = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
    const std::size_t at = digits.find(lower);
    if (at == std::string_view::npos) return std::nullopt;
    value = value * 16 + static_cast<std::uint32_t>(at);
  }
  return value;
}

struct DataRow {
  std::string ntp_digits, offset_digits;
  std::uint64_t ntp = 0, offset = 0;
  std::size_t line = 0;
};

inline ParsedFile refuse(FileError error, std::size_t line) {
  ParsedFile file;
  file.error = error;
  file.line = line;
  return file;
}

inline std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  for (const char c : text) {
    if (c == '\n') {
      lines.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) lines.push_back(current);
  return lines;
}

struct Lines {  // what the lines of a file said
  std::optional<std::string> updated, expires;
  std::vector<std::uint32_t> hash;
  std::size_t hash_line = 0;
  std::vector<DataRow> rows;
};

// Reads line n into `seen`; false when the line is malformed.
inline bool read_line(std::string line, std::size_t n, Lines& seen) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::string marker = line.substr(0, 2);
  const std::string rest = line.size() > 2 ? line.substr(2) : "";
  const bool blank_after_marker = !rest.empty() && (rest[0] == ' ' || rest[0] == '\t');
  const std::vector<std::string> words = words_of(rest);
  if (marker == "#$" || marker == "#@") {
    std::optional<std::string>& slot = marker == "#$" ? seen.updated : seen.expires;
    if (!blank_after_marker || words.size() != 1 || !small_number(words[0]) || slot) return false;
    slot = words[0];
    return true;
  }
  if (marker == "#h") {
    if (!blank_after_marker || words.size() != 5 || seen.hash_line != 0) return false;
    for (const std::string& word : words) {
      if (!hash_word(word)) return false;
      seen.hash.push_back(*hash_word(word));
    }
    seen.hash_line = n;
    return true;
  }
  const std::vector<std::string> all = words_of(line);
  if (all.empty() || all[0][0] == '#') return true;  // a blank line or a comment
  const std::vector<std::string> fields = words_of(line.substr(0, line.find('#')));
  const bool starts_with_digit = line[0] >= '0' && line[0] <= '9';
  if (!starts_with_digit || fields.size() != 2 || !small_number(fields[0]) || !small_number(fields[1])) return false;
  seen.rows.push_back({fields[0], fields[1], *small_number(fields[0]), *small_number(fields[1]), n});
  return true;
}

inline ParsedFile parse_leap_file(std::string_view text) {
  const std::vector<std::string> lines = lines_of(text);
  Lines seen;
  for (std::size_t n = 1; n <= lines.size(); ++n)
    if (!read_line(lines[n - 1], n, seen)) return refuse(FileError::malformed, n);
  if (!seen.updated || !seen.expires || seen.hash_line == 0 || seen.rows.empty()) return refuse(FileError::malformed, 0);
  const std::vector<DataRow>& rows = seen.rows;
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].ntp <= rows[i - 1].ntp) return refuse(FileError::out_of_order, rows[i].line);
  if (rows[0].ntp != 2'272'060'800 || rows[0].offset != 10) return refuse(FileError::unsupported, rows[0].line);

  std::vector<std::int64_t> midnights;
  std::vector<int> offsets;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    midnights.push_back(static_cast<std::int64_t>(rows[i].ntp) - 2'208'988'800);
    offsets.push_back(rows[i].offset > 1'000'000 ? -1 : static_cast<int>(rows[i].offset));
  }
  const TableCheck check = check_table(midnights, offsets);
  if (check.error == TableError::malformed) return refuse(FileError::malformed, rows[check.entry].line);
  if (check.error == TableError::unsupported) return refuse(FileError::unsupported, rows[check.entry].line);
  if (check.error == TableError::out_of_order) return refuse(FileError::out_of_order, rows[check.entry].line);
  ParsedFile file;
  file.leaps = midnights;
  file.expires_posix = static_cast<std::int64_t>(*small_number(*seen.expires)) - 2'208'988'800;
  file.hashed_text = *seen.updated + *seen.expires;
  for (const DataRow& row : rows) file.hashed_text += row.ntp_digits + row.offset_digits;
  file.hash = seen.hash;
  file.hash_line = seen.hash_line;
  return file;
}

}  // namespace refloop::model
