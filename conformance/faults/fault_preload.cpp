// SPDX-License-Identifier: ISC
// The fault plan of spec/fault.md (FAULT-001: "the Nth call of S fails with errno E") as an
// LD_PRELOAD library, for implementations that do not go through refloop's kernel seam: Debian's
// libivykis and libskarnet, and refloop's C APIs beside them for comparison (ci/faults). It
// interposes the libc calls of the readiness loops and iopause, forwarding to the next definition
// (dlsym RTLD_NEXT), and makes the planned one fail once without reaching the kernel.
//
// Configured by the environment, read once at load:
//   REFLOOP_FAULT=CALL:N:ERRNO   e.g. epoll_ctl:2:ENOMEM (ERRNO by name or number)
//   REFLOOP_FAULT_SCOPE=child    count and fail only in processes forked after load, each from
//                                its own fork (the loop runners run each case in a child, and
//                                their parent must keep working); default: the whole process
//   REFLOOP_FAULT_LOG=FILE       appends "fired CALL N ERRNO" when the planned failure happens,
//                                so the driver can tell a case that never reached it
// Without REFLOOP_FAULT every call passes through.
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// The calls that can be planned; one counter each.
enum Call { epoll_create_call, epoll_create1_call, epoll_ctl_call, epoll_wait_call, epoll_pwait_call, epoll_pwait2_call,
            poll_call, ppoll_call, select_call, pselect_call, timerfd_settime_call, call_count };
constexpr const char* call_names[call_count] = {"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
                                                "epoll_pwait2", "poll", "ppoll", "select", "pselect",
                                                "timerfd_settime"};

struct ErrnoName {
  const char* name;
  int value;
};
constexpr ErrnoName errno_names[] = {{"EINTR", EINTR},   {"ENOMEM", ENOMEM}, {"EBADF", EBADF}, {"EINVAL", EINVAL},
                                     {"EFAULT", EFAULT}, {"EMFILE", EMFILE}, {"ENFILE", ENFILE}, {"ENOSPC", ENOSPC},
                                     {"EPERM", EPERM},   {"EEXIST", EEXIST}, {"ENOENT", ENOENT}, {"ELOOP", ELOOP}};

struct Plan {
  int call = -1;  // -1: nothing planned
  unsigned nth = 0;
  int error = 0;
  bool child_scope = false;
  const char* log = nullptr;
};

Plan plan;
std::atomic<bool> armed{false};
std::atomic<bool> fired{false};
std::atomic<unsigned> counts[call_count];

int errno_of(const char* text) {
  for (const ErrnoName& known : errno_names)
    if (std::strcmp(text, known.name) == 0) return known.value;
  return std::atoi(text);
}

// "CALL:N:ERRNO"; a malformed plan plans nothing (and says so on stderr).
Plan parse(const char* text) {
  Plan parsed;
  char call[32] = {};
  char error[32] = {};
  unsigned nth = 0;
  if (std::sscanf(text, "%31[a-z_0-9]:%u:%31[A-Z0-9]", call, &nth, error) != 3 || nth == 0) {
    std::fprintf(stderr, "fault preload: REFLOOP_FAULT=%s is not CALL:N:ERRNO; nothing planned\n", text);
    return parsed;
  }
  for (int i = 0; i < call_count; ++i)
    if (std::strcmp(call, call_names[i]) == 0) parsed.call = i;
  if (parsed.call < 0) std::fprintf(stderr, "fault preload: %s cannot be planned; nothing planned\n", call);
  parsed.nth = nth;
  parsed.error = errno_of(error);
  return parsed;
}

void restart_counts() {
  for (auto& count : counts) count.store(0);
}

void arm_in_child() {
  restart_counts();
  fired.store(false);
  armed.store(plan.call >= 0);
}

__attribute__((constructor)) void load_plan() {
  const char* text = std::getenv("REFLOOP_FAULT");
  if (text == nullptr) return;
  plan = parse(text);
  const char* scope = std::getenv("REFLOOP_FAULT_SCOPE");
  plan.child_scope = scope != nullptr && std::strcmp(scope, "child") == 0;
  plan.log = std::getenv("REFLOOP_FAULT_LOG");
  if (plan.child_scope) pthread_atfork(nullptr, nullptr, arm_in_child);
  else armed.store(plan.call >= 0);
}

