// SPDX-License-Identifier: ISC
// The fd kinds of FD-016 as Linux makes them. Each recipe opens its fds in the probing child
// (which exits afterwards) and says, per step, what poll(2) answers for a polled kind (FD-018).
#include "fd_kinds.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace refloop::fdkinds {

namespace {

void put(int fd, const char* bytes = "x") { [[maybe_unused]] auto n = ::write(fd, bytes, std::char_traits<char>::length(bytes)); }
Stimulus writes_to(int fd, const char* bytes = "x", short settle = 0) { return {[fd, bytes] { put(fd, bytes); }, settle}; }
Stimulus closes(int fd, short settle = 0) { return {[fd] { ::close(fd); }, settle}; }

std::string temp_path(const char* what) {
  return (std::filesystem::temp_directory_path() / ("refloop-fd-kinds-" + std::to_string(::getpid()) + "-" + what)).string();
}

Subject regular_file() {
  const std::string path = temp_path("file");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ::unlink(path.c_str());
  return {fd, {{[fd] { [[maybe_unused]] auto n = ::pwrite(fd, "ab", 2, 0); }}}};
}

Subject memfd() {
  const int fd = ::memfd_create("refloop-fd-kinds", MFD_CLOEXEC);
  return {fd, {{[fd] { [[maybe_unused]] auto n = ::pwrite(fd, "ab", 2, 0); }}}};
}

Subject directory() { return {::open(std::filesystem::temp_directory_path().c_str(), O_RDONLY | O_DIRECTORY), {}}; }
Subject dev_null() { return {::open("/dev/null", O_RDWR), {}}; }

Subject pipe_end(bool read_end) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  if (read_end) return {fds[0], {writes_to(fds[1]), closes(fds[1])}};
  return {fds[1], {closes(fds[0])}};
}

Subject fifo_end(bool read_end) {
  const std::string path = temp_path("fifo");
  if (::mkfifo(path.c_str(), 0600) != 0) return {};
  const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  const int writer = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);  // a reader exists: no ENXIO
  ::unlink(path.c_str());
  if (reader < 0 || writer < 0) return {};
  if (read_end) return {reader, {writes_to(writer), closes(writer)}};
  return {writer, {closes(reader)}};
}

Subject unix_socket(int type) {
  int fds[2];
  if (::socketpair(AF_UNIX, type, 0, fds) != 0) return {};
  return {fds[0], {writes_to(fds[1]), closes(fds[1])}};
}

// A socket of `type` bound to 127.0.0.1 on a port the kernel picks; `address` receives where.
int loopback_socket(int type, sockaddr_in& address) {
  const int fd = ::socket(AF_INET, type, 0);
  address = sockaddr_in{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    return -1;
  return fd;
}

int connect_to(const sockaddr_in& address, int type) {
  const int fd = ::socket(AF_INET, type, 0);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return -1;
  return fd;
}

Subject tcp_listener() {
  sockaddr_in address{};
  const int listener = loopback_socket(SOCK_STREAM, address);
  if (listener < 0 || ::listen(listener, 4) != 0) return {};
  return {listener, {{[address] { connect_to(address, SOCK_STREAM); }, POLLIN}}};
}

Subject tcp_connected() {
  sockaddr_in address{};
  const int listener = loopback_socket(SOCK_STREAM, address);
  if (listener < 0 || ::listen(listener, 4) != 0) return {};
  const int peer = connect_to(address, SOCK_STREAM);
  const int accepted = peer < 0 ? -1 : ::accept(listener, nullptr, nullptr);
  if (accepted < 0) return {};
  return {accepted, {writes_to(peer, "x", POLLIN), closes(peer, POLLRDHUP)}};
}

Subject udp_socket() {
  sockaddr_in address{};
  const int fd = loopback_socket(SOCK_DGRAM, address);
  const int sender = connect_to(address, SOCK_DGRAM);
  if (fd < 0 || sender < 0) return {};
  return {fd, {writes_to(sender, "x", POLLIN)}};
}

Subject eventfd_counter() {
  const int fd = ::eventfd(0, EFD_CLOEXEC);
  return {fd, {{[fd] { [[maybe_unused]] auto n = ::eventfd_write(fd, 1); }}}};
}

Subject timerfd() {
  const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  const auto arm = [fd] {
    const itimerspec soon{{0, 0}, {0, 1}};
    ::timerfd_settime(fd, 0, &soon, nullptr);
  };
  return {fd, {{arm, POLLIN}}};
}

// The signal is blocked first, so raising it leaves it pending for the signalfd to report.
Subject signalfd_pending() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR2);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return {};
  return {::signalfd(-1, &mask, SFD_CLOEXEC), {{[] { ::raise(SIGUSR2); }, POLLIN}}};
}

