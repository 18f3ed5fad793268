// SPDX-License-Identifier: ISC
// The OS-interface suite's case interpreter (os_case.hpp; the case format:
// conformance/os/README.md): reading lines, the world the calls are made on, the checks of what
// a call returned, and the emulators' knobs. The calls themselves: os_case_bsd_linux.cpp (kqueue,
// epoll, poll) and os_case_devpoll_port.cpp (/dev/poll, event ports).
#include "os_case.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>

#include "os_case_interpreter.hpp"

namespace refloop::os_suite {

namespace interpreter {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view piece = text.substr(start, end - start);
    while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t')) piece.remove_prefix(1);
    while (!piece.empty() && (piece.back() == ' ' || piece.back() == '\t' || piece.back() == '\r')) piece.remove_suffix(1);
    if (!piece.empty()) pieces.emplace_back(piece);
    start = end + 1;
  }
  return pieces;
}

namespace {

const std::map<std::string, int>& errno_names() {
  static const std::map<std::string, int> names = {
      {"EACCES", EACCES}, {"EBADF", EBADF},   {"EEXIST", EEXIST}, {"EFAULT", EFAULT},
      {"EINTR", EINTR},   {"EINVAL", EINVAL}, {"ENOENT", ENOENT}, {"ENOMEM", ENOMEM},
      {"EPERM", EPERM},   {"ESRCH", ESRCH},   {"ENOTCAPABLE", 93},
#if defined(ETIME)
      {"ETIME", ETIME},  // port_get(3C)
#endif
#if defined(EBADFD)
      {"EBADFD", EBADFD},  // port_associate(3C)
#endif
  };
  return names;
}

}  // namespace

std::string errno_name(long value) {
  for (const auto& [name, number] : errno_names())
    if (number == value) return name;
  return std::to_string(value);
}

long number(std::string_view text) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    const auto name = errno_names().find(std::string(text));
    if (name == errno_names().end()) throw Failed("not a number or errno name: " + std::string(text));
    return name->second;
  }
  return value;
}

std::set<std::string> poll_flags(unsigned bits) {
  std::set<std::string> flags;
  if (bits & POLLIN) flags.insert("in");
  if (bits & POLLOUT) flags.insert("out");
  if (bits & POLLERR) flags.insert("err");
  if (bits & POLLHUP) flags.insert("hup");
  if (bits & POLLNVAL) flags.insert("nval");
#if defined(POLLRDHUP)
  if (bits & POLLRDHUP) flags.insert("rdhup");
#endif
  return flags;
}

std::string poll_mask_text(unsigned bits) {
  std::string text;
  for (const std::string& flag : poll_flags(bits)) text += (text.empty() ? "" : "|") + flag;
  return text.empty() ? "none" : text;
}

short poll_bits(std::string_view words) {
  std::string commas(words);
  for (char& c : commas)
    if (c == '|') c = ',';
  short bits = 0;
  for (const std::string& word : split(commas, ',')) {
    if (word == "in") bits |= POLLIN;
    else if (word == "out") bits |= POLLOUT;
    else if (word == "hup") bits |= POLLHUP;
    else if (word == "err") bits |= POLLERR;
#if defined(POLLRDHUP)
    else if (word == "rdhup") bits |= POLLRDHUP;
#endif
    else if (word != "none") throw Failed("unknown poll event: " + word);
  }
  return bits;
}

std::string Entry::text() const {
  std::string out = fd + (kind.empty() ? "" : " " + kind);
  for (const auto& flag : flags) out += " " + flag;
  if (data) out += " data=" + *data;
  for (const auto& [name, value] : attributes) out += " " + name + "=" + value;
  return out;
}

