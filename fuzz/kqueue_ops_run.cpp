// SPDX-License-Identifier: ISC
// Fuzz target kqueue_ops_run (spec/os.md OS-101..OS-112): the input decodes into a sequence of
// kevent(2) calls on the emulator (model/os/kqueue_emulator.hpp) over four real pipes and one
// kqueue: single changes (EV_ADD with or without EV_ONESHOT, EV_DISPATCH or EV_DISABLE, EV_DELETE,
// EV_ENABLE, EV_DISABLE; EVFILT_READ or EVFILT_WRITE) on pipe ends, closed numbers and negative
// idents, with room for an EV_ERROR entry or none, bytes put and drained, ends closed through the
// set and pipes reopened (numbers reused), zero-timeout retrievals with nevents 0..5 and the EINTR
// knob (OS-002, OS-112). Beside it runs the obvious model of a kqueue, a map from (ident, filter)
// to {enabled, oneshot, dispatch}, and after every operation the emulator must agree with it: a
// change on a number that is not open fails with EBADF, one without EV_ADD on a missing knote
// with ENOENT, as an EV_ERROR entry when there is room, else -1; a retrieval returns
// min(nevents, ready) distinct knotes of the model, each enabled and ready by the real poll(2) of
// its fd, with the knote's mode flags, EV_EOF exactly where poll(2) reports a hangup, and an
// EVFILT_READ's data the bytes readable; a returned ONESHOT knote is gone, a DISPATCH one
// disabled; the knob interrupts exactly the retrievals that find nothing ready, after the change.
// Every byte string decodes; a disagreement aborts.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "emulator_world.hpp"
#include "os/emulators.hpp"

namespace {

using namespace refloop::kernel;  // struct kevent and its constants, native or refloop's own
using refloop::fuzz::EmulatorWorld;

constexpr unsigned short action_table[8] = {EV_ADD, EV_ADD | EV_ONESHOT, EV_ADD | EV_DISPATCH, EV_DELETE,
                                            EV_ENABLE, EV_DISABLE, EV_ADD | EV_DISABLE, EV_ADD};
constexpr timespec zero{0, 0};
constexpr int max_events = 5;

struct Mode {
  bool enabled;
  bool oneshot;
  bool dispatch;
};
using Key = std::pair<std::uintptr_t, short>;

class Run {
 public:
  Run() = default;
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void step(std::uint8_t op, std::uint8_t a, std::uint8_t b) {
    const int c = (a >> 1) % 4;
    switch (op % 8) {
      case 0: case 1: case 2: change(a, b, op % 8 == 2); break;
      case 3: world_.put(c, 1 + b % 2); break;
      case 4: world_.drain(c); break;
      case 5: close_end(a % 8); break;
      case 6: for (int e = 2 * c; e < 2 * c + 2; ++e) close_end(e); world_.open_pipe(c); break;
      default: call(nullptr, b % (max_events + 1), false); break;
    }
    world_.require(emulator_.knote_count(kq_) == model_.size(), "knote_count is not the model's size");
  }

 private:
  // An ident: an end's number (the number it had, once closed) or a negative number.
  [[nodiscard]] std::uintptr_t ident(std::uint8_t a) const {
    if (a & 0x80) return static_cast<std::uintptr_t>(static_cast<std::intptr_t>(-1 - (a & 3)));
    const int e = a % 8;
    return static_cast<std::uintptr_t>(world_.end(e) >= 0 ? world_.end(e) : numbers_[e]);
  }
  void change(std::uint8_t a, std::uint8_t b, bool knob) {
    struct kevent entry {};
    entry.ident = ident(a);
    entry.filter = (b & 1) ? EVFILT_WRITE : EVFILT_READ;
    entry.flags = action_table[(b >> 1) % 8];
    call(&entry, (b >> 4) & 1, knob);
  }
  // What the change does to the model, or the errno it must fail with (OS-107, OS-108).
  int model_change(const struct kevent& entry) {
    const auto fd = static_cast<std::intptr_t>(entry.ident);
    if (fd < 0 || fd > INT_MAX || ::fcntl(static_cast<int>(fd), F_GETFD) == -1) return EBADF;
    const Key key{entry.ident, entry.filter};
    const auto found = model_.find(key);
    if (found == model_.end() && (entry.flags & EV_ADD) == 0) return ENOENT;
    if (entry.flags & EV_DELETE) {
      model_.erase(key);
      return 0;
    }
    Mode& mode = model_[key];
    if (entry.flags & EV_ADD) mode = Mode{true, (entry.flags & EV_ONESHOT) != 0, (entry.flags & EV_DISPATCH) != 0};
    if (entry.flags & EV_DISABLE) mode.enabled = false;
    else if (entry.flags & EV_ENABLE) mode.enabled = true;
    return 0;
  }

