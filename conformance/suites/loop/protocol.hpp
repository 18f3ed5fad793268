// SPDX-License-Identifier: ISC
// The loop suite's process protocol (spec/adapter.md): the words both sides use on the wire, and
// reading and writing whole lines on a file descriptor. The runner's side is
// adapters/process/process_adapter.cpp; serve.cpp is the other side for any in-process adapter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loop_adapter.hpp"

namespace refloop::conformance::loop_suite::protocol {

inline constexpr const char* greeting = "refloop-adapter 1";

// What an adapter says about itself in the handshake (ADAPTER-002).
struct Identity {
  std::string name;
  std::string version;
  std::string library;  // "-": none
};

// The capabilities of ADAPTER-004, with their defaults.
struct Capabilities {
  bool bands[3] = {true, true, true};  // err, in, out
  bool tasks = true;
  bool stamp = true;
  bool advance = true;
  bool nested_run = false;
  std::vector<std::string> probes;
  bool poll_first = false;  // `order poll-first` (ADAPTER-018); the default is `order ivykis`
};

// Why a case with `op` needs a capability the adapter lacks (ADAPTER-004); nullopt when it does not.
std::optional<std::string> missing_capability(const Capabilities& capabilities, const Op& op);
std::optional<std::string> missing_capability(const Capabilities& capabilities, const Probe& probe);
// The handshake lines after the greeting and before `ready`.
std::vector<std::string> capability_lines(const Capabilities& capabilities);
// Reads one `capability KEY VALUE...` line into `capabilities`; false when it is not one.
bool read_capability(const std::string& line, Capabilities& capabilities);

// `c0a.in 1`, `t0 2`: a callback and the script it runs (ADAPTER-006).
std::string format_event(const Event& event);
std::optional<Event> parse_event(const std::string& text);
std::optional<Outcome> parse_outcome(const std::string& word);
std::optional<Ref> parse_ref(const std::string& text);
// The adapter's clock as nanoseconds since the case's start, and back.
std::uint64_t ns_since_start(const tain& t);
tain at_ns(std::uint64_t ns);

// The words of a line after its first `count` words ("op reg c0a" -> "reg c0a" for 1).
std::string rest_of(const std::string& line, std::size_t count);
std::string first_word(const std::string& line);

// Whole lines on a file descriptor: one write(2) per line; reads until '\n' (nullopt at end of file).
void write_line(int fd, const std::string& line);
// CLOCK_MONOTONIC in nanoseconds, for the deadlines above.
std::int64_t monotonic_now_ns();
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  std::optional<std::string> next() { return next_before(-1); }
  // As next(), giving up when the whole line has not come by `deadline_ns` (monotonic_now_ns(),
  // -1: never); then timed_out() is true.
  std::optional<std::string> next_before(std::int64_t deadline_ns);
  [[nodiscard]] bool timed_out() const { return timed_out_; }

 private:
  int fd_;
  std::string buffer_;
  bool timed_out_ = false;
};

}  // namespace refloop::conformance::loop_suite::protocol
