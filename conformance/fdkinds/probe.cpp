// SPDX-License-Identifier: ISC
// One cell of the fd-kind matrix, observed in child processes (probe.hpp). A child reports in
// lines on a pipe: "try 0|ENAME", "bands B" per look, "lazy B", "fatal ENAME" from the fatal
// handler, "problem TEXT" when the probe itself cannot go on.
#include "probe.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <sstream>

#include "refloop/loop/fatal.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop::fdkinds {

namespace {

int report_fd = -1;

void report(const std::string& line) {
  const std::string text = line + "\n";
  [[maybe_unused]] auto n = ::write(report_fd, text.data(), text.size());
}

// The fatal path (FATAL-004) names the errno as "error N[text]"; the cell names it symbolically.
void report_fatal_and_exit(const char* message) {
  const char* error = std::strstr(message, "error ");
  char* end = nullptr;
  const long number = error == nullptr ? 0 : std::strtol(error + 6, &end, 10);
  if (number > 0 && end != nullptr && *end == '[')
    report("fatal " + errno_name(static_cast<int>(number)));
  else
    report(std::string("fatal (no errno) ") + message);
  ::_exit(42);
}

unsigned bands_seen = 0;
void saw_in(void*) { bands_seen |= 1u; }
void saw_out(void*) { bands_seen |= 2u; }
void saw_err(void*) { bands_seen |= 4u; }

// One run_once(nowait): the bands whose handlers ran, "-" for none.
std::string look(Loop& loop) {
  bands_seen = 0;
  loop.run_once(RunMode::nowait);
  std::string text;
  for (const auto& [bit, name] : {std::pair{1u, "in"}, {2u, "out"}, {4u, "err"}})
    if ((bands_seen & bit) != 0) text += (text.empty() ? "" : " ") + std::string(name);
  return text.empty() ? "-" : text;
}

// A stimulus that has not taken effect after this long is a broken probe, not a finding.
constexpr int settle_limit_ms = 10'000;

bool settle(int fd, short events) {
  if (events == 0) return true;
  pollfd entry{fd, events, 0};
  return ::poll(&entry, 1, settle_limit_ms) == 1 && (entry.revents & (events | POLLHUP | POLLERR)) != 0;
}

// In the child: makes the subject and a loop on `backend`, then runs `body` on them.
void in_child(const Kind& kind, const std::string& backend, const std::function<void(Loop&, Fd&, Subject&)>& body) {
  set_fatal_handler(report_fatal_and_exit);
  Subject subject = kind.make();
  if (subject.fd < 0) return report("problem cannot make it: " + errno_name(errno));
  if (subject.stimuli.size() + 1 != kind.steps.size()) return report("problem the recipe's steps do not match");
  SimulatedClock clock{tain_epoch};
  Loop loop{LoopOptions{.clock = &clock, .backend = backend}};
  if (loop.backend_name() != backend) return report("problem the loop is not on " + backend);
  Fd fd{.fd = subject.fd, .handler_in = saw_in, .handler_out = saw_out, .handler_err = saw_err};
  body(loop, fd, subject);
}

void try_then_step(Loop& loop, Fd& fd, Subject& subject) {
  const int result = loop.register_fd_try(fd);
  report("try " + (result == 0 ? std::string("0") : errno_name(result)));
  if (result != 0) return;
  report("bands " + look(loop));
  for (std::size_t i = 0; i < subject.stimuli.size(); ++i) {
    subject.stimuli[i].act();
    if (!settle(subject.fd, subject.stimuli[i].settle))
      return report("problem stimulus " + std::to_string(i + 1) + " did not take effect");
    report("bands " + look(loop));
  }
}

void register_then_look(Loop& loop, Fd& fd, Subject&) {
  loop.register_fd(fd);
  report("lazy " + look(loop));
}

// Runs `body` in a child and returns its report lines.
std::string child_report(const Kind& kind, const std::string& backend,
                         void (*body)(Loop&, Fd&, Subject&)) {
  int fds[2];
  if (::pipe(fds) != 0) return "problem pipe failed\n";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    report_fd = fds[1];
    in_child(kind, backend, body);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status)) text += "problem the child died of signal " + std::to_string(WTERMSIG(status)) + "\n";
  return text;
}

// A fatal error is the lazy child's finding (FD-002), and a broken probe in the other child.
void read_report(const std::string& text, bool lazy_child, Outcome& outcome) {
  std::istringstream lines(text);
  std::string word, rest;
  while (lines >> word && std::getline(lines, rest)) {
    rest.erase(0, rest.find_first_not_of(' '));
    if (word == "try") outcome.try_result = rest;
    else if (word == "bands") outcome.bands.push_back(rest);
    else if (word == "lazy") outcome.lazy = rest;
    else if (word == "fatal") (lazy_child ? outcome.lazy : outcome.problem) = "fatal " + rest;
    else outcome.problem += (outcome.problem.empty() ? "" : "; ") + rest;
  }
}

}  // namespace

// implements: FD-016 (the probe)
Outcome observe(const Kind& kind, const std::string& backend) {
  Outcome outcome;
  read_report(child_report(kind, backend, try_then_step), false, outcome);
  if (!outcome.problem.empty()) return outcome;
  read_report(child_report(kind, backend, register_then_look), true, outcome);
  return outcome;
}

}  // namespace refloop::fdkinds
