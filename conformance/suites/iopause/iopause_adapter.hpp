// SPDX-License-Identifier: ISC
// What an iopause adapter implements (conformance/suites/iopause/README.md, "Writing an adapter"): one
// wait as a case describes it (an iopause call, iopause_stamp or deepsleepuntil, with a
// deadline relative to the adapter's clock at the call), the probes of compile-time facts, and
// which operations it cannot perform. The runner owns the fds, the model and the native spy;
// an adapter only calls its implementation. Standard library and <poll.h> only, so the adapters
// built against Debian's <skalibs/iopause.h> share this header.
#pragma once

#include <poll.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapter.hpp"
#include "iopause_case.hpp"

namespace refloop::model::iopause_model {
struct World;
}

namespace refloop::conformance::iopause_suite {

// The value every revents holds before a wait (0 when the case scripts a native success), so
// "written on every return" (IOPAUSE-025) is checked on every call; and the errno set before
// it, so "errno unchanged" (IOPAUSE-033) is.
inline constexpr short revents_before_wait = 0x7f7f;
inline constexpr int errno_before_wait = 0x7ead;  // no real errno has this value

struct WaitInput {
  WaitKind kind = WaitKind::wait;
  std::vector<pollfd> entries;               // fds resolved, revents = revents_before_wait
  std::optional<std::int64_t> deadline_ns;  // relative to the adapter's clock at the call
  StampKind stamp = StampKind::fresh;
  std::int64_t stale_ns = 0;  // StampKind::stale: the stamp is the clock minus this
  bool real_clock = false;    // the case said `clock real`
  const model::iopause_model::World* model_world = nullptr;  // the same world for the model column
};

struct WaitOutput {
  int result = 0;
  int error = 0;  // errno after the call (errno_before_wait if untouched)
  std::vector<short> revents;
  std::int64_t elapsed_ns = 0;  // the adapter's clock after the wait minus at the call
  bool deadlock = false;        // a simulated clock refused to wait forever
  bool crashed = false;         // the call killed the (forked) process
  std::optional<bool> stamp_reached;  // wait-stamp/deepsleep: stamp >= deadline afterwards
  std::optional<bool> stamp_fresh;    // wait-stamp/deepsleep: stamp refreshed from the clock
};

// The iopause suite's adapter (the one adapter concept, framework/adapter.hpp): unsupported is
// checked for every op before a case runs; the rest is the iopause vocabulary.
class IopauseAdapter : public Adapter<Op> {
 public:
  virtual WaitOutput wait(WaitInput& input) = 0;
  // The answer to a probe (`masks`, `layout`, `default`, `declarations`, `name:X`).
  virtual std::string probe(const std::string& name) = 0;
  // Whether elapsed_ns is real time (checked late-side only, with the README's tolerance)
  // rather than a simulated clock's (checked exactly), given whether the case said `clock real`.
  [[nodiscard]] virtual bool real_time(bool clock_real) const = 0;
};

struct Column {
  std::string implementation;  // names conformance/expectations/<implementation>.txt
  std::string name;            // "refloop/ppoll", "skalibs/select", "model"
  std::string backend;         // "ppoll", "poll", "select" (the model answers as ppoll)
  bool stamp_uses_ppoll = false;  // the C API's iopause_stamp/deepsleepuntil use ppoll (IOCOMPAT-004)
  bool records_native = true;     // native calls reach the spy (not the model)
  std::function<std::unique_ptr<IopauseAdapter>(const Column&)> make;
};

// The columns this executable offers matching --impl (or "all") and --backend (or every one);
// empty with `error` set when none does.
std::vector<Column> available_columns(const std::string& impl, const std::string& backend, std::string& error);

}  // namespace refloop::conformance::iopause_suite
