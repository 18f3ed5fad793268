// SPDX-License-Identifier: ISC
// Fuzz target: the operation-sequence interpreter (spec/model.md MODEL-004). The input is a
// sequence in the text form; it runs on the real loop on every compiled backend, over a
// SimulatedClock and real pipes and socket pairs, against the model (property/loop/
// loop_harness.hpp). A disagreement prints the backend, the reason and the sequence, then aborts.
// Inputs that do not parse are ignored (fuzz/loop_ops_parse covers the parser); long sequences
// are cut at 400 operations to keep each run short.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loop_harness.hpp"
#include "refloop/loop/loop.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop;
  auto parsed = model::loop::parse_ops(std::string(reinterpret_cast<const char*>(data), size));
  if (!parsed) return 0;
  auto ops = *parsed;
  if (ops.size() > 400) ops.resize(400);
  for (auto backend : compiled_backends()) {
    loopcheck::Harness harness(backend);
    for (const auto& op : ops) {
      if (auto verdict = harness.step(op)) {
        std::fprintf(stderr, "loop_ops_run: %s\n", harness.report(*verdict).c_str());
        std::abort();
      }
    }
  }
  return 0;
}
