// SPDX-License-Identifier: ISC
// The OS-interface suite's case interpreter, inside (os_case.hpp is its face; the case format:
// conformance/os/README.md). One Interpreter runs one case: the world (fds and what happens to
// them between calls) in os_case.cpp, the calls of kqueue, epoll and poll in
// os_case_bsd_linux.cpp, those of /dev/poll and event ports in os_case_devpoll_port.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "os_case.hpp"
#include "refloop/kernel/port.hpp"

namespace refloop::os_suite::interpreter {

// A line the case got wrong, or an answer that differs from the expected one: the case fails.
struct Failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The column lacks what the case needs: the case is reported n/a, never passed.
struct NotApplicable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The non-empty, trimmed pieces of `text` between separators.
std::vector<std::string> split(std::string_view text, char separator);
// A decimal number, or an errno name (EINTR); Failed otherwise.
long number(std::string_view text);
std::string errno_name(long value);

// poll(2) event bits as words ("in", "out", "err", "hup", "nval", "rdhup") and back; a mask is
// written with '|' between words ("in|out") or "none", and read from either '|' or ','.
std::set<std::string> poll_flags(unsigned bits);
std::string poll_mask_text(unsigned bits);
short poll_bits(std::string_view words);

// A returned entry (a kevent, an epoll_event, a pollfd, a port_event) or an expected one.
struct Entry {
  std::string fd;
  std::string kind;                              // kqueue: read/write; empty elsewhere
  std::set<std::string> flags;                   // EV_EOF, ... or in, out, err, hup, nval, rdhup
  std::optional<std::string> data;               // expected: "3", "ENOENT", ">0"; actual: the number
  std::map<std::string, std::string> attributes; // events=in|out, user=7, source=fd: compared when expected

  [[nodiscard]] std::string text() const;
};

// What a call line expects after "=>": the result, its errno if given, and name=value checks of
// what the call wrote back (nget=1).
struct Expected {
  long result = 0;
  std::optional<int> error;
  std::map<std::string, std::string> attributes;
};
Expected expected_of(const std::string& expect);

class Interpreter {
 public:
  explicit Interpreter(Column& column) : column_(column) {}
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  void line(const std::string& text);
  void finish() { check_entries(); }

 private:
  // Descriptors by name: live ones, and closed ones (a call may still name a closed number).
  int descriptor(const std::string& word) const;
  std::string name_of(std::uintptr_t fd) const;
  void add_fd(const std::string& name, int fd);
  void world(const std::vector<std::string>& words);
  void emulator_knob(const std::vector<std::string>& words);
  void close_named(const std::string& verb, const std::string& target);
  void renumber(const std::string& moved, const std::string& onto);
  void call(const std::string& name, const std::string& rest, const std::string& expect);
  void check_result(long result, const std::string& expect);
  void check_entries();
  void needs(bool present, const char* interface) const;

  // os_case_bsd_linux.cpp
  void kevent_call(const std::string& rest, const std::string& expect);
  void epoll_call(const std::string& verb, const std::string& rest, const std::string& expect);
  void poll_call(const std::string& rest, const std::string& expect);
  // os_case_devpoll_port.cpp
  void devpoll_call(const std::string& verb, const std::string& rest, const std::string& expect);
  void devpoll_write(const std::string& rest, const std::string& expect);
  void devpoll_ioctl(const std::string& rest, const std::string& expect);
  void port_call(const std::string& verb, const std::string& rest, const std::string& expect);
  void port_getn(const std::string& rest, const std::string& expect);
  void port_get(const std::string& rest, const std::string& expect);
  void port_entry(const kernel::port_event& event);

  Column& column_;
  std::map<std::string, int> fds_;
  std::map<std::string, int> closed_;
  std::vector<Entry> actual_, expected_;
};

}  // namespace refloop::os_suite::interpreter