namespace {

bool matches(const Entry& expected, const Entry& actual) {
  if (expected.fd != actual.fd || expected.kind != actual.kind || expected.flags != actual.flags) return false;
  for (const auto& [name, value] : expected.attributes) {
    const auto found = actual.attributes.find(name);
    if (found == actual.attributes.end() || found->second != value) return false;
  }
  if (!expected.data) return true;
  if (!actual.data) return false;
  const long got = std::strtol(actual.data->c_str(), nullptr, 10);
  if (*expected.data == ">0") return got > 0;
  return number(*expected.data) == got;
}

Entry entry_of(const std::vector<std::string>& words) {
  Entry entry;
  entry.fd = words[1];
  for (std::size_t i = 2; i < words.size(); ++i) {
    const std::string& word = words[i];
    const auto equals = word.find('=');
    if (word.rfind("data=", 0) == 0) entry.data = word.substr(5);
    else if (word == "data>0") entry.data = ">0";
    else if (equals != std::string::npos && equals > 0) entry.attributes[word.substr(0, equals)] = word.substr(equals + 1);
    else if (word == "read" || word == "write" || word[0] == '-') entry.kind = word;
    else entry.flags.insert(word);
  }
  // An events mask is compared in its one spelling, whatever order the case wrote it in.
  if (const auto events = entry.attributes.find("events"); events != entry.attributes.end())
    events->second = poll_mask_text(static_cast<unsigned short>(poll_bits(events->second)));
  return entry;
}

bool is_call(const std::string& word) {
  static const std::set<std::string> calls = {
      "kqueue", "kevent", "epoll", "epoll_ctl", "epoll_wait", "poll", "open", "dpwrite", "ioctl",
      "port_create", "port_associate", "port_dissociate", "port_getn", "port_get", "port_send"};
  return calls.count(word) != 0;
}

}  // namespace

Expected expected_of(const std::string& expect) {
  Expected expected;
  bool have_result = false;
  for (const std::string& word : split(expect, ' ')) {
    const auto equals = word.find('=');
    if (equals != std::string::npos && equals > 0) expected.attributes[word.substr(0, equals)] = word.substr(equals + 1);
    else if (!have_result) expected.result = number(word), have_result = true;
    else if (!expected.error) expected.error = static_cast<int>(number(word));
    else throw Failed("too many words after =>: " + expect);
  }
  if (!have_result) throw Failed("a call needs an expected result (=> N)");
  return expected;
}

Interpreter::~Interpreter() {
  for (const auto& [name, fd] : fds_) column_.sys.fd->close(fd);
}

void Interpreter::needs(bool present, const char* interface) const {
  if (!present) throw NotApplicable(std::string("the column has no ") + interface);
}

// "p.r" (a live or closed name) or "@N" (a number no case created, such as one that is not open).
int Interpreter::descriptor(const std::string& word) const {
  if (!word.empty() && word[0] == '@') {
    const long value = number(word.substr(1));
    if (value < -1 || value > 1'000'000) throw Failed("fd number out of range: " + word);
    return static_cast<int>(value);
  }
  if (const auto found = fds_.find(word); found != fds_.end()) return found->second;
  if (const auto found = closed_.find(word); found != closed_.end()) return found->second;
  throw Failed("no fd named " + word);
}

std::string Interpreter::name_of(std::uintptr_t number) const {
  for (const auto* names : {&fds_, &closed_})
    for (const auto& [name, fd] : *names)
      if (static_cast<std::uintptr_t>(fd) == number) return name;
  return "@" + std::to_string(number);
}

void Interpreter::add_fd(const std::string& name, int number) {
  if (number < 0) throw Failed("could not create " + name);
  if (fds_.count(name) != 0 || closed_.count(name) != 0) {
    column_.sys.fd->close(number);
    throw Failed("fd name used twice: " + name);
  }
  fds_[name] = number;
}

void Interpreter::line(const std::string& raw) {
  const std::string text = raw.substr(0, raw.find('#'));
  const auto arrow = text.find("=>");
  const std::string body = text.substr(0, arrow);
  const std::string expect = arrow == std::string::npos ? "" : text.substr(arrow + 2);
  const std::vector<std::string> words = split(body, ' ');
  if (words.empty()) return;
  if (words[0] == "event" || words[0] == "revents") {
    if (words.size() < 2) throw Failed("an entry needs an fd: " + raw);
    expected_.push_back(entry_of(words));
    return;
  }
  check_entries();
  const std::string rest = body.substr(body.find(words[0]) + words[0].size());
  if (is_call(words[0])) call(words[0], rest, expect);
  else world(words);
}

