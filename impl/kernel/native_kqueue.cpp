// SPDX-License-Identifier: ISC
// The native kqueue table (refloop/kernel/kqueue.hpp), built only where the system has
// <sys/event.h> (the BSDs and macOS). Elsewhere the slot stays null and only the emulation of
// model/os can fill it.
#include "refloop/kernel/kqueue.hpp"
#include "refloop/kernel/syscalls.hpp"

namespace refloop::kernel {

namespace {

class NativeKqueueCalls final : public KqueueCalls {
 public:
  int kqueue() override { return ::kqueue(); }
  int kevent(int kq, const struct kevent* changes, int nchanges, struct kevent* events, int nevents,
             const timespec* timeout) override {
    return ::kevent(kq, changes, nchanges, events, nevents, timeout);
  }
  [[nodiscard]] bool emulated() const override { return false; }
};

}  // namespace

KqueueCalls* native_kqueue_calls() {
  static NativeKqueueCalls calls;
  return &calls;
}

}  // namespace refloop::kernel
