// SPDX-License-Identifier: ISC
// See protocol.hpp and spec/adapter.md.
#include "protocol.hpp"

#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

#include "loop/ops_text.hpp"

namespace refloop::conformance::loop_suite::protocol {

using model::loop::Band;
using model::loop::Code;
using model::loop::Kind;

namespace {

constexpr const char* band_names[3] = {"err", "in", "out"};

std::optional<std::string> missing_in(const Capabilities& c, const Op& op) {
  if (op.target.kind == Kind::task && !c.tasks) return "the adapter declares no tasks capability";
  if (op.code == Code::stamp && !c.stamp) return "the adapter declares no stamp capability";
  if (op.code == Code::advance && !c.advance) return "the adapter declares no advance capability";
  if (op.code == Code::set && op.banded && !c.bands[static_cast<int>(op.band)])
    return std::string("the adapter cannot tell band ") + band_names[static_cast<int>(op.band)] + " apart (bands capability)";
  if ((op.code == Code::run || op.code == Code::run_nowait) && !c.nested_run)
    return "the adapter declares no nested-run capability";
  return std::nullopt;
}

}  // namespace

// [req:ADAPTER-004] only the cases that need a missing capability are N/A.
std::optional<std::string> missing_capability(const Capabilities& capabilities, const Op& op) {
  if (op.code == Code::run || op.code == Code::run_nowait) return std::nullopt;  // a top-level run
  if (auto why = missing_in(capabilities, op)) return why;
  if (op.code == Code::script)
    for (const Op& action : op.body)
      if (auto why = missing_in(capabilities, action)) return why;
  return std::nullopt;
}

std::optional<std::string> missing_capability(const Capabilities& capabilities, const Probe& probe) {
  const auto& known = capabilities.probes;
  if (std::find(known.begin(), known.end(), probe.name) != known.end()) return std::nullopt;
  return "the adapter declares no probe " + probe.name + " (probes capability)";
}

std::vector<std::string> capability_lines(const Capabilities& c) {
  std::string bands = "capability bands";
  for (int band = 0; band < 3; ++band)
    if (c.bands[band]) bands += std::string(" ") + band_names[band];
  auto yes_no = [](const char* key, bool on) { return std::string("capability ") + key + (on ? " yes" : " no"); };
  std::string probes = "capability probes";
  for (const std::string& name : c.probes) probes += " " + name;
  return {bands, yes_no("tasks", c.tasks), yes_no("stamp", c.stamp), yes_no("advance", c.advance),
          yes_no("nested-run", c.nested_run), probes,
          std::string("capability order ") + (c.poll_first ? "poll-first" : "ivykis")};
}

bool read_capability(const std::string& line, Capabilities& c) {
  std::istringstream words(line);
  std::string word, key;
  words >> word >> key;
  if (word != "capability") return false;
  std::vector<std::string> values;
  for (std::string value; words >> value;) values.push_back(value);
  const bool yes = values.size() == 1 && values[0] == "yes";
  if (key == "bands") {
    for (int band = 0; band < 3; ++band)
      c.bands[band] = std::find(values.begin(), values.end(), band_names[band]) != values.end();
  } else if (key == "tasks") {
    c.tasks = yes;
  } else if (key == "stamp") {
    c.stamp = yes;
  } else if (key == "advance") {
    c.advance = yes;
  } else if (key == "nested-run") {
    c.nested_run = yes;
  } else if (key == "probes") {
    c.probes = values;
  } else if (key == "order") {  // ADAPTER-018
    c.poll_first = values.size() == 1 && values[0] == "poll-first";
  }
  return true;  // an unknown key is a capability this runner does not ask about
}

std::string format_event(const Event& event) {
  std::string text = model::loop::format_ref(event.object);
  if (event.object.kind == Kind::fd) text += std::string(".") + band_names[static_cast<int>(event.band)];
  return text + " " + std::to_string(event.script);
}

std::optional<Ref> parse_ref(const std::string& text) {
  const auto ops = model::loop::parse_ops("unreg " + text);
  if (!ops || ops->size() != 1) return std::nullopt;
  return ops->front().target;
}

std::optional<Event> parse_event(const std::string& text) {
  std::istringstream words(text);
  std::string object;
  int script = -1;
  if (!(words >> object >> script) || script < 0 || script >= model::loop::max_scripts) return std::nullopt;
  Event event;
  event.script = script;
  event.band = Band::in;
  const auto dot = object.find('.');
  if (dot != std::string::npos) {
    const std::string band = object.substr(dot + 1);
    const auto* found = std::find(std::begin(band_names), std::end(band_names), band);
    if (found == std::end(band_names)) return std::nullopt;
    event.band = model::loop::all_bands[found - std::begin(band_names)];
    object.resize(dot);
  }
  const auto ref = parse_ref(object);
  if (!ref || (ref->kind == Kind::fd) != (dot != std::string::npos)) return std::nullopt;
  event.object = *ref;
  return event;
}

std::optional<Outcome> parse_outcome(const std::string& word) {
  for (Outcome outcome : {Outcome::polled, Outcome::quit, Outcome::empty, Outcome::deadlock})
    if (word == describe_outcome(outcome)) return outcome;
  return std::nullopt;
}

std::uint64_t ns_since_start(const tain& t) {
  const tain since = t - tain_epoch;
  return since.sec() * 1'000'000'000ULL + since.nano();
}

tain at_ns(std::uint64_t ns) { return tain_epoch + tain::normalised(0, ns); }

std::string first_word(const std::string& line) { return line.substr(0, line.find(' ')); }

std::string rest_of(const std::string& line, std::size_t count) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < count && at != std::string::npos; ++i) {
    at = line.find(' ', at);
    if (at != std::string::npos) ++at;
  }
  return at == std::string::npos ? std::string() : line.substr(at);
}

void write_line(int fd, const std::string& line) {
  const std::string whole = line + "\n";
  std::size_t done = 0;
  while (done < whole.size()) {
    const ssize_t wrote = ::write(fd, whole.data() + done, whole.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return;  // the other side is gone; its end of file tells the reader
    done += static_cast<std::size_t>(wrote);
  }
}

std::int64_t monotonic_now_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

namespace {
// True when `fd` becomes readable (data, end of file or an error) before `deadline_ns`.
bool readable_before(int fd, std::int64_t deadline_ns) {
  for (;;) {
    const std::int64_t left_ns = deadline_ns - monotonic_now_ns();
    if (left_ns <= 0) return false;
    pollfd watched{fd, POLLIN, 0};
    const int ready = ::poll(&watched, 1, static_cast<int>(left_ns / 1'000'000) + 1);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // let read() report the error
  }
}
}  // namespace

std::optional<std::string> LineReader::next_before(std::int64_t deadline_ns) {
  timed_out_ = false;
  for (;;) {
    if (const auto end = buffer_.find('\n'); end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return line;
    }
    if (deadline_ns >= 0 && !readable_before(fd_, deadline_ns)) {
      timed_out_ = true;
      return std::nullopt;
    }
    char chunk[4096];
    const ssize_t got = ::read(fd_, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
}

}  // namespace refloop::conformance::loop_suite::protocol
