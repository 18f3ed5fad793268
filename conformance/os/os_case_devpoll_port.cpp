// SPDX-License-Identifier: ISC
// The OS-interface suite's calls of /dev/poll (poll(4D)) and event ports (port_create(3C),
// port_associate(3C), port_get(3C), port_send(3C)), through the seam's DevpollCalls and PortCalls tables: the
// system's own on illumos and Solaris, the emulators of model/os elsewhere (the case format:
// conformance/os/README.md; the interpreter: os_case_interpreter.hpp).
#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <cstdint>

#include "os_case_interpreter.hpp"
#include "refloop/kernel/devpoll.hpp"
#include "refloop/kernel/port.hpp"

namespace refloop::os_suite::interpreter {

namespace {

constexpr std::size_t most_entries = 64;

// The "key value" options after the first segment of a call line: "room 8", "timeout 0".
std::map<std::string, std::string> options_of(const std::vector<std::string>& segments) {
  std::map<std::string, std::string> options;
  for (std::size_t i = 1; i < segments.size(); ++i) {
    const std::vector<std::string> words = split(segments[i], ' ');
    if (words.size() != 2) throw Failed("an option is 'name value': " + segments[i]);
    options[words[0]] = words[1];
  }
  return options;
}

long option(const std::map<std::string, std::string>& options, const char* name, long otherwise) {
  const auto found = options.find(name);
  return found == options.end() ? otherwise : number(found->second);
}

// A timeout in nanoseconds ("none": no timeout; a negative number: an invalid timespec).
const timespec* timeout_of(const std::map<std::string, std::string>& options, timespec& storage) {
  const auto found = options.find("timeout");
  if (found != options.end() && found->second == "none") return nullptr;
  const long ns = found == options.end() ? 0 : number(found->second);
  storage = ns < 0 ? timespec{-1, 0} : timespec{ns / 1'000'000'000, ns % 1'000'000'000};
  return &storage;
}

}  // namespace

// "open /dev/poll d", "dpwrite d ...", "ioctl d DP_POLL ..." or "ioctl d DP_ISPOLLED FD".
void Interpreter::devpoll_call(const std::string& verb, const std::string& rest, const std::string& expect) {
  needs(column_.sys.devpoll != nullptr, "/dev/poll");
  if (verb == "dpwrite") return devpoll_write(rest, expect);
  if (verb == "ioctl") return devpoll_ioctl(rest, expect);
  const std::vector<std::string> words = split(rest, ' ');
  if (words.size() != 2) throw Failed("open /dev/poll NAME");
  add_fd(words[1], column_.sys.devpoll->open(words[0].c_str(), O_RDWR));
}

// "dpwrite d p.r in|out, p.w remove, @-1 in ; bytes N => R [ERRNO]": one write(2) of the
// entries (POLLREMOVE for "remove"); R counts whole entries, as the bytes written / sizeof(pollfd).
void Interpreter::devpoll_write(const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  const std::vector<std::string> head = split(segments.empty() ? "" : segments[0], ' ');
  if (head.empty()) throw Failed("dpwrite needs a /dev/poll fd");
  std::vector<pollfd> entries;
  for (const std::string& text : split(segments[0].substr(segments[0].find(head[0]) + head[0].size()), ',')) {
    const std::vector<std::string> words = split(text, ' ');
    if (words.size() != 2) throw Failed("a pollfd entry is: fd events|remove");
    const short events = words[1] == "remove" ? kernel::pollremove : poll_bits(words[1]);
    entries.push_back(pollfd{descriptor(words[0]), events, 0});
  }
  const std::size_t whole = entries.size() * sizeof(pollfd);
  const long bytes = option(options_of(segments), "bytes", static_cast<long>(whole));
  if (bytes < 0 || static_cast<std::size_t>(bytes) > whole) throw Failed("bytes must be 0..the entries' size");
  const ssize_t written = column_.sys.devpoll->write(descriptor(head[0]), entries.empty() ? nullptr : entries.data(),
                                                     static_cast<std::size_t>(bytes));
  check_result(written < 0 ? written : written / static_cast<ssize_t>(sizeof(pollfd)), expect);
}

// "ioctl d DP_POLL ; room N ; timeout MS => R" (each returned pollfd becomes "revents FD ...
// events=MASK"), or "ioctl d DP_ISPOLLED FD => 1|0" (the cached mask in revents, events=none).
void Interpreter::devpoll_ioctl(const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  const std::vector<std::string> head = split(segments.empty() ? "" : segments[0], ' ');
  if (head.size() < 2) throw Failed("ioctl FD DP_POLL|DP_ISPOLLED ...");
  const int set = descriptor(head[0]);
  if (head[1] == "DP_ISPOLLED") {
    if (head.size() != 3) throw Failed("ioctl d DP_ISPOLLED FD");
    pollfd query{descriptor(head[2]), 0, 0};
    const int result = column_.sys.devpoll->ioctl(set, kernel::dp_ispolled, &query);
    check_result(result, expect);
    if (result == 1)
      actual_.push_back(Entry{head[2], "", poll_flags(static_cast<unsigned short>(query.revents)), std::nullopt,
                              {{"events", poll_mask_text(static_cast<unsigned short>(query.events))}}});
    return;
  }
  if (head[1] != "DP_POLL" || head.size() != 2) throw Failed("ioctl d DP_POLL ; room N ; timeout MS");
  const auto options = options_of(segments);
  const long room = option(options, "room", 8);
  const long timeout = option(options, "timeout", 0);
  if (room < -1 || room > static_cast<long>(most_entries) || timeout < -1 || timeout > 1000)
    throw Failed("room -1..64, timeout -1..1000 ms");
  std::vector<pollfd> results(most_entries, pollfd{-1, 0, 0});
  kernel::dvpoll request{results.data(), static_cast<int>(room), static_cast<int>(timeout)};
  const int result = column_.sys.devpoll->ioctl(set, kernel::dp_poll, &request);
  check_result(result, expect);
  for (int i = 0; i < result; ++i) {
    const pollfd& entry = results[static_cast<std::size_t>(i)];
    actual_.push_back(Entry{name_of(static_cast<std::uintptr_t>(entry.fd)), "",
                            poll_flags(static_cast<unsigned short>(entry.revents)), std::nullopt,
                            {{"events", poll_mask_text(static_cast<unsigned short>(entry.events))}}});
  }
}

// "port_create P", "port_associate P FD EVENTS [; user N] [; source N] => R [ERRNO]",
// "port_dissociate P FD [; source N] => R [ERRNO]", "port_getn P ; ...".
void Interpreter::port_call(const std::string& verb, const std::string& rest, const std::string& expect) {
  needs(column_.sys.port != nullptr, "event ports");
  const std::vector<std::string> segments = split(rest, ';');
  const std::vector<std::string> head = split(segments.empty() ? "" : segments[0], ' ');
  if (head.empty()) throw Failed(verb + " needs a port");
  if (verb == "port_create") return add_fd(head[0], column_.sys.port->port_create());
  if (verb == "port_getn") return port_getn(rest, expect);
  if (verb == "port_get") return port_get(rest, expect);
  const auto options = options_of(segments);
  if (verb == "port_send" && head.size() == 2) {
    const auto user = static_cast<std::uintptr_t>(option(options, "user", 0));
    return check_result(column_.sys.port->port_send(descriptor(head[0]), static_cast<int>(number(head[1])),
                                                    reinterpret_cast<void*>(user)),
                        expect);
  }
  const int source = static_cast<int>(option(options, "source", kernel::port_source_fd));
  if (verb == "port_associate" && head.size() == 3) {
    const auto user = static_cast<std::uintptr_t>(option(options, "user", 0));
    return check_result(column_.sys.port->port_associate(descriptor(head[0]), source,
                                                         static_cast<std::uintptr_t>(descriptor(head[1])),
                                                         poll_bits(head[2]), reinterpret_cast<void*>(user)),
                        expect);
  }
  if (verb == "port_dissociate" && head.size() == 2)
    return check_result(column_.sys.port->port_dissociate(descriptor(head[0]), source,
                                                          static_cast<std::uintptr_t>(descriptor(head[1]))),
                        expect);
  throw Failed("port_associate P FD EVENTS, port_dissociate P FD, port_send P N, port_get P ; ..., port_getn P ; ...");
}

// "port_getn P ; max N ; nget N|null ; timeout NS|none|-1 [; list null] => R [ERRNO] [nget=N]":
// each event written to the list becomes "event FD EVENTS user=N source=fd". The list is
// pre-marked with source 0, so what was written is seen whatever *nget says (OS-311).
void Interpreter::port_getn(const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  const auto options = options_of(segments);
  const long max = option(options, "max", 8);
  const bool null_nget = options.count("nget") != 0 && options.at("nget") == "null";
  const long nget_given = null_nget ? 0 : option(options, "nget", 1);
  const bool null_list = options.count("list") != 0 && options.at("list") == "null";
  if (max < 0 || max > static_cast<long>(most_entries) || nget_given < 0 || nget_given > 1000)
    throw Failed("max 0..64, nget 0..1000");
  std::vector<kernel::port_event> list(most_entries, kernel::port_event{});
  unsigned nget = static_cast<unsigned>(nget_given);
  timespec storage{};
  const int result = column_.sys.port->port_getn(descriptor(split(segments[0], ' ').at(0)),
                                                 null_list ? nullptr : list.data(), static_cast<unsigned>(max),
                                                 null_nget ? nullptr : &nget, timeout_of(options, storage));
  const int error = errno;
  const Expected expected = expected_of(expect);
  errno = error;
  check_result(result, expect);
  if (const auto wanted = expected.attributes.find("nget"); wanted != expected.attributes.end())
    if (static_cast<long>(nget) != number(wanted->second))
      throw Failed("nget is " + std::to_string(nget) + ", expected " + wanted->second);
  for (const kernel::port_event& event : list) port_entry(event);
}

// "port_get P ; timeout NS|none|-1 [; event null] => R [ERRNO]": the event, if one was written
// (pre-marked with source 0, so an untouched one shows nothing; OS-312).
void Interpreter::port_get(const std::string& rest, const std::string& expect) {
  const std::vector<std::string> segments = split(rest, ';');
  const auto options = options_of(segments);
  const bool null_event = options.count("event") != 0 && options.at("event") == "null";
  kernel::port_event event{};
  timespec storage{};
  check_result(column_.sys.port->port_get(descriptor(split(segments[0], ' ').at(0)), null_event ? nullptr : &event,
                                          timeout_of(options, storage)),
               expect);
  port_entry(event);
}

// A written port_event as an entry: "FD EVENTS user=N source=fd" for PORT_SOURCE_FD, "user sent=N
// user=N source=user" for PORT_SOURCE_USER (its events are the sender's number, not poll bits).
void Interpreter::port_entry(const kernel::port_event& event) {
  if (event.portev_source == 0) return;
  const std::string user = std::to_string(reinterpret_cast<std::uintptr_t>(event.portev_user));
  if (event.portev_source == kernel::port_source_user) {
    actual_.push_back(Entry{"user", "", {}, std::nullopt,
                            {{"sent", std::to_string(event.portev_events)}, {"user", user}, {"source", "user"}}});
    return;
  }
  const bool fd_source = event.portev_source == kernel::port_source_fd;
  actual_.push_back(Entry{name_of(event.portev_object), "", poll_flags(static_cast<unsigned>(event.portev_events)),
                          std::nullopt, {{"user", user}, {"source", fd_source ? "fd" : std::to_string(event.portev_source)}}});
}

}  // namespace refloop::os_suite::interpreter
