// SPDX-License-Identifier: ISC
// The OS-interface suite's case interpreter (os_case.hpp; the case format: conformance/os/README.md).
#include "os_case.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

#include "refloop/kernel/kqueue.hpp"
#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
#include <sys/epoll.h>
#endif

namespace refloop::os_suite {

using namespace refloop::kernel;  // struct kevent and its constants, native or refloop's own

namespace {

struct Failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct NotApplicable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

const std::map<std::string, int>& errno_names() {
  static const std::map<std::string, int> names = {
      {"EACCES", EACCES}, {"EBADF", EBADF}, {"EEXIST", EEXIST}, {"EFAULT", EFAULT},
      {"EINTR", EINTR},   {"EINVAL", EINVAL}, {"ENOENT", ENOENT}, {"ENOMEM", ENOMEM},
      {"EPERM", EPERM},   {"ESRCH", ESRCH},  {"ENOTCAPABLE", 93}};
  return names;
}

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

// A returned entry (a kevent, an epoll_event, a pollfd's revents) or an expected one.
struct Entry {
  std::string fd;
  std::string kind;                // kqueue: read/write; empty for epoll and poll
  std::set<std::string> flags;     // EV_EOF, EV_ERROR, ... or in, out, err, hup, nval, rdhup
  std::optional<std::string> data; // expected: "3", "ENOENT", ">0"; actual: the number