Subject epoll_instance() {
  const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  int fds[2];
  if (epfd < 0 || ::pipe(fds) != 0) return {};
  const auto add_ready = [epfd, reader = fds[0], writer = fds[1]] {
    put(writer);
    epoll_event event{};
    event.events = EPOLLIN;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, reader, &event);
  };
  return {epfd, {{add_ready, POLLIN}}};
}

// A pty pair; the subject is the master or the slave, its stimuli come from the other side. A
// pty's data and hangup reach the other side through a kernel work queue, hence the settling.
Subject pty_end(bool master_end) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return {};
  const char* name = ::ptsname(master);
  const int slave = name == nullptr ? -1 : ::open(name, O_RDWR | O_NOCTTY);
  if (slave < 0) return {};
  const int subject = master_end ? master : slave, other = master_end ? slave : master;
  return {subject, {writes_to(other, "x\n", POLLIN), closes(other, POLLHUP)}};
}

std::vector<Step> steps(std::initializer_list<Step> list) { return list; }

std::vector<Kind> catalogue() {
  using enum FileClass;
  const auto reader_steps = steps({{"at once", "-"}, {"writer writes", "in"}, {"writer closes", "in out err"}});
  const auto writer_steps = steps({{"at once", "out"}, {"reader closes", "in out err"}});
  return {
      {"regular file", regular, steps({{"at once", ""}, {"2 bytes written", ""}}), false, regular_file},
      {"memfd", regular, steps({{"at once", ""}, {"2 bytes written", ""}}), true, memfd},
      {"directory", unpolled_other, steps({{"at once", ""}}), false, directory},
      {"/dev/null", unpolled_other, steps({{"at once", ""}}), false, dev_null},
      {"pipe, read end", polled, reader_steps, false, [] { return pipe_end(true); }},
      {"pipe, write end", polled, writer_steps, false, [] { return pipe_end(false); }},
      {"FIFO, read end", polled, reader_steps, false, [] { return fifo_end(true); }},
      {"FIFO, write end", polled, writer_steps, false, [] { return fifo_end(false); }},
      {"unix stream socket", polled, steps({{"at once", "out"}, {"peer writes", "in out"}, {"peer closes", "in out err"}}),
       false, [] { return unix_socket(SOCK_STREAM); }},
      // A datagram socket has no connection to hang up: its peer's close leaves it writable.
      {"unix datagram socket", polled, steps({{"at once", "out"}, {"peer sends", "in out"}, {"peer closes", "in out"}}),
       false, [] { return unix_socket(SOCK_DGRAM); }},
      {"TCP listening socket (loopback)", polled, steps({{"at once", "-"}, {"a client connects", "in"}}), false, tcp_listener},
      // The peer's close is a FIN: end of input (POLLRDHUP), not a hangup (no POLLHUP, tcp(7)).
      {"TCP connected socket (loopback)", polled,
       steps({{"at once", "out"}, {"peer sends", "in out"}, {"peer closes", "in out", true}}), false, tcp_connected},
      {"UDP socket (loopback)", polled, steps({{"at once", "out"}, {"a datagram arrives", "in out"}}), false, udp_socket},
      {"eventfd", polled, steps({{"at once", "out"}, {"counter written", "in out"}}), true, eventfd_counter},
      {"timerfd", polled, steps({{"at once", "-"}, {"timer expires", "in"}}), true, timerfd},
      {"signalfd", polled, steps({{"at once", "-"}, {"signal raised", "in"}}), true, signalfd_pending},
      {"epoll fd", polled, steps({{"at once", "-"}, {"a ready fd added to it", "in"}}), true, epoll_instance},
      {"pty master", polled, steps({{"at once", "out"}, {"slave writes a line", "in out"}, {"slave closes", "in out err"}}),
       false, [] { return pty_end(true); }},
      {"pty slave", polled, steps({{"at once", "out"}, {"master writes a line", "in out"}, {"master closes", "in out err"}}),
       false, [] { return pty_end(false); }},
  };
}

}  // namespace

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> all = catalogue();
  return all;
}

}  // namespace refloop::fdkinds
