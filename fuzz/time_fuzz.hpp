// SPDX-License-Identifier: ISC
// Shared checks for the time-layer fuzz targets: run an implementation scanner or unpacker on an
// exactly sized copy of the input (so ASan sees any read past it: LABEL-007) and compare the
// outcome with model/time/format_model.hpp field by field (LABEL-003, LABEL-005), then check
// that an accepted value formats back to the bytes it came from (LABEL-006).
#pragma once

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "refloop/time/format.hpp"
#include "time/format_model.hpp"

namespace refloop::fuzzcheck {

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
  }
}

inline model::Label label_of(const tai& t) { return {t.x, 0, 0}; }
inline model::Label label_of(const tain& t) { return {t.sec(), t.nano(), 0}; }
inline model::Label label_of(const taina& t) { return {t.time().sec(), t.time().nano(), t.atto()}; }

// [req:LABEL-003] [req:LABEL-005] [req:LABEL-007]
template <class T>
void same_as_model(const ScanResult<T>& got, const model::Scan& want, std::size_t size) {
  require(static_cast<int>(got.error) == static_cast<int>(want.err), "error kind differs from the model");
  require(got.consumed == want.consumed, "consumed count differs from the model");
  require(got.consumed <= size, "consumed more than the input holds");
  if (got.ok()) {
    require(label_of(got.value) == want.value, "value differs from the model");
  } else {
    require(got.error_offset == want.offset, "error offset differs from the model");
    require(got.error_offset <= size, "error offset past the input");
  }
}

// [req:LABEL-006] An accepted text formats back to what was read, up to letter case.
inline void formats_back(const std::string& formatted, std::string_view input) {
  require(formatted.size() <= input.size(), "formatted longer than the consumed input");
  for (std::size_t i = 0; i < formatted.size(); ++i)
    require(formatted[i] == std::tolower(static_cast<unsigned char>(input[i])), "does not format back to its input");
}

}  // namespace refloop::fuzzcheck
