// SPDX-License-Identifier: ISC
// Fuzz target: the operation-sequence interpreter (spec/model.md MODEL-004). The input is a
// sequence in the text form; it runs on the real loop on every compiled backend, over a
// SimulatedClock and real pipes and socket pairs, against the model (property/loop/
// loop_harness.hpp). A disagreement prints the backend, the reason and the sequence, then aborts.
// Inputs that do not parse are ignored (fuzz/loop_ops_parse covers the parser); long sequences
// are cut at 400 operations to keep each run short. Every compiled backend means the emulated
// ones too (kqueue~emu, devpoll~emu, port~emu: compiled everywhere), so on Linux all eight.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loop_harness.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/loop.hpp"

namespace {

// Once per process: every backend each input runs on, the emulated ones (by their trait) marked,
// so a replay's log shows that all of them were covered.
bool say_backends() {
  std::string names;
  for (auto backend : refloop::compiled_backends())
    names += std::string(names.empty() ? "" : ", ") + std::string(backend) +
             (refloop::backend_traits(backend)->emulated ? " (emulated)" : "");
  std::fprintf(stderr, "loop_ops_run: each input runs on %zu backends: %s\n", refloop::compiled_backends().size(),
               names.c_str());
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refloop;
  auto parsed = model::loop::parse_ops(std::string(reinterpret_cast<const char*>(data), size));
  if (!parsed) return 0;
  auto ops = *parsed;
  if (ops.size() > 400) ops.resize(400);
  static const bool said = say_backends();
  (void)said;
  for (auto backend : compiled_backends()) {
    loopcheck::Harness harness(backend);
    if (harness.backend_name() != backend) {  // the loop runs on the backend asked for, or the run proves nothing
      std::fprintf(stderr, "loop_ops_run: asked for %.*s, the loop runs on %s\n", static_cast<int>(backend.size()),
                   backend.data(), harness.backend_name().c_str());
      std::abort();
    }
    for (const auto& op : ops) {
      if (auto verdict = harness.step(op)) {
        std::fprintf(stderr, "loop_ops_run: %s\n", harness.report(*verdict).c_str());
        std::abort();
      }
    }
  }
  return 0;
}
