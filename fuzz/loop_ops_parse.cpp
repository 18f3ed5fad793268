// SPDX-License-Identifier: ISC
// Fuzz target: the loop operation text form (spec/model.md MODEL-001), model/loop/ops_text.cpp.
// Any input parses or is refused with a line number inside the input; a parsed sequence prints
// canonically, and the printed text parses back to the same operations and prints identically.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "loop/ops_text.hpp"

namespace {
void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "loop_ops_parse: %s\n", what);
    std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop::model::loop;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_ops(input);
  if (!parsed) {
    const std::size_t lines = 1 + static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n'));
    require(parsed.error().line >= 1 && parsed.error().line <= lines, "error line outside the input");
    require(!parsed.error().message.empty(), "error without a message");
    return 0;
  }
  const std::string printed = format_ops(*parsed);
  const auto again = parse_ops(printed);
  require(again.has_value(), "printed text does not parse");
  require(*again == *parsed, "printed text parses to different operations");
  require(format_ops(*again) == printed, "printing is not canonical");
  for (const Op& op : *parsed)
    for (const Op& action : op.body) require(allowed_in_script(action.code), "a script holds a forbidden action");
  return 0;
}
