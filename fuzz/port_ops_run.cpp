// SPDX-License-Identifier: ISC
// Fuzz target port_ops_run (spec/os.md OS-301..OS-313): the input decodes into a sequence of
// event-port operations on the emulator (model/os/port_emulator.hpp) over four real pipes and one
// port: associations with any events and cookies (re-associations included), dissociations,
// bytes put and drained, ends closed through the emulator and pipes reopened (numbers reused),
// zero-timeout port_getn with any nget and max, the EINTR and ETIME knobs, user events sent with
// port_send and zero-timeout port_get. Beside it runs the obvious model of a port, the set of live
// associations (fd -> events, cookie) and the queue of user events sent and not yet retrieved,
// and after every operation the emulator must agree with it: dissociation succeeds exactly for a
// live association; a port_getn that may deliver (nget <= max, max > 0) delivers every user event
// and every live association whose fd the real poll(2) finds ready, up to max, each once, user
// events in the order sent, with the model's cookie and events (for an fd, within events | POLLHUP
// | POLLERR), and ends those associations; max == 0 counts them (and any that fired earlier and
// are still queued); port_get delivers one of them.
// Every byte string decodes; a disagreement aborts.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <set>
#include <vector>

#include "emulator_world.hpp"
#include "os/emulators.hpp"

namespace {

using refloop::fuzz::EmulatorWorld;
using refloop::os::PortEmulator;
namespace kernel = refloop::kernel;

constexpr int event_table[8] = {POLLIN, POLLOUT, POLLIN | POLLOUT, POLLPRI, POLLHUP, 0, POLLIN | POLLERR, POLLRDHUP};
constexpr timespec zero{0, 0};


struct Association {
  int events;
  void* user;
};
using UserEvent = Association;  // what port_send queued: its events and cookie

class Run {
 public:
  Run() = default;
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void step(std::uint8_t op, std::uint8_t a, std::uint8_t b) {
    const int e = a % 8;
    switch (op % 10) {
      case 0: associate(e, event_table[b % 8], &cookies_[b % 4]); break;
      case 1: dissociate(e); break;
      case 2: world_.put(a % 4, 1 + b % 2); break;
      case 3: world_.drain(a % 4); break;
      case 4: close_end(e); break;
      case 5: reopen(a % 4); break;
      case 6: getn(b % 4, a % 10, false); break;
      case 7: getn(1 + b % 3, 1 + a % 9, true); break;
      case 8: send(a, &cookies_[b % 4]); break;
      default: get(); break;
    }
  }

 private:
  static std::uintptr_t object(int fd) { return static_cast<std::uintptr_t>(fd); }

  void associate(int e, int events, void* user) {
    const int fd = world_.end(e);
    if (fd < 0) return;
    world_.require(emulator_.port_associate(port_, kernel::port_source_fd, object(fd), events, user) == 0,
            "associating an open fd failed");
    model_[fd] = Association{events, user};
  }
  void dissociate(int e) {
    const int fd = world_.end(e);
    if (fd < 0) return;
    errno = 0;
    const int result = emulator_.port_dissociate(port_, kernel::port_source_fd, object(fd));
    if (model_.erase(fd) != 0) world_.require(result == 0, "dissociating a live association failed");
    else world_.require(result == -1 && errno == ENOENT, "dissociating no association did not say ENOENT");
  }


  void send(int events, void* user) {
    world_.require(emulator_.port_send(port_, events, user) == 0, "port_send to the port failed");
    users_.push_back(UserEvent{events, user});
  }
  // One retrieved event against the model: a user event must be the oldest one sent; an fd event
  // must be a live association's (then ended, one-shot), delivered at most once per call.
  void check_retrieved(const kernel::port_event& event, std::set<int>& seen) {
    if (event.portev_source == kernel::port_source_user) {
      world_.require(!users_.empty(), "a user event came that was never sent");
      world_.require(event.portev_events == users_.front().events && event.portev_user == users_.front().user,
                     "a user event is not the oldest one sent");
      users_.pop_front();
      return;
    }
    world_.require(event.portev_source == kernel::port_source_fd, "the source is neither PORT_SOURCE_FD nor USER");
    const int fd = static_cast<int>(event.portev_object);
    world_.require(seen.insert(fd).second, "an fd was delivered twice");
    const auto live = model_.find(fd);
    world_.require(live != model_.end(), "an event came for an fd that is not associated");
    world_.require(event.portev_events != 0 && (event.portev_events & ~(live->second.events | POLLHUP | POLLERR)) == 0,
                   "delivered events are not within the mask, POLLHUP and POLLERR");
    world_.require(event.portev_user == live->second.user, "the cookie is not the association's");
    model_.erase(fd);  // one-shot
  }
  // port_get with a zero timeout (OS-312): 0 always; one event when any is queued or ready.
  void get() {
    const std::size_t waiting = users_.size() + ready_now().size();
    kernel::port_event event{};
    world_.require(emulator_.port_get(port_, &event, &zero) == 0, "a zero-timeout port_get failed");
    if (event.portev_source == 0) {
      world_.require(waiting == 0, "port_get delivered nothing although events were waiting");
      return;
    }
    std::set<int> seen;
    check_retrieved(event, seen);
  }

