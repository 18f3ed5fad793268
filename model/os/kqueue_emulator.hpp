// SPDX-License-Identifier: ISC
// kqueue(2) and kevent(2) in user space (spec/os.md, OS-100..OS-199): a deterministic executable
// model of the BSD interface, written for obviousness, behind the seam's KqueueCalls table, over
// the real readiness of real fds (RealReadiness: poll underneath) and the loop's clock.
//
// What it reproduces: knotes keyed by (ident, filter); EVFILT_READ and EVFILT_WRITE on fds with
// EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE, EV_ONESHOT, EV_DISPATCH, EV_CLEAR and EV_RECEIPT;
// every change applied in order before any event is read, each on its own; EV_ERROR entries
// while the eventlist has room, -1/errno once it has none, and no scan or wait once an entry was
// written; EV_EOF; level-triggered retrieval, round-robin across calls; close() dropping the
// knotes of the closed descriptor number. What it does not: the other filters, fflags (always
// 0), EV_CLEAR's exact edges, and a close() it is not told about (OS-001, OS-111).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "os/real_readiness.hpp"
#include "refloop/kernel/kqueue.hpp"

namespace refloop::os {

class KqueueEmulator final : public kernel::KqueueCalls {
 public:
  explicit KqueueEmulator(RealReadiness& readiness) : readiness_(readiness) {}

  int kqueue() override;
  int kevent(int kq, const struct kernel::kevent* changes, int nchanges, struct kernel::kevent* events,
             int nevents, const timespec* timeout) override;
  [[nodiscard]] bool emulated() const override { return true; }

  // close(fd) happened: as kqueue(2) says, every knote whose ident is that descriptor number goes,
  // in every kqueue; if fd was a kqueue, the kqueue goes too. Returns whether it was a kqueue.
  bool closed(int fd);
  // How many knotes a kqueue holds (0 for an unknown kqueue): for tests.
  [[nodiscard]] std::size_t knote_count(int kq) const;

 private:
  using Key = std::pair<std::uintptr_t, short>;  // (ident, filter): at most one knote each
  struct Knote {
    unsigned short flags;  // EV_ONESHOT, EV_CLEAR, EV_DISPATCH, EV_RECEIPT: returned with events
    unsigned int fflags;
    std::intptr_t data;
    void* udata;
    bool enabled;
    bool cleared;                // EV_CLEAR: retrieved, and not seen to change since
    std::intptr_t cleared_data;  // EV_CLEAR: the data it was retrieved with
  };
  struct Queue {
    std::map<Key, Knote> knotes;  // ordered, so every scan is deterministic
    std::optional<Key> resume_after;  // the last knote returned: the next scan starts after it
  };

  int apply(Queue& queue, const struct kernel::kevent& change);
  void add_or_modify(Queue& queue, const Key& key, const struct kernel::kevent& change,
                     unsigned short flags);
  int scan(Queue& queue, struct kernel::kevent* events, int nevents, const timespec* timeout);
  int collect_ready(Queue& queue, struct kernel::kevent* events, int nevents);
  std::optional<struct kernel::kevent> evaluate(const Key& key, Knote& knote, short revents);
  void after_delivery(Queue& queue, const Key& key);
  [[nodiscard]] std::vector<Key> rotation(const Queue& queue) const;
  [[nodiscard]] std::vector<pollfd> waitable(const Queue& queue) const;

  RealReadiness& readiness_;
  std::map<int, Queue> queues_;  // by kqueue descriptor
};

}  // namespace refloop::os