  void call(const struct kevent* entry, int nevents, bool knob) {
    const int error = entry ? model_change(*entry) : 0;
    struct kevent out[max_events] = {};
    if (knob) world_.emulators.readiness().interrupt_wait();
    errno = 0;
    const int count = emulator_.kevent(kq_, entry, entry ? 1 : 0, out, nevents, &zero);
    const int saved = errno;
    world_.emulators.readiness().interrupt_wait(0);
    if (error != 0 && nevents == 0) {
      world_.require(count == -1 && saved == error, "a failed change without room is not -1 with its errno");
    } else if (error != 0) {
      world_.require(count == 1 && (out[0].flags & EV_ERROR) && out[0].data == error, "a failed change's entry is not EV_ERROR with its errno");
      world_.require(out[0].ident == entry->ident && out[0].filter == entry->filter, "the EV_ERROR entry names another change");
    } else if (nevents == 0) {
      world_.require(count == 0, "kevent with nevents 0 returned entries");
    } else if (knob && ready_count() == 0) {
      world_.require(count == -1 && saved == EINTR, "the knob did not interrupt an idle retrieval");
    } else {
      check_delivered(out, count, nevents);
    }
  }

  // The real poll(2) of the knote's fd alone, and whether it makes the filter ready (OS-110).
  static short revents_of(const Key& key) {
    const bool reading = key.second == EVFILT_READ;
    return EmulatorWorld::real_revents(static_cast<int>(key.first), reading ? POLLIN | POLLRDHUP : POLLOUT);
  }
  static short hangup_of(const Key& key) {
    return static_cast<short>(POLLHUP | POLLERR | (key.second == EVFILT_READ ? POLLRDHUP : 0));
  }
  static bool ready(const Key& key) {
    return (revents_of(key) & ((key.second == EVFILT_READ ? POLLIN : POLLOUT) | hangup_of(key))) != 0;
  }
  [[nodiscard]] std::size_t ready_count() const {
    return static_cast<std::size_t>(std::count_if(model_.begin(), model_.end(),
        [](const auto& knote) { return knote.second.enabled && ready(knote.first); }));
  }

  void check_delivered(const struct kevent* out, int count, int nevents) {
    world_.require(count == static_cast<int>(std::min<std::size_t>(ready_count(), static_cast<std::size_t>(nevents))),
                   "a retrieval returned a different number of entries than are ready");
    std::set<Key> seen;
    for (int i = 0; i < count; ++i) {
      const struct kevent& event = out[i];
      const Key key{event.ident, event.filter};
      world_.require(seen.insert(key).second, "a retrieval returned a knote twice");
      const auto found = model_.find(key);
      world_.require(found != model_.end() && found->second.enabled, "a retrieval returned a knote not enabled in the model");
      world_.require(ready(key), "a retrieval returned a knote poll(2) does not find ready");
      const Mode mode = found->second;
      const bool eof = (revents_of(key) & hangup_of(key)) != 0;
      const unsigned short flags = static_cast<unsigned short>((mode.oneshot ? EV_ONESHOT : 0) |
                                                               (mode.dispatch ? EV_DISPATCH : 0) | (eof ? EV_EOF : 0));
      world_.require(event.flags == flags, "a returned entry's flags are not the knote's modes and EV_EOF");
      int readable = 0;
      if (key.second == EVFILT_READ && ::ioctl(static_cast<int>(key.first), FIONREAD, &readable) == 0)
        world_.require(event.data == readable, "an EVFILT_READ entry's data is not the bytes readable");
      if (mode.oneshot) model_.erase(found);
      else if (mode.dispatch) found->second.enabled = false;
    }
  }

  void close_end(int e) {
    const int fd = world_.close_end(e);
    if (fd < 0) return;
    numbers_[e] = fd;
    std::erase_if(model_, [fd](const auto& knote) { return knote.first.first == static_cast<std::uintptr_t>(fd); });
  }

  EmulatorWorld world_{"kqueue_ops_run"};
  refloop::os::KqueueEmulator& emulator_ = world_.emulators.kqueue();
  int kq_ = world_.placeholder(emulator_.kqueue());
  int numbers_[8] = {-1, -1, -1, -1, -1, -1, -1, -1};  // what each end was before it was closed
  std::map<Key, Mode> model_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Run run;
  for (std::size_t i = 0; i + 2 < size && i < 3 * 200; i += 3) run.step(data[i], data[i + 1], data[i + 2]);
  return 0;
}
