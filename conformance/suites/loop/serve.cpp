// SPDX-License-Identifier: ISC
// See serve.hpp. One request at a time; during a `run` each callback waits for the runner's `go`
// or `stop` and answers the runner's queries meanwhile (the judge asks the clock, ADAPTER-006).
#include "serve.hpp"

#include <unistd.h>

#include <stdexcept>

#include "case_file.hpp"
#include "fatal_capture.hpp"
#include "loop/ops_text.hpp"

namespace refloop::conformance::loop_suite {
namespace {

using namespace protocol;

class Server {
 public:
  explicit Server(LoopAdapter& adapter) : adapter_(adapter) {}

  void handshake(const Identity& identity) {
    reply(greeting);
    reply("name " + identity.name);
    reply("version " + identity.version);
    reply("library " + identity.library);
    for (const std::string& line : capability_lines(capabilities())) reply(line);
    reply("ready");
  }

  // One request; false at the end of input.
  bool answer_next() {
    const auto line = in_.next();
    if (!line) return false;
    if (!answer_query(*line)) answer_request(*line);
    return true;
  }

 private:
  static void reply(const std::string& line) { write_line(1, line); }

  // What this adapter can do, asked the way the runner asks it of each case.
  Capabilities capabilities() const {
    Capabilities c;
    c.nested_run = true;  // the runner asks `check` for each script; not_applicable says why not
    for (const char* name : probe_names) c.probes.emplace_back(name);
    for (const char* name : ivykis_probe_names) c.probes.emplace_back(name);
    return c;
  }

  bool answer_query(const std::string& line) {
    const std::string word = first_word(line);
    if (word == "clock") reply("clock " + std::to_string(ns_since_start(adapter_.clock())));
    else if (word == "count") reply("count " + std::to_string(adapter_.registered_count()));
    else if (word == "registered") reply(adapter_.registered(ref(rest_of(line, 1))) ? "yes" : "no");
    else if (word == "unread") {
      const auto unread = adapter_.unread(ref(rest_of(line, 1)).index);
      reply(unread ? "unread " + std::to_string(*unread) : "unread -");
    } else return false;
    return true;
  }

  void answer_request(const std::string& line) {
    const std::string word = first_word(line);
    if (word == "op") {
      for (const Op& op : ops(rest_of(line, 1))) adapter_.act(op);
      reply("ok");
    } else if (word == "run") {
      run(rest_of(line, 1) == "nowait");
    } else if (word == "probe") {
      reply("result " + adapter_.probe(probe(rest_of(line, 1))));
    } else if (word == "check") {
      check(rest_of(line, 1));
    } else {
      throw std::runtime_error("unknown request '" + line + "'");
    }
  }

  void check(const std::string& what) {
    std::optional<std::string> not_applicable, unsupported;
    if (first_word(what) == "probe") {
      const Probe p = probe(rest_of(what, 1));
      unsupported = adapter_.unsupported_probe(p);
      not_applicable = adapter_.not_applicable_probe(p);
    } else {
      for (const Op& op : ops(rest_of(what, 1))) {
        std::vector<Op> asked{op};
        if (op.code == model::loop::Code::script) asked.insert(asked.end(), op.body.begin(), op.body.end());
        for (const Op& each : asked) {
          if (!not_applicable) not_applicable = adapter_.not_applicable(each);
          if (!unsupported) unsupported = adapter_.unsupported(each);
        }
      }
    }
    reply(not_applicable ? "n/a " + *not_applicable : unsupported ? "cannot " + *unsupported : "can");
  }

  void run(bool nowait) {
    const LoopAdapter::Callback on_callback = [this](const Event& event) {
      reply("callback " + format_event(event));
      return await_go();
    };
    const LoopAdapter::NestedEnd on_nested_end = [this](Outcome outcome, const tain& clock) {
      reply("nested " + describe_outcome(outcome) + " " + std::to_string(ns_since_start(clock)));
      return await_go();
    };
    const Outcome outcome = adapter_.run(nowait, on_callback, on_nested_end);
    if (auto problem = adapter_.take_problem()) reply("problem " + *problem);
    reply("end " + describe_outcome(outcome) + " " + std::to_string(ns_since_start(adapter_.clock())));
  }

  bool await_go() {
    for (;;) {
      const auto line = in_.next();
      if (!line) ::_exit(0);  // the runner is gone
      if (*line == "go" || *line == "stop") return *line == "go";
      if (!answer_query(*line)) throw std::runtime_error("during a callback only queries, go or stop: '" + *line + "'");
    }
  }

  static std::vector<Op> ops(const std::string& text) {
    auto parsed = model::loop::parse_ops(text);
    if (!parsed) throw std::runtime_error("bad operation '" + text + "': " + parsed.error().message);
    return *parsed;
  }
  static Ref ref(const std::string& text) {
    const auto parsed = parse_ref(text);
    if (!parsed) throw std::runtime_error("bad reference '" + text + "'");
    return *parsed;
  }
  static Probe probe(const std::string& text) {
    auto parsed = parse_probe("! " + text);
    if (!parsed) throw std::runtime_error(parsed.error());
    return *parsed;
  }

  LoopAdapter& adapter_;
  LineReader in_{0};
};

}  // namespace

int serve(LoopAdapter& adapter, const Identity& identity) {
  set_fatal_report_fd(1, "fatal ");  // ADAPTER-009: the fatal message on the protocol's output
  Server server(adapter);
  server.handshake(identity);
  while (server.answer_next()) {
  }
  return 0;
}

}  // namespace refloop::conformance::loop_suite