// The world: fds the calls are made on, and what happens to them between calls.
void Interpreter::world(const std::vector<std::string>& words) {
  const std::string& verb = words[0];
  if (words.size() < 2) throw Failed("missing operand: " + verb);
  const std::string& target = words[1];
  const long amount = words.size() > 2 && verb != "renumber" ? number(words[2]) : 0;
  if (amount < 0 || amount > 65536) throw Failed("amount out of range");
  if (verb == "pipe" || verb == "socketpair") {
    int ends[2];
    const bool pipe = verb == "pipe";
    if ((pipe ? ::pipe(ends) : ::socketpair(AF_UNIX, SOCK_STREAM, 0, ends)) != 0) throw Failed(verb + " failed");
    for (int end : ends) ::fcntl(end, F_SETFL, O_NONBLOCK);  // a case's write never blocks
    add_fd(target + (pipe ? ".r" : ".a"), ends[0]);
    add_fd(target + (pipe ? ".w" : ".b"), ends[1]);
  } else if (verb == "file") {
    char path[] = "/tmp/refloop-os-case-XXXXXX";
    const int file = ::mkstemp(path);
    if (file >= 0) ::unlink(path);
    add_fd(target, file);
  } else if (verb == "write" || verb == "read") {
    std::string bytes(static_cast<std::size_t>(amount), 'x');
    const int number_of = fds_.count(target) != 0 ? fds_.at(target) : throw Failed("no open fd named " + target);
    const ssize_t done = verb == "write" ? ::write(number_of, bytes.data(), bytes.size())
                                         : ::read(number_of, bytes.data(), bytes.size());
    if (done < 0) throw Failed(verb + " " + target + " failed: " + std::strerror(errno));
    if (done != amount) throw Failed(verb + " " + target + " moved " + std::to_string(done) + " bytes");
  } else if (verb == "seek") {
    if (fds_.count(target) == 0 || ::lseek(fds_.at(target), amount, SEEK_SET) != amount) throw Failed("seek failed");
  } else if (verb == "close" || verb == "close-outside") {
    close_named(verb, target);
  } else if (verb == "renumber") {
    if (words.size() != 3) throw Failed("renumber NEW OLD");
    renumber(target, words[2]);
  } else {
    emulator_knob(words);
  }
}

// "close" goes through the column's fd table, which an emulator sees (spec/os.md OS-001);
// "close-outside" goes straight to the kernel, the fidelity gap. The name stays usable as the
// closed number.
void Interpreter::close_named(const std::string& verb, const std::string& target) {
  const auto found = fds_.find(target);
  if (found == fds_.end()) throw Failed("no open fd named " + target);
  const int number_of = found->second;
  fds_.erase(found);
  closed_[target] = number_of;
  if (verb == "close") column_.sys.fd->close(number_of);
  else ::close(number_of);
}

// "renumber n.r p.r": the open file n.r moves onto the number p.r had (closed by now), straight
// through the kernel, as a later open reusing the number would (OS-001, OS-210): the name n.r
// then stands for that number. A file that took the number by itself (the lowest free one) stays.
void Interpreter::renumber(const std::string& moved, const std::string& onto) {
  const auto from = fds_.find(moved);
  const auto to = closed_.find(onto);
  if (from == fds_.end() || to == closed_.end()) throw Failed("renumber an open fd onto a closed one's number");
  const int number_of = to->second;
  if (from->second == number_of) return;
  if (::fcntl(number_of, F_GETFD) >= 0) throw Failed("renumber: another file has the number");
  if (::dup2(from->second, number_of) != number_of) throw Failed("dup2 failed");
  ::close(from->second);
  from->second = number_of;
}