  [[nodiscard]] std::string text() const {
    std::string out = fd + (kind.empty() ? "" : " " + kind);
    for (const auto& flag : flags) out += " " + flag;
    if (data) out += " data=" + *data;
    return out;
  }
};

bool matches(const Entry& expected, const Entry& actual) {
  if (expected.fd != actual.fd || expected.kind != actual.kind || expected.flags != actual.flags) return false;
  if (!expected.data) return true;
  const long got = std::strtol(actual.data->c_str(), nullptr, 10);
  if (*expected.data == ">0") return got > 0;
  return number(*expected.data) == got;
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

short poll_bits(std::string_view words) {
  short bits = 0;
  for (const std::string& word : split(words, ',')) {
    if (word == "in") bits |= POLLIN;
    else if (word == "out") bits |= POLLOUT;
#if defined(POLLRDHUP)
    else if (word == "rdhup") bits |= POLLRDHUP;
#endif
    else throw Failed("unknown poll event: " + word);
  }
  return bits;
}

class Interpreter {
 public:
  explicit Interpreter(Column& column) : column_(column) {}
  ~Interpreter() {
    for (const auto& [name, fd] : fds_) column_.sys.fd->close(fd);
  }
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  void line(const std::string& text);
  void finish() { check_entries(); }

 private:
  int fd(const std::string& name) const;
  std::string name_of(std::uintptr_t fd) const;
  void add_fd(const std::string& name, int fd);
  void world(const std::vector<std::string>& words);
  void call(const std::string& name, const std::string& rest, const std::string& expect);
  void check_result(long result, const std::string& expect);
  void check_entries();
  void kevent_call(const std::string& rest, const std::string& expect);
  void epoll_call(const std::string& verb, const std::string& rest, const std::string& expect);
  void poll_call(const std::string& rest, const std::string& expect);
  void needs(bool present, const char* interface) const;

  Column& column_;
  std::map<std::string, int> fds_;
  std::vector<Entry> actual_, expected_;
};

void Interpreter::needs(bool present, const char* interface) const {
  if (!present) throw NotApplicable(std::string("the column has no ") + interface);
}

int Interpreter::fd(const std::string& name) const {
  const auto found = fds_.find(name);
  if (found == fds_.end()) throw Failed("no fd named " + name);
  return found->second;
}

std::string Interpreter::name_of(std::uintptr_t number) const {
  for (const auto& [name, fd] : fds_)
    if (static_cast<std::uintptr_t>(fd) == number) return name;
  return "@" + std::to_string(number);
}

void Interpreter::add_fd(const std::string& name, int number) {
  if (number < 0) throw Failed("could not create " + name);
  if (fds_.count(name) != 0) throw Failed("fd name used twice: " + name);
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
    Entry entry;
    if (words.size() < 2) throw Failed("an entry needs an fd: " + raw);
    entry.fd = words[1];
    for (std::size_t i = 2; i < words.size(); ++i) {
      if (words[i].rfind("data=", 0) == 0) entry.data = words[i].substr(5);
      else if (words[i] == "data>0") entry.data = ">0";
      else if (words[i] == "read" || words[i] == "write" || words[i][0] == '-') entry.kind = words[i];
      else entry.flags.insert(words[i]);
    }
    expected_.push_back(entry);
    return;
  }
  check_entries();
  const std::string rest = body.substr(body.find(words[0]) + words[0].size());
  if (words[0] == "kqueue" || words[0] == "kevent" || words[0] == "epoll" || words[0] == "epoll_ctl" ||
      words[0] == "epoll_wait" || words[0] == "poll")
    call(words[0], rest, expect);
  else
    world(words);
}

// The world: fds the calls are made on, and what happens to them between calls.
void Interpreter::world(const std::vector<std::string>& words) {
  const std::string& verb = words[0];
  if (words.size() < 2) throw Failed("missing operand: " + verb);
  const std::string& target = words[1];
  const long amount = words.size() > 2 ? number(words[2]) : 0;
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
    const int number_of = fd(target);
    const ssize_t done = verb == "write" ? ::write(number_of, bytes.data(), bytes.size())
                                         : ::read(number_of, bytes.data(), bytes.size());
    if (done != amount) throw Failed(verb + " " + target + " moved " + std::to_string(done) + " bytes");
  } else if (verb == "seek") {
    if (::lseek(fd(target), amount, SEEK_SET) != amount) throw Failed("seek failed");
  } else if (verb == "close" || verb == "close-outside") {
    const int number_of = fd(target);
    fds_.erase(target);
    // "close" goes through the column's fd table, which an emulator sees (spec/os.md OS-001);
    // "close-outside" goes straight to the kernel.
    if (verb == "close") column_.sys.fd->close(number_of);
    else ::close(number_of);
  } else if (verb == "interrupt") {
    needs(column_.emulators != nullptr, "EINTR knob (a native column cannot be interrupted on purpose)");
    column_.emulators->readiness().interrupt_wait(static_cast<unsigned>(number(target)));
  } else {
    throw Failed("unknown line: " + verb);
  }
}

void Interpreter::call(const std::string& name, const std::string& rest, const std::string& expect) {
  const std::vector<std::string> words = split(rest, ' ');
  if (name == "kqueue" || name == "kevent") {
    needs(column_.sys.kqueue != nullptr, "kqueue");
    if (name == "kevent") return kevent_call(rest, expect);
    if (words.empty()) throw Failed("kqueue needs a name");
    add_fd(words[0], column_.sys.kqueue->kqueue());
    return;
  }
  // epoll and poll are emulated nowhere: an emulated column leaves them to the native one.
  needs(column_.emulators == nullptr, "emulated epoll or poll");
  if (name == "poll") return poll_call(rest, expect);
#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
  needs(column_.sys.epoll != nullptr, "epoll");
  return epoll_call(name, rest, expect);
#else
  needs(false, "epoll");
#endif
}

void Interpreter::check_result(long result, const std::string& expect) {
  const std::vector<std::string> words = split(expect, ' ');
  if (words.empty()) throw Failed("a call needs an expected result (=> N)");
  const int error = errno;
  if (result != number(words[0]))
    throw Failed("returned " + std::to_string(result) + (result < 0 ? " " + errno_name(error) : "") +
                 ", expected " + expect);
  if (words.size() > 1 && error != number(words[1]))
    throw Failed("errno " + errno_name(error) + ", expected " + words[1]);
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

unsigned short kevent_flag(const std::string& word) {
  static const std::map<std::string, unsigned short> flags = {
      {"add", EV_ADD},         {"delete", EV_DELETE},   {"enable", EV_ENABLE},
      {"disable", EV_DISABLE}, {"oneshot", EV_ONESHOT}, {"clear", EV_CLEAR},
      {"receipt", EV_RECEIPT}, {"dispatch", EV_DISPATCH}};
  const auto found = flags.find(word);
  if (found == flags.end()) throw Failed("unknown kevent flag: " + word);
  return found->second;
}

std::set<std::string> kevent_flag_names(unsigned short flags) {
  static const std::pair<unsigned short, const char*> named[] = {
      {EV_EOF, "EV_EOF"},         {EV_ERROR, "EV_ERROR"},       {EV_ONESHOT, "EV_ONESHOT"},
      {EV_CLEAR, "EV_CLEAR"},     {EV_DISPATCH, "EV_DISPATCH"}, {EV_RECEIPT, "EV_RECEIPT"}};
  std::set<std::string> names;
  for (const auto& [bit, name] : named)
    if (flags & bit) names.insert(name);
  return names;
}

// "kevent q add a.r read oneshot, delete a.w write ; room 8 ; timeout 0 => 1"
void Interpreter::kevent_call(const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  if (segments.empty()) throw Failed("kevent needs a kqueue");
  const std::vector<std::string> head = split(segments[0], ' ');
  const int kq = fd(head.at(0));
  std::vector<struct kevent> changes;
  for (const std::string& text : split(segments[0].substr(segments[0].find(head[0]) + head[0].size()), ',')) {
    const std::vector<std::string> words = split(text, ' ');
    if (words.size() < 3) throw Failed("a change is: op fd filter [flags]");
    struct kevent change {};
    change.ident = static_cast<std::uintptr_t>(words[1][0] == '@' ? number(words[1].substr(1)) : fd(words[1]));
    change.filter = static_cast<short>(words[2] == "read" ? EVFILT_READ : words[2] == "write" ? EVFILT_WRITE : number(words[2]));
    for (std::size_t i = 0; i < words.size(); ++i)
      if (i != 1 && i != 2) change.flags = static_cast<unsigned short>(change.flags | kevent_flag(words[i]));
    changes.push_back(change);
  }
  long room = 0;
  std::optional<timespec> timeout = timespec{0, 0};
  for (std::size_t i = 1; i < segments.size(); ++i) {
    const std::vector<std::string> words = split(segments[i], ' ');
    if (words.size() != 2) throw Failed("expected 'room N' or 'timeout NS|none': " + segments[i]);
    if (words[0] == "room") room = number(words[1]);
    else if (words[1] == "none") timeout.reset();
    else if (const long ns = number(words[1]); ns < 0) timeout = timespec{-1, 0};
    else timeout = timespec{ns / 1'000'000'000, ns % 1'000'000'000};
  }
  if (room < 0 || room > 64) throw Failed("room must be 0..64");
  struct kevent events[64] {};
  const int result = column_.sys.kqueue->kevent(kq, changes.data(), static_cast<int>(changes.size()),
                                                events, static_cast<int>(room), timeout ? &*timeout : nullptr);
  check_result(result, expect);
  for (int i = 0; i < result; ++i) {
    const struct kevent& event = events[i];
    const std::string kind = event.filter == EVFILT_READ ? "read" : event.filter == EVFILT_WRITE ? "write" : std::to_string(event.filter);
    actual_.push_back(Entry{name_of(event.ident), kind, kevent_flag_names(event.flags),
                            std::to_string(event.data)});
  }
}

// "poll a.r in, a.w out ; timeout 0 => 2"
void Interpreter::poll_call(const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  std::vector<pollfd> fds;
  std::vector<std::string> names;
  for (const std::string& text : split(segments.empty() ? "" : segments[0], ',')) {
    const std::vector<std::string> words = split(text, ' ');
    if (words.size() != 2) throw Failed("a poll entry is: fd events");
    fds.push_back(pollfd{words[0][0] == '@' ? static_cast<int>(number(words[0].substr(1))) : fd(words[0]), poll_bits(words[1]), 0});
    names.push_back(words[0]);
  }
  int timeout_ms = 0;
  if (segments.size() > 1) timeout_ms = static_cast<int>(number(split(segments[1], ' ').back()));
  if (timeout_ms < 0 || timeout_ms > 1000) throw Failed("a poll timeout is 0..1000 ms");
  const int result = column_.sys.poll->poll(fds.data(), fds.size(), timeout_ms);
  check_result(result, expect);
  for (std::size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents != 0) actual_.push_back(Entry{names[i], "", poll_flags(static_cast<unsigned short>(fds[i].revents)), std::nullopt});
}

#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
// "epoll e", "epoll_ctl e add a.r in,out => 0", "epoll_wait e ; room 8 ; timeout 0 => 1"
void Interpreter::epoll_call(const std::string& verb, const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  const std::vector<std::string> words = split(segments.empty() ? "" : segments[0], ' ');
  if (words.empty()) throw Failed(verb + " needs an epoll fd");
  if (verb == "epoll") return add_fd(words[0], column_.sys.epoll->epoll_create1(EPOLL_CLOEXEC));
  const int epfd = fd(words[0]);
  if (verb == "epoll_ctl") {
    if (words.size() < 3) throw Failed("epoll_ctl e add|mod|del fd [events]");
    const int op = words[1] == "add" ? EPOLL_CTL_ADD : words[1] == "mod" ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
    epoll_event event{};
    event.events = words.size() > 3 ? static_cast<std::uint32_t>(poll_bits(words[3])) : 0u;
    event.data.fd = fd(words[2]);
    return check_result(column_.sys.epoll->epoll_ctl(epfd, op, event.data.fd, &event), expect);
  }
  if (verb != "epoll_wait") throw Failed("unknown epoll call: " + verb);
  int room = 8, timeout_ms = 0;
  for (std::size_t i = 1; i < segments.size(); ++i) {
    const std::vector<std::string> option = split(segments[i], ' ');
    if (option.size() != 2) throw Failed("expected 'room N' or 'timeout MS'");
    (option[0] == "room" ? room : timeout_ms) = static_cast<int>(number(option[1]));
  }
  if (room < 1 || room > 64 || timeout_ms < 0 || timeout_ms > 1000) throw Failed("room 1..64, timeout 0..1000 ms");
  epoll_event events[64]{};
  const int result = column_.sys.epoll->epoll_wait(epfd, events, room, timeout_ms);
  check_result(result, expect);
  for (int i = 0; i < result; ++i)
    actual_.push_back(Entry{name_of(static_cast<std::uintptr_t>(events[i].data.fd)), "", poll_flags(events[i].events), std::nullopt});
}
#else
void Interpreter::epoll_call(const std::string&, const std::string&, const std::string&) { needs(false, "epoll"); }
#endif

}  // namespace

Outcome run_case(std::string_view text, Column& column) {
  try {
    Interpreter interpreter(column);
    for (const std::string& line : split(text, '\n')) interpreter.line(line);
    interpreter.finish();
    return {};
  } catch (const NotApplicable& why) {
    return {Outcome::Result::not_applicable, why.what()};
  } catch (const std::exception& why) {
    return {Outcome::Result::fail, why.what()};
  }
}

Column native_column() { return Column{"native", kernel::native_syscalls(), nullptr}; }

Column emulated_column(os::Emulators& emulators) { return Column{"os~emu", emulators.table(), &emulators}; }

}  // namespace refloop::os_suite
