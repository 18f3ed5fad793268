// SPDX-License-Identifier: ISC
// The skalibs-compatible iopause functions (spec/iopause.md, IOCOMPAT) over the C++ core
// (impl/iopause): each C function converts the C tain values, checks the pointers skalibs
// would dereference blindly, and calls the C++ implementation of the same name with a clock
// whose now() is the C API's tain_now (wall clock or stopwatch, as <skalibs/tai.h> selects) and
// which lets the kernel block for the whole wanted wait.
#include <cerrno>
#include <span>

#include "refloop/iopause/iopause.hpp"

#include <skalibs/iopause.h>
#include <skalibs/tai.h>

namespace {

// A C tain to the C++ one; a nanosecond field of 10^9 or more carries into the seconds.
refloop::tain from_c(const ::tain& t) { return refloop::tain::normalised(t.sec.x, t.nano); }

::tain to_c(const refloop::tain& t) {
  ::tain out{};
  out.sec.x = t.sec();
  out.nano = t.nano();
  return out;
}

// implements: IOCOMPAT-004. Time as the C API reads it.
class CompatClock final : public refloop::Clock {
 public:
  refloop::tain now() override {
    ::tain t{};
    (void)(*tain_now)(&t);
    return from_c(t);
  }
};

// A deadline without a stamp (skalibs would dereference the null stamp): -1 with EINVAL, and
// every revents zeroed, as on every -1 of the C++ functions (IOPAUSE-025).
int refuse_null_stamp(iopause_fd* x, unsigned int len) {
  for (unsigned int i = 0; x != nullptr && i < len; ++i) x[i].revents = 0;
  errno = EINVAL;
  return -1;
}

// implements: IOCOMPAT-007. An array pointer that is null although entries are promised: -1
// with EFAULT, as poll(2) answers an array it cannot read (skalibs dereferences it and crashes).
bool refuse_null_array(const iopause_fd* x, unsigned int len) {
  if (x != nullptr || len == 0) return false;
  errno = EFAULT;
  return true;
}

// implements: IOCOMPAT-002
int call_cxx(refloop::iopause_func wait, iopause_fd* x, unsigned int len, ::tain const* deadline,
             ::tain const* stamp) {
  if (refuse_null_array(x, len)) return -1;
  if (deadline != nullptr && stamp == nullptr) return refuse_null_stamp(x, len);
  CompatClock clock;
  const refloop::tain cxx_deadline = deadline != nullptr ? from_c(*deadline) : refloop::tain_zero;
  const refloop::tain cxx_stamp = stamp != nullptr ? from_c(*stamp) : refloop::tain_zero;
  return wait(std::span<iopause_fd>(x, len), deadline != nullptr ? &cxx_deadline : nullptr,
              cxx_stamp, clock);
}

}  // namespace

extern "C" {

int iopause_ppoll(iopause_fd* x, unsigned int len, ::tain const* deadline, ::tain const* stamp) {
  return call_cxx(&refloop::iopause_ppoll, x, len, deadline, stamp);
}

int iopause_poll(iopause_fd* x, unsigned int len, ::tain const* deadline, ::tain const* stamp) {
  return call_cxx(&refloop::iopause_poll, x, len, deadline, stamp);
}

int iopause_select(iopause_fd* x, unsigned int len, ::tain const* deadline, ::tain const* stamp) {
  return call_cxx(&refloop::iopause_select, x, len, deadline, stamp);
}

// implements: IOCOMPAT-003
iopause_func_ref const iopause_ = &iopause_ppoll;

// implements: IOCOMPAT-004
int iopause_stamp(iopause_fd* x, unsigned int len, ::tain const* deadline, ::tain* stamp) {
  if (refuse_null_array(x, len)) return -1;
  if (stamp == nullptr) {
    if (deadline != nullptr) return refuse_null_stamp(x, len);
    CompatClock clock;
    refloop::tain ignored = refloop::tain_zero;
    return refloop::iopause_stamp(std::span<iopause_fd>(x, len), nullptr, ignored, clock);
  }
  CompatClock clock;
  refloop::tain cxx_stamp = from_c(*stamp);
  const refloop::tain cxx_deadline = deadline != nullptr ? from_c(*deadline) : refloop::tain_zero;
  const int result = refloop::iopause_stamp(std::span<iopause_fd>(x, len),
                                            deadline != nullptr ? &cxx_deadline : nullptr,
                                            cxx_stamp, clock);
  const int saved_errno = errno;
  *stamp = to_c(cxx_stamp);
  errno = saved_errno;
  return result;
}

// implements: IOCOMPAT-005
// implements: IOCOMPAT-007 (null pointers: return at once with EFAULT)
void deepsleepuntil(::tain const* deadline, ::tain* stamp) {
  if (deadline == nullptr || stamp == nullptr) {
    errno = EFAULT;
    return;
  }
  CompatClock clock;
  refloop::tain cxx_stamp = from_c(*stamp);
  refloop::deepsleepuntil(from_c(*deadline), cxx_stamp, clock);
  *stamp = to_c(cxx_stamp);
}

}  // extern "C"
