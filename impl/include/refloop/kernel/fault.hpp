// SPDX-License-Identifier: ISC
// The fault table (spec/fault.md, FAULT-001): a kernel table (refloop/kernel/syscalls.hpp) that
// wraps any other and makes one planned call fail, in SQLite's countdown style: "the Nth call of
// S fails with errno E". Every other call passes through unchanged. A planned failure of close()
// still closes the fd first, as Linux's close(2) does whatever it reports; a planned EINTR of
// kevent still applies the changelist first, as kqueue(2) says an interrupted kevent has.
//
// Give `faults.table()` to a loop (LoopOptions::sys) or an iopause call; plan() arms a failure.
// deny() makes a call fail every time, as on a kernel that lacks it or under a seccomp filter
// (FAULT-007). The table only counts and forwards: it keeps no other state and is used from one
// thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "refloop/kernel/devpoll.hpp"
#include "refloop/kernel/port.hpp"
#include "refloop/kernel/kqueue.hpp"
#include "refloop/kernel/syscalls.hpp"

namespace refloop::kernel {

// One planned failure. `call` is a member name of the tables ("epoll_ctl", "ppoll", ...); `nth`
// counts that call's invocations from the moment the plan is armed, from 1.
struct Fault {
  std::string call;
  unsigned nth = 1;
  int error = 0;
};

class FaultCalls final : public PollCalls,
                         public FdCalls
#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
    ,
                         public EpollCalls
#endif
#if REFLOOP_KERNEL_HAS_TIMERFD_HEADER
    ,
                         public TimerfdCalls
#endif
    ,
                         public KqueueCalls
{
 public:
  explicit FaultCalls(const SysCalls& inner) : inner_(inner) {}
  FaultCalls(const FaultCalls&) = delete;
  FaultCalls& operator=(const FaultCalls&) = delete;

  // This wrapper in place of every interface `inner` has (null where it has none).
  [[nodiscard]] SysCalls table();

  // Arms `fault` (replacing any earlier plan) and restarts the counts. An empty plan (no call
  // named) makes nothing fail.
  void plan(Fault fault);
  // From now on every call of `call` fails with `error` (a planned failure of another call is
  // unaffected; plan() keeps the denials). Counted like any call.
  void deny(std::string call, int error);
  // Whether the planned failure has happened; how often `call` was made since the plan.
  [[nodiscard]] bool fired() const { return fired_; }
  [[nodiscard]] unsigned count(std::string_view call) const;

  int poll(pollfd* fds, nfds_t count, int timeout_ms) override;
  int ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) override;
  int select(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional,
             timeval* timeout) override;
  int fcntl(int fd, int command, int argument) override;
  int close(int fd) override;
  int getrlimit(int resource, rlimit* limit) override;
#if REFLOOP_KERNEL_HAS_EPOLL_HEADER
  int epoll_create1(int flags) override;
  int epoll_ctl(int epfd, int op, int fd, epoll_event* event) override;
  int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout_ms) override;
  int epoll_pwait2(int epfd, epoll_event* events, int max_events, const timespec* timeout,
                   const sigset_t* mask) override;
#endif
#if REFLOOP_KERNEL_HAS_TIMERFD_HEADER
  int timerfd_create(int clock_id, int flags) override;
  int timerfd_settime(int fd, int flags, const itimerspec* new_value, itimerspec* old_value) override;
#endif
  int kqueue() override;
  int kevent(int kq, const struct kevent* changes, int nchanges, struct kevent* events,
             int nevents, const timespec* timeout) override;
  // A fault table is as emulated as the table it wraps (spec/os.md, OS-003).
  [[nodiscard]] bool emulated() const override;

 private:
  // The /dev/poll and port interfaces each have their own emulated() (as other interfaces may),
  // so each is a small wrapper object rather than another base class; both count in this table.
  class DevpollFaults final : public DevpollCalls {
   public:
    explicit DevpollFaults(FaultCalls& table) : table_(table) {}
    int open(const char* path, int flags) override;
    ssize_t write(int fd, const void* buffer, std::size_t bytes) override;
    int ioctl(int fd, int request, dvpoll* arg) override;
    int ioctl(int fd, int request, pollfd* arg) override;
    [[nodiscard]] bool emulated() const override { return table_.inner_.devpoll->emulated(); }

   private:
    FaultCalls& table_;
  };
  class PortFaults final : public PortCalls {
   public:
    explicit PortFaults(FaultCalls& table) : table_(table) {}
    int port_create() override;
    int port_associate(int port, int source, std::uintptr_t object, int events,
                       void* user) override;
    int port_dissociate(int port, int source, std::uintptr_t object) override;
    int port_getn(int port, port_event* list, unsigned max, unsigned* nget,
                  const timespec* timeout) override;
    int port_get(int port, port_event* event, const timespec* timeout) override;
    int port_send(int port, int events, void* user) override;
    [[nodiscard]] bool emulated() const override { return table_.inner_.port->emulated(); }

   private:
    FaultCalls& table_;
  };

  // Counts the call; true (with errno set) when this is the planned failure.
  bool fails_now(std::string_view call);

  DevpollFaults devpoll_faults_{*this};
  PortFaults port_faults_{*this};
  SysCalls inner_;
  Fault fault_;
  bool armed_ = false;
  bool fired_ = false;
  std::map<std::string, unsigned, std::less<>> counts_;
  std::map<std::string, int, std::less<>> denied_;
};

}  // namespace refloop::kernel
