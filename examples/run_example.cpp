// SPDX-License-Identifier: ISC
// Test driver for the four ivykis examples (examples/*.c, spec/loop.md section IVAPI): runs one
// example as a child process, plays its client over a pipe or loopback TCP, and checks what it
// prints and how it ends, once per compiled backend (REFLOOP_BACKEND in the child's environment;
// the examples name the method they ran on). Usage: run_example {stdin|accept|idle|fatal} PROGRAM.
// Every wait has a
// deadline (a stuck example is killed and the test fails), and the timing check on the idle
// server is late-side only: the server must not close a connection before its idle time.
// [req:IVAPI-025]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "refloop/loop/loop.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto kDeadline = 20s;  // generous: asan builds and a loaded machine

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "run_example: FAIL: %s\n", why.c_str());
  std::exit(1);
}

struct Child {
  pid_t pid = -1;
  int out = -1;  // the child's stdout
  int err = -1;  // the child's stderr
};

Child spawn(const std::vector<std::string>& argv, int stdin_fd) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) fail("pipe");
  Child child;
  child.pid = fork();
  if (child.pid < 0) fail("fork");
  if (child.pid == 0) {
    if (stdin_fd >= 0) dup2(stdin_fd, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  child.out = out[0];
  child.err = err[0];
  return child;
}

// Reads from fd until `stop` says the text is complete, end of file, or the deadline.
std::string read_until(int fd, Clock::time_point deadline, bool (*stop)(const std::string&)) {
  std::string text;
  char buf[512];
  while (!stop(text)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) fail("timed out reading; got so far: " + text);
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

bool has_line(const std::string& t) { return t.find('\n') != std::string::npos; }
bool never(const std::string&) { return false; }

// Waits for the child to end (killing it at the deadline) and returns its wait status.
int finish(const Child& child, std::string* out, std::string* err) {
  auto deadline = Clock::now() + kDeadline;
  if (out) *out += read_until(child.out, deadline, never);
  if (err) *err += read_until(child.err, deadline, never);
  int status = 0;
  while (waitpid(child.pid, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      kill(child.pid, SIGKILL);
      fail("the example did not stop by itself");
    }
    std::this_thread::sleep_for(10ms);
  }
  return status;
}

void expect_clean_exit(int status, const std::string& out, const std::string& err) {
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("bad exit (status " + std::to_string(status) + "); stdout: " + out + " stderr: " + err);
}

// How the examples name the backend they ran on: the one the driver asked for.
std::string method_in_use() {
  return std::string("(method ") + std::getenv("REFLOOP_BACKEND") + ")";
}

void expect_contains(const std::string& text, const std::string& wanted) {
  if (text.find(wanted) == std::string::npos) fail("missing \"" + wanted + "\" in: " + text);
}

int connect_to(const std::string& banner) {
  auto at = banner.find("port ");
  if (at == std::string::npos) fail("no port in banner: " + banner);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(banner.substr(at + 5))));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    fail("connect to the example");
  return fd;
}

void send_all(int fd, const std::string& text) {
  if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) fail("write");
}

// Example 1: the input arrives in pieces through a pipe and must come out unchanged.
void run_stdin(const std::string& program) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) fail("pipe");
  Child child = spawn({program}, in[0]);
  close(in[0]);
  std::string sent;
  for (int piece = 0; piece < 4; ++piece) {
    std::string line = "piece " + std::to_string(piece) + ": the quick brown fox jumps\n";
    send_all(in[1], line);
    sent += line;
    std::this_thread::sleep_for(20ms);
  }
  close(in[1]);
  std::string out, err;
  expect_clean_exit(finish(child, &out, &err), out, err);
  if (out != sent) fail("stdout differs from the input: " + out);
  expect_contains(err, "stdin_reader: " + std::to_string(sent.size()) + " bytes");
  expect_contains(err, method_in_use());
}

// Example 2: three clients send different amounts; each connection's size is reported.
void run_accept(const std::string& program) {
  Child child = spawn({program, "3"}, -1);
  std::string out = read_until(child.out, Clock::now() + kDeadline, has_line);
  for (int i = 1; i <= 3; ++i) {
    int fd = connect_to(out);
    send_all(fd, std::string(static_cast<size_t>(100 * i), 'x'));
    close(fd);
  }
  std::string err;
  expect_clean_exit(finish(child, &out, &err), out, err);
  for (const char* size : {"100", "200", "300"})
    expect_contains(out, std::string("closed after ") + size + " bytes");
  expect_contains(out, "served 3 connections " + method_in_use());
}

// Milliseconds from `since` until the server closes `fd` (read returns 0).
long ms_until_closed(int fd, Clock::time_point since) {
  std::string rest = read_until(fd, Clock::now() + kDeadline, never);
  if (!rest.empty()) fail("the idle server sent data");
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

// Example 3: a quiet client is closed after the idle time, a chatty one only after it goes quiet.
void run_idle(const std::string& program) {
  constexpr long idle_ms = 1000;  // far above the 100 ms between the chatty client's words
  Child child = spawn({program, "2", std::to_string(idle_ms)}, -1);
  std::string out = read_until(child.out, Clock::now() + kDeadline, has_line);
  int quiet = connect_to(out);
  int chatty = connect_to(out);
  auto quiet_since = Clock::now();
  Clock::time_point last_word;
  for (int i = 0; i < 12; ++i) {  // 12 x 100 ms: longer than idle_ms in total
    last_word = Clock::now();
    send_all(chatty, "still here\n");
    std::this_thread::sleep_for(100ms);
  }
  long quiet_ms = ms_until_closed(quiet, quiet_since);
  long chatty_ms = ms_until_closed(chatty, last_word);
  if (quiet_ms < idle_ms || chatty_ms < idle_ms)
    fail("closed early: " + std::to_string(quiet_ms) + " / " + std::to_string(chatty_ms) + " ms");
  close(quiet);
  close(chatty);
  std::string err;
  expect_clean_exit(finish(child, &out, &err), out, err);
  expect_contains(out, "connection 1: idle, closed by the server");
  expect_contains(out, "connection 2: idle, closed by the server");
  expect_contains(out, "served 2 connections " + method_in_use());
}

// Example 4: the handler sees the message, returns, and the process aborts all the same.
void run_fatal(const std::string& program) {
  Child child = spawn({program}, -1);
  std::string out, err;
  int status = finish(child, &out, &err);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
    fail("expected SIGABRT, got status " + std::to_string(status) + "; stderr: " + err);
  expect_contains(err, "fatal_handler: ivykis says: iv_fd_register: called with invalid fd -1");
  if (err.find("returned") != std::string::npos) fail("iv_fd_register returned: " + err);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) fail("usage: run_example {stdin|accept|idle|fatal} PROGRAM");
  signal(SIGPIPE, SIG_IGN);
  const std::string mode = argv[1];
  for (std::string_view backend : refloop::compiled_backends()) {
    setenv("REFLOOP_BACKEND", std::string(backend).c_str(), 1);
    if (mode == "stdin") run_stdin(argv[2]);
    else if (mode == "accept") run_accept(argv[2]);
    else if (mode == "idle") run_idle(argv[2]);
    else if (mode == "fatal") run_fatal(argv[2]);
    else fail("unknown mode " + mode);
    std::printf("run_example: %s on %s: ok\n", mode.c_str(), std::string(backend).c_str());
  }
  return 0;
}
