// SPDX-License-Identifier: ISC
// See process_adapter.hpp. The adapter process is this case child's child: its stderr is the
// case's captured stderr, it dies with the case child (PR_SET_PDEATHSIG, so a busy loop in it
// never outlives a killed case), and its fatal path is relayed as the case child's own: the
// `fatal` line goes to report_fatal, its death to an abort (ADAPTER-009).
#include "process_adapter.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "fatal_capture.hpp"
#include "loop/ops_text.hpp"

namespace refloop::conformance::loop_suite {
namespace {

using namespace protocol;

// [req:ADAPTER-001] The adapter process and the two pipes to it.
class Connection {
 public:
  // `relay_death`: this process is a case's child, which ends the way the adapter ended; else an
  // ended adapter is an error like any other.
  Connection(const std::string& command, bool relay_death) : relay_death_(relay_death) {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
      throw std::runtime_error("cannot create the adapter's pipes");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::setpgid(0, 0);  // its own group: a hung adapter is killed with the commands it started
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    to_ = to_child[1];
    from_ = from_child[0];
    reader_ = std::make_unique<LineReader>(from_);
    if (pid_ < 0) throw std::runtime_error("cannot start the adapter");
  }
  // Closing its input ends the case for the adapter, which then tears its loop down and exits
  // (ADAPTER-020); a hung one was killed by this runner and is only reaped.
  ~Connection() {
    if (hung_ && pid_ > 0) ::kill(-pid_, SIGKILL);
    ::close(to_);
    ::close(from_);
    if (pid_ > 0) judge_teardown();
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(const std::string& line) const { write_line(to_, line); }

  // A handshake line (ADAPTER-002) within `handshake_timeout_ns` of the adapter's start: an
  // adapter that never greets, or stops half-way, must not hang the runner.
  std::string receive_handshake_line(const std::string& command) const {
    const auto line = reader_->next_before(started_ns_ + handshake_timeout_ns);
    if (line) return *line;
    if (!reader_->timed_out()) adapter_ended();
    hung_ = true;
    throw std::runtime_error("the adapter sent no complete handshake within " +
                             std::to_string(handshake_timeout_ns / 1'000'000'000) + " s of its start" +
                             " (a 'refloop-adapter 1' ... 'ready' block, spec/adapter.md ADAPTER-002): '" + command + "'");
  }

  // [req:ADAPTER-009] The next line that is not a `fatal` line; those go to the fatal capture as they come (a
  // handler that returns is then seen by the judge, FATAL-001). At end of file the adapter has
  // ended: this process ends the same way (ADAPTER-009).
  std::string receive() const {
    for (;;) {
      const auto line = reader_->next();
      if (!line) adapter_ended();
      if (first_word(*line) != "fatal") return *line;
      fatal_seen_ = true;
      report_fatal(rest_of(*line, 1).c_str());
    }
  }

 private:
  // The signal that ended the adapter, from its wait status: its own, or the one a shell that ran
  // the command as its child reports as exit status 128+N.
  static std::optional<int> killing_signal(int status) {
    if (WIFSIGNALED(status)) return WTERMSIG(status);
    if (WIFEXITED(status) && WEXITSTATUS(status) > 128) return WEXITSTATUS(status) - 128;
    return std::nullopt;
  }

  // [req:ADAPTER-009] This case child dies as the adapter died, so the judge sees the fatal path.
  [[noreturn]] void relay_death(int signal, const char* when) const {
    if (!fatal_seen_) std::fprintf(stderr, "(the adapter process was killed by %s%s)\n", ::strsignal(signal), when);
    flush_coverage();
    std::abort();
  }

  // [req:ADAPTER-020] An adapter whose teardown killed it (an iv_deinit that aborts) ends the case
  // as the in-process column's destructor would, so both give the same cell. Not while an
  // exception unwinds: the case has already failed, with a better message than this death.
  void judge_teardown() const {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    const auto signal = killing_signal(status);
    if (signal && !hung_ && relay_death_ && std::uncaught_exceptions() == 0) relay_death(*signal, " at its end");
  }

  [[noreturn]] void adapter_ended() const {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (const auto signal = killing_signal(status); signal && relay_death_) relay_death(*signal, "");
    throw std::runtime_error("the adapter process ended (exit status " + std::to_string(WEXITSTATUS(status)) +
                             ") in the middle of the case");
  }

  static constexpr std::int64_t handshake_timeout_ns = 10'000'000'000;
  bool relay_death_;
  std::int64_t started_ns_ = monotonic_now_ns();
  mutable bool hung_ = false;
  mutable pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  std::unique_ptr<LineReader> reader_;
  mutable bool fatal_seen_ = false;
};

// [req:ADAPTER-002] The handshake; throws with what the adapter said instead.
Identity handshake(const Connection& connection, const std::string& command, Capabilities& capabilities) {
  const std::string first = connection.receive_handshake_line(command);
  if (first != greeting) throw std::runtime_error("the adapter did not greet with '" + std::string(greeting) + "': '" + first + "'");
  Identity identity;
  for (;;) {
    const std::string line = connection.receive_handshake_line(command);
    const std::string word = first_word(line);
    if (word == "ready") break;
    if (word == "name") identity.name = rest_of(line, 1);
    else if (word == "version") identity.version = rest_of(line, 1);
    else if (word == "library") identity.library = rest_of(line, 1);
    else if (!read_capability(line, capabilities)) throw std::runtime_error("handshake: unexpected line '" + line + "'");
  }
  return identity;
}

class ProcessAdapter final : public LoopAdapter {
 public:
  ProcessAdapter(const std::string& command, std::string column)
      : connection_(command, true), column_(std::move(column)) {
    identity_ = handshake(connection_, command, capabilities_);
  }

  [[nodiscard]] std::string name() const override { return column_; }

  // [req:ADAPTER-011] asked of the adapter before the case runs. A script's action naming `self`
  // has no text of its own: the adapter answers for it when asked about its script.
  [[nodiscard]] std::optional<std::string> not_applicable(const Op& op) const override {
    if (auto why = missing_capability(capabilities_, op)) return why;
    if (op.target.kind == model::loop::Kind::self) return std::nullopt;
    return checked("op " + model::loop::format_op(op), "n/a");
  }
  [[nodiscard]] std::optional<std::string> unsupported(const Op& op) const override {
    if (op.target.kind == model::loop::Kind::self) return std::nullopt;
    return checked("op " + model::loop::format_op(op), "cannot");
  }
  [[nodiscard]] std::optional<std::string> not_applicable_probe(const Probe& probe) const override {
    return missing_capability(capabilities_, probe);
  }
  [[nodiscard]] std::optional<std::string> unsupported_probe(const Probe& probe) const override {
    return checked("probe " + probe.name + " " + probe.text, "cannot");
  }

  // [req:ADAPTER-005] [req:ADAPTER-008]
  void act(const Op& op) override { expect(request("op " + model::loop::format_op(op)), "ok"); }
  std::string probe(const Probe& probe) override {
    const std::string answer = request("probe " + probe.name + " " + probe.text);
    expect(first_word(answer), "result");
    return rest_of(answer, 1);
  }
  Outcome run(bool nowait, const Callback& callback, const NestedEnd& nested_end) override;

  // [req:ADAPTER-007]
  [[nodiscard]] tain clock() const override { return at_ns(number_after(request("clock"), "clock")); }
  [[nodiscard]] bool registered(const Ref& ref) const override {
    return request("registered " + model::loop::format_ref(ref)) == "yes";
  }
  [[nodiscard]] std::size_t registered_count() const override {
    return static_cast<std::size_t>(number_after(request("count"), "count"));
  }
  [[nodiscard]] std::optional<std::uint64_t> unread(int end) const override {
    const std::string answer = request("unread " + model::loop::format_ref(Ref{model::loop::Kind::fd, static_cast<std::uint8_t>(end)}));
    if (answer == "unread -") return std::nullopt;
    return number_after(answer, "unread");
  }
  std::optional<std::string> take_problem() override { return std::exchange(problem_, std::nullopt); }
  [[nodiscard]] bool polls_first() const override { return capabilities_.poll_first; }  // ADAPTER-018

 private:
  std::string request(const std::string& line) const {
    connection_.send(line);
    return connection_.receive();
  }
  // `check ...` answered `can`, `cannot REASON` or `n/a REASON`: the reason when it is `kind`.
  std::optional<std::string> checked(const std::string& what, const std::string& kind) const {
    const std::string answer = request("check " + what);
    if (first_word(answer) == kind) return rest_of(answer, 1);
    if (answer != "can" && first_word(answer) != "cannot" && first_word(answer) != "n/a")
      throw std::runtime_error("check: unexpected answer '" + answer + "'");
    return std::nullopt;
  }
  static void expect(const std::string& answer, const std::string& wanted) {
    if (answer != wanted) throw std::runtime_error("expected '" + wanted + "' from the adapter, got '" + answer + "'");
  }
  static std::uint64_t number_after(const std::string& answer, const std::string& word) {
    if (first_word(answer) != word) throw std::runtime_error("expected '" + word + " N' from the adapter, got '" + answer + "'");
    return std::stoull(rest_of(answer, 1));
  }

  Connection connection_;
  std::string column_;
  Identity identity_;
  Capabilities capabilities_;
  std::optional<std::string> problem_;
};

// [req:ADAPTER-006] Callbacks and nested ends are judged as they come; `end` closes the iteration.
Outcome ProcessAdapter::run(bool nowait, const Callback& callback, const NestedEnd& nested_end) {
  connection_.send(nowait ? "run nowait" : "run");
  for (;;) {
    const std::string line = connection_.receive();
    const std::string word = first_word(line);
    if (word == "callback") {
      const auto event = parse_event(rest_of(line, 1));
      if (!event) throw std::runtime_error("bad callback line '" + line + "'");
      connection_.send(callback(*event) ? "go" : "stop");
    } else if (word == "nested" || word == "end") {
      std::istringstream words(rest_of(line, 1));
      std::string outcome_word;
      std::uint64_t ns = 0;
      words >> outcome_word >> ns;
      const auto outcome = parse_outcome(outcome_word);
      if (!outcome || !words) throw std::runtime_error("bad line '" + line + "'");
      if (word == "end") return *outcome;
      connection_.send(nested_end(*outcome, at_ns(ns)) ? "go" : "stop");
    } else if (word == "problem") {
      problem_ = rest_of(line, 1);
    } else {
      throw std::runtime_error("unexpected line during run: '" + line + "'");
    }
  }
}

}  // namespace

std::unique_ptr<LoopAdapter> make_process_adapter(const std::string& command, const std::string& column) {
  return std::make_unique<ProcessAdapter>(command, column);
}

Expected<Identity, std::string> read_identity(const std::string& command) {
  try {
    const Connection connection(command, false);
    Capabilities capabilities;
    return handshake(connection, command, capabilities);
  } catch (const std::exception& e) {
    return Unexpected{std::string(e.what())};
  }
}

}  // namespace refloop::conformance::loop_suite
