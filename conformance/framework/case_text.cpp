// SPDX-License-Identifier: ISC
// See case_text.hpp.
#include "case_text.hpp"

namespace refloop::conformance {

std::string trimmed(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
}

std::string case_id_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind(".case");
  return dot == std::string::npos ? name : name.substr(0, dot);
}

void collect_citations(const std::string& text, std::vector<std::string>& into) {
  for (std::size_t at = text.find("[req:"); at != std::string::npos; at = text.find("[req:", at + 1)) {
    const std::size_t close = text.find(']', at);
    if (close == std::string::npos) return;
    const std::string id = text.substr(at + 5, close - at - 5);
    const std::size_t dash = id.find('-');
    const bool well_formed = dash != std::string::npos && dash > 0 && id.size() == dash + 4 &&
                             id.find_first_not_of("0123456789", dash + 1) == std::string::npos &&
                             id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == dash;
    if (well_formed) into.push_back(id);
  }
}

}  // namespace refloop::conformance
