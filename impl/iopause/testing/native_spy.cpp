// SPDX-License-Identifier: ISC
// The interposed poll, ppoll and select (see native_spy.hpp). Outside a NativeSpy's lifetime they
// forward straight to the C library.
#include "native_spy.hpp"

#include <dlfcn.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace refloop::testing {

namespace {

NativeSpy* active_spy = nullptr;

template <class Function>
Function real(const char* name) {
  void* symbol = dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) std::abort();  // a test binary without libc's poll cannot go on
  return reinterpret_cast<Function>(symbol);
}

bool fake(int& result) {
  if (active_spy == nullptr || active_spy->script.empty()) return false;
  const FakeAnswer answer = active_spy->script.front();
  active_spy->script.pop_front();
  result = answer.result;
  errno = answer.error;
  return true;
}

bool any_bit(const fd_set* set, int nfds) {
  if (set == nullptr) return false;
  for (int fd = 0; fd < nfds; ++fd) {
    if (FD_ISSET(fd, set)) return true;
  }
  return false;
}

}  // namespace

NativeSpy::NativeSpy() { active_spy = this; }
NativeSpy::~NativeSpy() { active_spy = nullptr; }

}  // namespace refloop::testing

using refloop::testing::active_spy;
using refloop::testing::NativeCall;
using refloop::testing::NativeKind;

extern "C" int poll(pollfd* fds, nfds_t n, int timeout) {
  if (active_spy != nullptr) {
    NativeCall call{NativeKind::poll};
    call.no_timeout = timeout < 0;
    call.poll_timeout = timeout;
    active_spy->calls.push_back(call);
  }
  int result = 0;
  if (refloop::testing::fake(result)) return result;
  static const auto next = refloop::testing::real<int (*)(pollfd*, nfds_t, int)>("poll");
  return next(fds, n, timeout);
}

extern "C" int ppoll(pollfd* fds, nfds_t n, const timespec* timeout, const sigset_t* mask) {
  if (active_spy != nullptr) {
    NativeCall call{NativeKind::ppoll};
    call.no_timeout = timeout == nullptr;
    if (timeout != nullptr) call.ppoll_timeout = *timeout;
    call.ppoll_sigmask = mask != nullptr;
    active_spy->calls.push_back(call);
  }
  int result = 0;
  if (refloop::testing::fake(result)) return result;
  using Ppoll = int (*)(pollfd*, nfds_t, const timespec*, const sigset_t*);
  static const auto next = refloop::testing::real<Ppoll>("ppoll");
  return next(fds, n, timeout, mask);
}

extern "C" int select(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds,
                      timeval* timeout) {
  if (active_spy != nullptr) {
    NativeCall call{NativeKind::select};
    call.no_timeout = timeout == nullptr;
    if (timeout != nullptr) call.select_timeout = *timeout;
    call.select_exceptfds = refloop::testing::any_bit(exceptfds, nfds);
    active_spy->calls.push_back(call);
  }
  int result = 0;
  if (refloop::testing::fake(result)) return result;
  using Select = int (*)(int, fd_set*, fd_set*, fd_set*, timeval*);
  static const auto next = refloop::testing::real<Select>("select");
  return next(nfds, readfds, writefds, exceptfds, timeout);
}