// Lines that drive an emulator (n/a on a native column, which cannot be steered on purpose),
// except closed_outside, the fidelity gap's explicit handling, which a native kernel needs not.
void Interpreter::emulator_knob(const std::vector<std::string>& words) {
  const std::string& verb = words[0];
  if (verb == "closed_outside") {
    const int number_of = descriptor(words[1]);
    if (column_.emulators != nullptr) column_.emulators->closed_outside(number_of);
    return;
  }
  if (verb != "interrupt" && verb != "knob") throw Failed("unknown line: " + verb);
  needs(column_.emulators != nullptr, "emulator knobs (a native kernel cannot be steered on purpose)");
  if (verb == "interrupt") {
    column_.emulators->readiness().interrupt_wait(static_cast<unsigned>(number(words[1])));
  } else if (words[1] == "time_out_next_getn") {
    column_.emulators->port().time_out_next_getn();
  } else if (words[1] == "keep_nget_on_etime") {
    column_.emulators->port().keep_nget_on_etime();
  } else {
    throw Failed("unknown knob: " + words[1]);
  }
}

void Interpreter::call(const std::string& name, const std::string& rest, const std::string& expect) {
  if (name == "kqueue" || name == "kevent") {
    needs(column_.sys.kqueue != nullptr, "kqueue");
    if (name == "kevent") return kevent_call(rest, expect);
    const std::vector<std::string> words = split(rest, ' ');
    if (words.empty()) throw Failed("kqueue needs a name");
    return add_fd(words[0], column_.sys.kqueue->kqueue());
  }
  if (name == "open" || name == "dpwrite" || name == "ioctl") return devpoll_call(name, rest, expect);
  if (name.rfind("port_", 0) == 0) return port_call(name, rest, expect);
  // epoll and poll are emulated nowhere: an emulated column leaves them to the native one.
  needs(column_.emulators == nullptr, "emulated epoll or poll");
  if (name == "poll") return poll_call(rest, expect);
  return epoll_call(name, rest, expect);
}

void Interpreter::check_result(long result, const std::string& expect) {
  const int error = errno;
  const Expected expected = expected_of(expect);
  if (result != expected.result)
    throw Failed("returned " + std::to_string(result) + (result < 0 ? " " + errno_name(error) : "") +
                 ", expected " + expect);
  if (expected.error && error != *expected.error)
    throw Failed("errno " + errno_name(error) + ", expected " + errno_name(*expected.error));
}

// Every expected entry must match a returned one of its own, and nothing else was returned.
void Interpreter::check_entries() {
  std::vector<Entry> left = actual_;
  for (const Entry& wanted : expected_) {
    auto found = left.begin();
    while (found != left.end() && !matches(wanted, *found)) ++found;
    if (found == left.end()) {
      std::string got;
      for (const Entry& entry : actual_) got += " [" + entry.text() + "]";
      throw Failed("no returned entry matches [" + wanted.text() + "]; returned:" + got);
    }
    left.erase(found);
  }
  if (!left.empty()) throw Failed("unexpected entry [" + left.front().text() + "]");
  actual_.clear();
  expected_.clear();
}

}  // namespace interpreter

Outcome run_case(std::string_view text, Column& column) {
  // A case may write to a pipe or socket whose other end it closed: write(2) then fails with
  // EPIPE, which fails the case; it must not end the runner (or a fuzz target) with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    interpreter::Interpreter interpreter(column);
    for (const std::string& line : interpreter::split(text, '\n')) interpreter.line(line);
    interpreter.finish();
    return {};
  } catch (const interpreter::NotApplicable& why) {
    return {Outcome::Result::not_applicable, why.what()};
  } catch (const std::exception& why) {
    return {Outcome::Result::fail, why.what()};
  }
}

Column native_column() { return Column{"native", kernel::native_syscalls(), nullptr}; }

Column emulated_column(os::Emulators& emulators) { return Column{"os~emu", emulators.table(), &emulators}; }

}  // namespace refloop::os_suite
