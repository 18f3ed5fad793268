// SPDX-License-Identifier: ISC
// Fuzz target [req:ADAPTER-012]: the C adapter kit's parser of the operation text form
// (conformance/adapters/kit/refloop_adapter_text.c) against the C++ one (model/loop/ops_text.cpp,
// spec/model.md MODEL-001). Every line of the input (up to a NUL, where C strings end) must be
// accepted by both or refused by both; an accepted line must print the same canonical text, and a
// refused one give the same message (when no word is long enough for the C side to cut it).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loop/ops_text.hpp"
#include "refloop_adapter.h"

namespace {
void require(bool ok, const char* what, const std::string& line) {
  if (!ok) {
    std::fprintf(stderr, "kit_parse: %s: '%s'\n", what, line.c_str());
    std::abort();
  }
}

void compare_line(const std::string& line) {
  ra_statement statement{};
  char error[512], printed[512];
  const int c_result = ra_parse_line(line.c_str(), &statement, error, sizeof error);
  const auto cpp = refloop::model::loop::parse_ops(line);
  require(c_result >= -1 && c_result <= 1, "ra_parse_line returned something else", line);
  if (!cpp) {
    require(c_result == -1, "the C++ parser refuses, the kit accepts", line);
    if (line.size() <= 40) require(cpp.error().message == error, "the messages differ", line);
    return;
  }
  require(c_result != -1, "the kit refuses, the C++ parser accepts", line);
  require((c_result == 1) == (cpp->size() == 1), "one side found an operation, the other none", line);
  if (c_result == 1)
    require(refloop::model::loop::format_op(cpp->front()) == ra_format_statement(&statement, printed, sizeof printed),
            "the printed texts differ", line);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  input.resize(input.find('\0') == std::string::npos ? input.size() : input.find('\0'));
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    compare_line(input.substr(start, end - start));
    start = end + 1;
  }
  return 0;
}
