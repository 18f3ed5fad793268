// SPDX-License-Identifier: ISC
// The contract between the loop core (impl/loop) and a readiness backend (spec/loop.md,
// BACKEND), modelled on ivykis's poll-method table: a name, a wait until an absolute deadline
// that reports ready fds to a sink, a lazy "the wanted bands changed" notification, a
// synchronous check for register_fd_try, an immediate "forget this fd", and teardown (the
// destructor). One file per backend (epoll.cpp, epoll_timerfd.cpp, poll.cpp, ppoll.cpp,
// select.cpp, kqueue.cpp, devpoll.cpp, port.cpp); registry.cpp lists them in preference order.
//
// The contract sees the fd object (refloop/loop/fd.hpp), never the loop's public API; the loop
// core implements ReadySink. Who owns what in refloop::detail::FdState:
//   core    owner, wanted_bands, ready_bands, ready_slot
//   backend registered_bands, and backend_area: its own per-fd state (backend_state<T> below),
//           zeroed by the core when the fd is registered, never read by the core
// The core changes wanted_bands and then calls notify(); a backend acts only when
// registered_bands != wanted_bands, so a notify that changes nothing costs no system call.
#pragma once

#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <vector>

#include "refloop/kernel/syscalls.hpp"
#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/fd.hpp"
#include "refloop/time/clock.hpp"
#include "refloop/time/tain.hpp"

namespace refloop::detail {

// The single upcall: a backend reports each ready fd once per poll, with its bands
// (band_in / band_out / band_err). An error or hangup condition reports all three.
class ReadySink {
 public:
  virtual void ready(Fd& fd, unsigned bands) = 0;

 protected:
  ~ReadySink() = default;
};

class Backend {
 public:
  virtual ~Backend() = default;  // teardown: closes kernel objects; registered fds are forgotten

  [[nodiscard]] virtual std::string_view name() const = 0;

  // Flushes pending updates, then waits until some watched fd is ready or the clock reaches
  // `deadline` (absolute; tain_infinite means no deadline), and reports ready fds to `sink`.
  // `stamp` is the loop's idea of now. The wait is the one wait path of
  // refloop/kernel/wait_plan.hpp (plan_wait(wait_deadline(deadline), stamp, clock), the native
  // timeout rounded UP to the backend's unit, finish_wait after the call), so it never ends early
  // and the clock hears about an idle wait in one place. EINTR ends the wait with nothing
  // reported.
  virtual void poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) = 0;

  // The fd's wanted_bands changed (or it was just registered). Lazy: the kernel is told at the
  // next poll at the latest; a kernel refusal at that point is fatal (FATAL-004).
  virtual void notify(Fd& fd) = 0;

  // Synchronous registration check for register_fd_try: makes the kernel watch the fd now (or,
  // with no bands wanted, checks that it could) and returns 0 or an errno value. On failure the
  // backend keeps no state for the fd.
  virtual int notify_sync(Fd& fd) = 0;

  // The fd is being unregistered (wanted_bands is already 0): drop every trace of it now,
  // because the caller may close or free it as soon as unregister_fd returns.
  virtual void forget(Fd& fd) = 0;

  // FD-009 through the backend's fd table: sets O_NONBLOCK and FD_CLOEXEC where missing (every
  // backend but a test's calls set_nonblocking_and_cloexec below). 0, or the errno of the fcntl
  // that failed (FAULT-008).
  virtual int prepare_flags(int fd) = 0;

  // A registration's first step (FD-020), before any fcntl: a backend that still holds a kernel
  // watch for this fd number from an earlier registration may make the one call the registration
  // costs anyway now, and when the kernel's answer proves the number still names the file refloop
  // prepared then, take the watch over and return true: the registration is complete (flags
  // included), nothing is queued. false: register as usual (the backend may have told the
  // kernel already; it then has nothing queued for the fd). A refusal of that call is the fatal
  // path when `error` is null (register_fd: the flush's refusal made early, FATAL-004), else
  // its errno in *error (register_fd_try, FAULT-003). The default has no such proof.
  virtual bool take_over(Fd& /*fd*/, int* /*error*/) { return false; }
};

// implements: FD-009 (O_NONBLOCK and FD_CLOEXEC, set only when missing, never restored), through
// the kernel seam so the fault table can fail each fcntl (FAULT-008). fd_flags.cpp.
int set_nonblocking_and_cloexec(kernel::FdCalls& calls, int fd);

