// SPDX-License-Identifier: ISC
// The OS-interface suite's calls of kqueue(2)/kevent(2), epoll(7) and poll(2) (the case format:
// conformance/os/README.md; the interpreter: os_case_interpreter.hpp).
#include <poll.h>

#include <cerrno>
#include <map>

#include "os_case_interpreter.hpp"
#include "refloop/kernel/kqueue.hpp"
#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
#include <sys/epoll.h>
#endif

namespace refloop::os_suite::interpreter {

using namespace refloop::kernel;  // struct kevent and its constants, native or refloop's own

namespace {
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

}  // namespace

// "kevent q add a.r read oneshot, delete a.w write ; room 8 ; timeout 0 => 1"
void Interpreter::kevent_call(const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  if (segments.empty()) throw Failed("kevent needs a kqueue");
  const std::vector<std::string> head = split(segments[0], ' ');
  const int kq = descriptor(head.at(0));
  std::vector<struct kevent> changes;
  for (const std::string& text : split(segments[0].substr(segments[0].find(head[0]) + head[0].size()), ',')) {
    const std::vector<std::string> words = split(text, ' ');
    if (words.size() < 3) throw Failed("a change is: op fd filter [flags]");
    struct kevent change {};
    change.ident = static_cast<std::uintptr_t>(descriptor(words[1]));
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
                            std::to_string(event.data), {}});
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
    fds.push_back(pollfd{descriptor(words[0]), poll_bits(words[1]), 0});
    names.push_back(words[0]);
  }
  int timeout_ms = 0;
  if (segments.size() > 1) timeout_ms = static_cast<int>(number(split(segments[1], ' ').back()));
  if (timeout_ms < 0 || timeout_ms > 1000) throw Failed("a poll timeout is 0..1000 ms");
  const int result = column_.sys.poll->poll(fds.data(), fds.size(), timeout_ms);
  check_result(result, expect);
  for (std::size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents != 0) actual_.push_back(Entry{names[i], "", poll_flags(static_cast<unsigned short>(fds[i].revents)), std::nullopt, {}});
}

#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
// "epoll e", "epoll_ctl e add a.r in,out => 0", "epoll_wait e ; room 8 ; timeout 0 => 1"
void Interpreter::epoll_call(const std::string& verb, const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  const std::vector<std::string> words = split(segments.empty() ? "" : segments[0], ' ');
  if (words.empty()) throw Failed(verb + " needs an epoll fd");
  if (verb == "epoll") return add_fd(words[0], column_.sys.epoll->epoll_create1(EPOLL_CLOEXEC));
  const int epfd = descriptor(words[0]);
  if (verb == "epoll_ctl") {
    if (words.size() < 3) throw Failed("epoll_ctl e add|mod|del fd [events]");
    const int op = words[1] == "add" ? EPOLL_CTL_ADD : words[1] == "mod" ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
    epoll_event event{};
    event.events = words.size() > 3 ? static_cast<std::uint32_t>(poll_bits(words[3])) : 0u;
    event.data.fd = descriptor(words[2]);
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
    actual_.push_back(Entry{name_of(static_cast<std::uintptr_t>(events[i].data.fd)), "", poll_flags(events[i].events), std::nullopt, {}});
}
#else
void Interpreter::epoll_call(const std::string&, const std::string&, const std::string&) { needs(false, "epoll"); }
#endif

}  // namespace refloop::os_suite::interpreter