  void close_end(int e) {
    const int fd = world_.close_end(e);
    if (fd >= 0) model_.erase(fd);  // the kernel dissociates a closed fd (OS-310)
  }
  void reopen(int c) {
    for (int e = 2 * c; e < 2 * c + 2; ++e) close_end(e);
    world_.open_pipe(c);
  }

  // The live associations whose fd is ready now, with the events they would deliver.
  std::map<int, int> ready_now() const {
    std::map<int, int> ready;
    for (const auto& [fd, association] : model_) {
      const int delivered = EmulatorWorld::real_revents(fd, association.events) & (association.events | POLLHUP | POLLERR);
      if (delivered != 0) ready[fd] = delivered;
    }
    return ready;
  }
  void getn(unsigned nget, unsigned max, bool with_knobs) {
    const bool interrupt = with_knobs && nget == 1;
    // Armed only for a call that can deliver: one refused for nget > max would leave it armed.
    const bool time_out = with_knobs && nget == 2 && nget <= max;
    if (interrupt) world_.emulators.readiness().interrupt_wait();
    if (time_out) emulator_.time_out_next_getn();
    const std::map<int, int> ready = ready_now();
    std::vector<kernel::port_event> events(10);
    unsigned got = nget;
    errno = 0;
    const int result = emulator_.port_getn(port_, events.data(), max, &got, &zero);
    const int error = errno;
    if (interrupt) world_.emulators.readiness().interrupt_wait(0);
    errno = error;
    // max == 0 counts the queued events (OS-308): every ready association has fired, and one that
    // fired earlier stays queued though its fd is no longer ready (OS-303), as in a delivery below.
    if (max == 0) {
      world_.require(result == 0 && got >= ready.size() + users_.size() && got <= model_.size() + users_.size(),
                     "max == 0 did not count the queued events");
      return;
    }
    if (nget > max) {
      world_.require(result == -1 && errno == EINVAL, "nget > max was not refused");
      return;
    }
    if (nget == 0) {
      world_.require(result == 0 && got == 0, "nget == 0 did not return at once");
      return;
    }
    // The EINTR knob fires at the wait, which comes only when too few events are queued.
    if (interrupt && result == -1 && errno == EINTR) {
      world_.require(got == 0 && ready.size() + users_.size() < nget, "an interrupted port_getn delivered, or had enough");
      return;
    }
    // A fired event waits in the queue even if its fd stops being ready (OS-303), so what is
    // delivered is at least every ready association (up to max) and at most every live one.
    const unsigned at_least = static_cast<unsigned>(std::min<std::size_t>(ready.size() + users_.size(), max));
    const unsigned at_most = static_cast<unsigned>(std::min<std::size_t>(model_.size() + users_.size(), max));
    world_.require(got >= at_least && got <= at_most, "port_getn delivered too few or too many events");
    if (time_out && got > 0) world_.require(result == -1 && errno == ETIME, "the ETIME knob did not time out");
    else world_.require(result == 0, "a zero-timeout port_getn failed");
    std::set<int> seen;
    for (unsigned i = 0; i < got; ++i) check_retrieved(events[i], seen);
    if (got < max) {
      world_.require(users_.empty(), "a user event was left queued although the list had room");
      for (const auto& [fd, delivered] : ready) world_.require(seen.count(fd) != 0, "a ready association was not delivered");
    }
    if (time_out && got == 0) disarm_time_out();
  }
  // A time_out knob armed by a port_getn that delivered nothing is still armed: fire it on an
  // fd of a fresh pipe so that later steps start from a disarmed emulator.
  void disarm_time_out() {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    [[maybe_unused]] const auto written = ::write(fds[1], "x", 1);
    world_.require(emulator_.port_associate(port_, kernel::port_source_fd, object(fds[0]), POLLIN, nullptr) == 0, "associate");
    kernel::port_event event{};
    unsigned got = 1;
    world_.require(emulator_.port_getn(port_, &event, 1, &got, &zero) == -1 && errno == ETIME, "an armed knob did not fire");
    ::close(fds[0]);
    ::close(fds[1]);
  }

  EmulatorWorld world_{"port_ops_run"};
  PortEmulator& emulator_ = world_.emulators.port();
  int port_ = world_.placeholder(emulator_.port_create());
  int cookies_[4] = {};
  std::map<int, Association> model_;
  std::deque<UserEvent> users_;  // sent, not yet retrieved, oldest first
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Run run;
  for (std::size_t i = 0; i + 2 < size && i < 3 * 200; i += 3) run.step(data[i], data[i + 1], data[i + 2]);
  return 0;
}