// A backend's per-fd state, kept in the fd's backend_area: any small trivial type whose all-zero
// bytes mean "nothing yet" (the area is zeroed at registration; the unsigned char array provides
// storage in which such objects live implicitly).
template <class State>
State& backend_state(Fd& fd) {
  static_assert(std::is_trivially_copyable_v<State>);
  static_assert(std::is_trivially_default_constructible_v<State>);
  static_assert(sizeof(State) <= sizeof(fd.state.backend_area) && alignof(State) <= 8);
  return *std::launder(reinterpret_cast<State*>(fd.state.backend_area));
}

// The largest timespec a native timeout can take (time_t's largest second; IOPAUSE-015).
constexpr tain largest_timespec = tain::normalised(9'223'372'036'854'775'807u, 999'999'999);

// The loop's "no deadline" (tain_infinite) in the one encoding of the wait path (a null deadline).
inline const tain* wait_deadline(const tain& deadline) {
  return deadline >= tain_infinite ? nullptr : &deadline;
}

// registry.cpp: the names of the backends compiled in, in preference order (what
// refloop::compiled_backends() reports).
std::vector<std::string_view> backend_names();
// registry.cpp: a compiled backend's traits, or nullptr (what refloop::backend_traits reports).
const BackendTraits* traits_of(std::string_view name);

// registry.cpp: construction by name. make_backend returns
// nullptr when the name is unknown, not compiled in, `sys` lacks the interface it needs, or its
// kernel object cannot be created. A backend makes every system call through `sys`, whose tables
// must outlive it (refloop/kernel/syscalls.hpp).
std::unique_ptr<Backend> make_backend(std::string_view name, const kernel::SysCalls& sys);
// The same, fatal instead of nullptr (FATAL-005): the message, prefixed with `what` (the call and
// how the name was given), says whether the name is not compiled in or could not be created here,
// and lists the backends compiled in.
std::unique_ptr<Backend> make_backend_or_fatal(std::string_view what, std::string_view name,
                                               const kernel::SysCalls& sys);

// The default choice (BACKEND-00x): REFLOOP_BACKEND forces one (fatal if unavailable);
// otherwise the preference order, skipping names in IV_EXCLUDE_POLL_METHOD (ignored when
// getuid() != geteuid()). Fatal when nothing is left.
std::unique_ptr<Backend> choose_default_backend(const kernel::SysCalls& sys);

// One factory and one set of traits (refloop/loop/backend_traits.hpp) per backend file.
std::unique_ptr<Backend> make_epoll_backend(const kernel::SysCalls& sys);
extern const BackendTraits epoll_traits;
std::unique_ptr<Backend> make_epoll_timerfd_backend(const kernel::SysCalls& sys);
extern const BackendTraits epoll_timerfd_traits;
std::unique_ptr<Backend> make_poll_backend(const kernel::SysCalls& sys);
extern const BackendTraits poll_traits;
std::unique_ptr<Backend> make_ppoll_backend(const kernel::SysCalls& sys);
extern const BackendTraits ppoll_traits;
std::unique_ptr<Backend> make_select_backend(const kernel::SysCalls& sys);
extern const BackendTraits select_traits;
// devpoll.cpp and port.cpp: the native backend (on a native table only) and the emulated one
// (on an emulated table, or on its own emulator over the poll and fd tables given).
std::unique_ptr<Backend> make_devpoll_backend(const kernel::SysCalls& sys);
extern const BackendTraits devpoll_traits;
std::unique_ptr<Backend> make_emulated_devpoll_backend(const kernel::SysCalls& sys);
extern const BackendTraits devpoll_emulated_traits;
std::unique_ptr<Backend> make_port_backend(const kernel::SysCalls& sys);
extern const BackendTraits port_traits;
std::unique_ptr<Backend> make_emulated_port_backend(const kernel::SysCalls& sys);
extern const BackendTraits port_emulated_traits;
std::unique_ptr<Backend> make_kqueue_backend(const kernel::SysCalls& sys);  // where the OS has kqueue
extern const BackendTraits kqueue_traits;
std::unique_ptr<Backend> make_kqueue_emu_backend(const kernel::SysCalls& sys);
extern const BackendTraits kqueue_emu_traits;

}  // namespace refloop::detail
