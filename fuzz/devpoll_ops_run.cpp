// SPDX-License-Identifier: ISC
// Fuzz target devpoll_ops_run (spec/os.md OS-201..OS-210): the input decodes into a sequence of
// /dev/poll operations on the emulator (model/os/devpoll_emulator.hpp) over four real pipes and
// two interest sets: writes of entries (any events, negative fds, POLLREMOVE), bytes put and
// drained, ends closed and pipes reopened (so numbers are reused), DP_POLL with any dp_nfds,
// DP_ISPOLLED and the EINTR knob (OS-002). Beside it runs the obvious model of a set, a map from fd to the
// OR of its masks, and after every operation the emulator must agree with it: DP_ISPOLLED gives
// the map's mask, and DP_POLL reports min(dp_nfds, ready) distinct fds of the map, each with the
// map's mask and the revents the real poll(2) gives that fd alone. Every byte string decodes;
// a disagreement aborts.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include "emulator_world.hpp"
#include "os/emulators.hpp"

namespace {

using refloop::os::DevpollEmulator;
using refloop::fuzz::EmulatorWorld;
namespace kernel = refloop::kernel;

constexpr short event_table[8] = {POLLIN, POLLOUT, POLLIN | POLLOUT, POLLPRI, POLLHUP, 0,
                                  static_cast<short>(POLLIN | POLLERR), kernel::pollremove};


class Run {
 public:
  Run() {
    for (int s = 0; s < 2; ++s) sets_[s] = world_.placeholder(emulator_.open("/dev/poll", O_RDWR));
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void step(std::uint8_t op, std::uint8_t a, std::uint8_t b) {
    const int s = a & 1;
    const int end = world_.end((a >> 1) % 8);
    switch (op % 8) {
      case 0: write_entry(s, (b & 0x80) ? -1 - (b & 3) : end, event_table[b % 8]); break;
      case 1: world_.put((a >> 1) % 4, 1 + b % 2); break;
      case 2: world_.drain((a >> 1) % 4); break;
      case 3: close_end((a >> 1) % 8); break;
      case 4: reopen((a >> 1) % 4); break;
      case 5: poll_set(s, b % 10); break;
      case 6: check_ispolled(s, end); break;
      default: interrupted(s); break;
    }
  }

 private:
  void write_entry(int s, int fd, short events) {
    const pollfd entry{fd, events, 0};
    world_.require(emulator_.write(sets_[s], &entry, sizeof entry) == static_cast<ssize_t>(sizeof entry), "write failed");
    if (fd < 0) return;
    if (events == kernel::pollremove) model_[s].erase(fd);
    else model_[s][fd] = static_cast<short>(model_[s][fd] | events);
  }


  void close_end(int e) { world_.close_end(e); }
  void reopen(int c) {
    for (int e = 2 * c; e < 2 * c + 2; ++e) close_end(e);
    world_.open_pipe(c);
  }


  void poll_set(int s, int nfds) {
    std::vector<pollfd> results(10, pollfd{-9, -9, -9});
    kernel::dvpoll request{results.data(), nfds, 0};
    const int count = emulator_.ioctl(sets_[s], kernel::dp_poll, &request);
    std::size_t ready = 0;
    for (const auto& [fd, mask] : model_[s]) ready += EmulatorWorld::real_revents(fd, mask) != 0;
    world_.require(count == static_cast<int>(std::min<std::size_t>(ready, static_cast<std::size_t>(nfds))),
            "DP_POLL reported a different number of entries than are ready");
    std::set<int> seen;
    for (int i = 0; i < count; ++i) {
      const pollfd& entry = results[static_cast<std::size_t>(i)];
      world_.require(seen.insert(entry.fd).second, "DP_POLL reported an fd twice");
      const auto cached = model_[s].find(entry.fd);
      world_.require(cached != model_[s].end(), "DP_POLL reported an fd not in the set");
      world_.require(entry.events == cached->second, "DP_POLL's events are not the cached mask");
      world_.require(entry.revents == EmulatorWorld::real_revents(entry.fd, cached->second), "DP_POLL's revents are not poll(2)'s");
    }
    if (count == 0) world_.require(results[0].fd == -9, "a DP_POLL that found nothing wrote the buffer");
  }
  void check_ispolled(int s, int fd) {
    if (fd < 0) return;
    pollfd query{fd, 0, 0};
    const int result = emulator_.ioctl(sets_[s], kernel::dp_ispolled, &query);
    const auto cached = model_[s].find(fd);
    world_.require(result == (cached != model_[s].end() ? 1 : 0), "DP_ISPOLLED disagrees on membership");
    if (result == 1) world_.require(query.revents == cached->second, "DP_ISPOLLED's mask is not the cached one");
  }
  // The EINTR knob fires at DP_POLL's wait, which comes only when nothing in the set is ready.
  void interrupted(int s) {
    std::size_t ready = 0;
    for (const auto& [fd, mask] : model_[s]) ready += EmulatorWorld::real_revents(fd, mask) != 0;
    world_.emulators.readiness().interrupt_wait();
    pollfd result{};
    kernel::dvpoll request{&result, 1, 0};
    errno = 0;
    const int count = emulator_.ioctl(sets_[s], kernel::dp_poll, &request);
    world_.emulators.readiness().interrupt_wait(0);
    if (ready == 0) world_.require(count == -1 && errno == EINTR, "the knob did not interrupt an idle DP_POLL");
    else world_.require(count == 1, "the knob interrupted a DP_POLL that had ready entries");
  }

  EmulatorWorld world_{"devpoll_ops_run"};
  DevpollEmulator& emulator_ = world_.emulators.devpoll();
  int sets_[2] = {-1, -1};
  std::map<int, short> model_[2];
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Run run;
  for (std::size_t i = 0; i + 2 < size && i < 3 * 200; i += 3) run.step(data[i], data[i + 1], data[i + 2]);
  return 0;
}
