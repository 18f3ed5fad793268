// SPDX-License-Identifier: ISC
// The fd kinds of the fd-kind matrix (spec/loop.md, FD-016..FD-019): each kind is a recipe that
// makes one fd of that kind (the subject, registered with the loop) plus whatever it needs (a
// peer, a writer), and the stimuli applied to it one after another. What each backend must
// report is not here: expected.hpp derives it from the backend's traits.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace refloop::fdkinds {

// How the kernel answers readiness for a kind (FD-017, FD-018).
enum class FileClass {
  polled,          // its driver has a poll operation: every backend reports what poll(2) says
  regular,         // S_ISREG, no poll operation (a regular file, a memfd): the regular_file trait
  unpolled_other,  // no poll operation and not S_ISREG (a directory, /dev/null)
};

// What one step does to the subject. `settle` is the poll(2) event mask on the subject that shows
// the act has taken effect (a pty's data passes through a kernel work queue, a loopback packet
// through the network stack); 0 when the act takes effect before it returns.
struct Stimulus {
  std::function<void()> act;
  short settle = 0;
};

struct Subject {
  int fd = -1;                    // -1: the kind could not be made here (errno says why)
  std::vector<Stimulus> stimuli;  // one per step after "at once"
};

// A step of a kind: what it is called in the table, and (polled kinds) the bands poll(2)'s
// answer maps to after it (BACKEND-003: an error or hangup is all three), "-" for none.
// `ends_input`: the step ends the peer's input on a stream without a hangup (a FIN: POLLRDHUP,
// no POLLHUP), which a backend with the end_of_input_is_hangup trait reports as one (FD-018).
struct Step {
  std::string label;
  std::string polled_bands;
  bool ends_input = false;
};

struct Kind {
  std::string name;
  FileClass file_class;
  std::vector<Step> steps;  // steps[0] is "at once": right after registration
  // A Linux fd kind (eventfd, timerfd, signalfd, epoll, memfd): an emulated column answers it
  // from Linux's poll(2); the native system of that interface has its own kind or none (FD-019).
  bool linux_kind = false;
  // Makes the subject. Called in the probing child process, which exits afterwards, so the fds
  // it opens are never closed by hand.
  std::function<Subject()> make;
};

// Every kind of FD-016, in table order.
const std::vector<Kind>& kinds();

}  // namespace refloop::fdkinds
