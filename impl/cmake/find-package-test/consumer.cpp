// SPDX-License-Identifier: ISC
// Builds against an installed refloop and uses one thing from each installed library.
#include <cstdio>

#include "refloop/time/format.hpp"

int main() {
  const std::string text = refloop::format_timestamp(refloop::tain_epoch);
  if (text != std::string("@400000000000000a00000000")) {
    std::printf("unexpected epoch text %s\n", text.c_str());
    return 1;
  }
  std::printf("consumer: %s\n", text.c_str());
  return 0;
}