void log_firing(Call call, unsigned nth) {
  if (plan.log == nullptr) return;
  const int fd = ::open(plan.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[96];
  const int n = std::snprintf(line, sizeof line, "fired %s %u %d\n", call_names[call], nth, plan.error);
  if (n > 0) {
    [[maybe_unused]] const auto written = ::write(fd, line, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

// Counts the call; true (errno set) when this is the planned failure.
bool fails_now(Call call) {
  if (!armed.load(std::memory_order_relaxed)) return false;
  const unsigned nth = counts[call].fetch_add(1) + 1;
  if (call != plan.call || nth != plan.nth || fired.exchange(true)) return false;
  log_firing(call, nth);
  errno = plan.error;
  return true;
}

// The next definition of `name` (libc's), looked up once.
template <class Function>
Function next(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int epoll_create(int size) {
  static const auto real = next<int (*)(int)>("epoll_create");
  return fails_now(epoll_create_call) ? -1 : real(size);
}

int epoll_create1(int flags) {
  static const auto real = next<int (*)(int)>("epoll_create1");
  return fails_now(epoll_create1_call) ? -1 : real(flags);
}

int epoll_ctl(int epfd, int op, int fd, epoll_event* event) {
  static const auto real = next<int (*)(int, int, int, epoll_event*)>("epoll_ctl");
  return fails_now(epoll_ctl_call) ? -1 : real(epfd, op, fd, event);
}

int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout) {
  static const auto real = next<int (*)(int, epoll_event*, int, int)>("epoll_wait");
  return fails_now(epoll_wait_call) ? -1 : real(epfd, events, max_events, timeout);
}

int epoll_pwait(int epfd, epoll_event* events, int max_events, int timeout, const sigset_t* mask) {
  static const auto real = next<int (*)(int, epoll_event*, int, int, const sigset_t*)>("epoll_pwait");
  return fails_now(epoll_pwait_call) ? -1 : real(epfd, events, max_events, timeout, mask);
}

// glibc 2.35 and later (Linux 5.11): refloop's epoll backend waits with it (BACKEND-012).
int epoll_pwait2(int epfd, epoll_event* events, int max_events, const timespec* timeout,
                 const sigset_t* mask) {
  static const auto real =
      next<int (*)(int, epoll_event*, int, const timespec*, const sigset_t*)>("epoll_pwait2");
  return fails_now(epoll_pwait2_call) ? -1 : real(epfd, events, max_events, timeout, mask);
}

int poll(pollfd* fds, nfds_t count, int timeout) {
  static const auto real = next<int (*)(pollfd*, nfds_t, int)>("poll");
  return fails_now(poll_call) ? -1 : real(fds, count, timeout);
}

int ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) {
  static const auto real = next<int (*)(pollfd*, nfds_t, const timespec*, const sigset_t*)>("ppoll");
  return fails_now(ppoll_call) ? -1 : real(fds, count, timeout, mask);
}

int select(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional, timeval* timeout) {
  static const auto real = next<int (*)(int, fd_set*, fd_set*, fd_set*, timeval*)>("select");
  return fails_now(select_call) ? -1 : real(nfds, readable, writable, exceptional, timeout);
}

int pselect(int nfds, fd_set* readable, fd_set* writable, fd_set* exceptional, const timespec* timeout,
            const sigset_t* mask) {
  static const auto real = next<int (*)(int, fd_set*, fd_set*, fd_set*, const timespec*, const sigset_t*)>("pselect");
  return fails_now(pselect_call) ? -1 : real(nfds, readable, writable, exceptional, timeout, mask);
}

int timerfd_settime(int fd, int flags, const itimerspec* value, itimerspec* old_value) {
  static const auto real = next<int (*)(int, int, const itimerspec*, itimerspec*)>("timerfd_settime");
  return fails_now(timerfd_settime_call) ? -1 : real(fd, flags, value, old_value);
}

}  // extern "C"
