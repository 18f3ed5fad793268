// SPDX-License-Identifier: ISC
// Fds in the loop core (spec/loop.md, FD): registration, handler changes, the backend's
// readiness upcall and the dispatch of one poll round. The core decides which bands are wanted;
// the backend decides when the kernel hears about it (backend/backend.hpp).
#include <algorithm>

#include "backend/backend.hpp"
#include "loop_sink.hpp"
#include "truncate_on_exit.hpp"
#include "refloop/loop/fatal.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop {

namespace {

unsigned wanted_bands_of(const Fd& fd) {
  return (fd.handler_in ? band_in : 0u) | (fd.handler_out ? band_out : 0u) |
         (fd.handler_err ? band_err : 0u);
}

void check_can_register(const Fd& fd, const char* call) {
  if (fd.fd < 0) fatal("%s: called with invalid fd %d", call, fd.fd);
  if (Loop::registered(fd)) fatal("%s: called with fd which is still registered", call);
}

}  // namespace

void Loop::check_fd_owner(const Fd& fd, const char* call) const {
  if (!registered(fd)) fatal("%s: called with fd which is not registered", call);
  // implements: LOOP-013 (also an object of a destroyed loop: serials are never reused)
  if (fd.state.owner != serial_) fatal("%s: called with an object registered with another loop", call);
}

void Loop::start_fd_registration(Fd& fd) {
  fd.state = detail::FdState{};
  fd.state.owner = serial_;
  fd.state.wanted_bands = static_cast<std::uint8_t>(wanted_bands_of(fd));
}

// implements: FD-002 (registration is lazy: the backend tells the kernel by the next poll),
// FD-020 (a re-arm the backend takes over is complete, FD-009's flags included), FAULT-008 (a
// failing fcntl is not reported here: a closed fd is the backend's to report, FD-002)
void Loop::register_fd(Fd& fd) {
  check_can_register(fd, "Loop::register_fd");
  start_fd_registration(fd);
  ++registered_count_;
  if (backend_->take_over(fd, nullptr)) return;
  backend_->prepare_flags(fd.fd);
  backend_->notify(fd);
}

// implements: FD-003, FD-020, FAULT-003 (a refused check leaves no trace)
int Loop::register_fd_try(Fd& fd) {
  check_can_register(fd, "Loop::register_fd_try");
  start_fd_registration(fd);
  int error = 0;
  if (!backend_->take_over(fd, &error) && error == 0) error = check_and_prepare(fd);
  if (error != 0) {
    fd.state = detail::FdState{};
    return error;
  }
  ++registered_count_;
  return 0;
}

// implements: FAULT-008 (the errno of a failing fcntl is returned, and the kernel check it
// followed is undone as unregister_fd would undo it)
int Loop::check_and_prepare(Fd& fd) {
  if (const int error = backend_->notify_sync(fd); error != 0) return error;
  const int error = backend_->prepare_flags(fd.fd);
  if (error != 0) backend_->forget(fd);
  return error;
}

// implements: FD-004 (the backend forgets the fd at once, so it may be closed right after)
void Loop::unregister_fd(Fd& fd) {
  check_fd_owner(fd, "Loop::unregister_fd");
  drop_from_ready_list(fd);
  std::replace(handled_.begin(), handled_.end(), &fd, static_cast<Fd*>(nullptr));
  fd.state.wanted_bands = 0;
  backend_->forget(fd);
  fd.state = detail::FdState{};
  --registered_count_;
}

void Loop::set_handler_in(Fd& fd, Handler handler) {
  set_handler(fd, &Fd::handler_in, handler, "Loop::set_handler_in");
}
void Loop::set_handler_out(Fd& fd, Handler handler) {
  set_handler(fd, &Fd::handler_out, handler, "Loop::set_handler_out");
}
void Loop::set_handler_err(Fd& fd, Handler handler) {
  set_handler(fd, &Fd::handler_err, handler, "Loop::set_handler_err");
}

// implements: FD-005 (a change of wanted bands reaches the backend; no change, no notify)
void Loop::set_handler(Fd& fd, Handler Fd::*which, Handler handler, const char* call) {
  check_fd_owner(fd, call);
  fd.*which = handler;
  update_wanted_bands(fd);
}

void Loop::update_wanted_bands(Fd& fd) {
  const auto wanted = static_cast<std::uint8_t>(wanted_bands_of(fd));
  if (wanted == fd.state.wanted_bands) return;
  fd.state.wanted_bands = wanted;
  backend_->notify(fd);
}

void detail::LoopSink::ready(Fd& fd, unsigned bands) { loop_.fd_ready(fd, bands); }

// The backend upcall: remember the fd once per round, merging repeated reports. Runs once per
// ready fd per poll: the slot is set before the append, so the append (and its rare growth) is
// the last thing done, a tail call that makes the common path save no registers.
void Loop::fd_ready(Fd& fd, unsigned bands) {
  if (fd.state.owner != serial_ || bands == 0) return;
  fd.state.ready_bands = static_cast<std::uint8_t>(fd.state.ready_bands | bands);
  if (fd.state.ready_slot >= 0) return;  // already listed this round
  fd.state.ready_slot = static_cast<std::int32_t>(ready_.size());
  ready_.append(&fd);
}

// implements: FD-008 (an fd unregistered by another handler loses its pending callbacks)
void Loop::drop_from_ready_list(Fd& fd) {
  if (fd.state.ready_slot >= 0) ready_[static_cast<std::size_t>(fd.state.ready_slot)] = nullptr;
  fd.state.ready_slot = -1;
  fd.state.ready_bands = 0;
}

// implements: FD-006 (all of one poll's reports are collected before any handler runs), LOOP-011
// (a nested run's dispatch continues the same list, so each report is dispatched once)
void Loop::dispatch_ready_fds() {
  while (next_ready_ < ready_.size()) {
    Fd* fd = ready_[next_ready_++];
    if (fd != nullptr) dispatch_one(*fd);
  }
  ready_.clear();
  next_ready_ = 0;
}

// implements: FD-007 (err, then in, then out; handlers read at call time; the rest skipped
// once the fd unregisters itself), LOOP-011 (a nested dispatch stacks its own frame)
void Loop::dispatch_one(Fd& fd) {
  const unsigned bands = take_ready_bands(fd);
  if ((bands & (bands - 1)) == 0) {
    run_only_handler(fd, bands);
    return;
  }
  run_handlers_in_order(fd, bands);
}

// The fd's turn: its list entry is behind next_ready_ already, so unlike drop_from_ready_list
// only the fd's own fields are reset (saves a call and a write to the list per ready fd).
unsigned Loop::take_ready_bands(Fd& fd) {
  const unsigned bands = fd.state.ready_bands;
  fd.state.ready_slot = -1;
  fd.state.ready_bands = 0;
  return bands;
}

// implements: FD-007, FD-008 for an fd ready in one band, the common case. No handler runs after
// this one, so nothing needs to know whether it unregisters its fd: saves the handled_ frame
// (a push, a check and a truncation, about 40 instructions per ready fd).
void Loop::run_only_handler(Fd& fd, unsigned band) {
  const Handler handler = band == band_in    ? fd.handler_in
                          : band == band_out ? fd.handler_out
                          : band == band_err ? fd.handler_err
                                             : nullptr;
  if (handler != nullptr) handler(fd.cookie);
}

// implements: FD-007, FD-008 for an fd ready in several bands: handled_ holds the fd while its
// handlers run, and unregister_fd clears the entry, which ends the fd's turn.
void Loop::run_handlers_in_order(Fd& fd, unsigned bands) {
  const std::size_t frame = handled_.size();
  handled_.push_back(&fd);
  const detail::TruncateOnExit pop_frame(handled_, frame);
  static constexpr struct {
    unsigned band;
    Handler Fd::*handler;
  } order[] = {{band_err, &Fd::handler_err}, {band_in, &Fd::handler_in}, {band_out, &Fd::handler_out}};
  for (const auto& step : order) {
    if ((bands & step.band) == 0) continue;
    const Handler handler = fd.*step.handler;
    if (handler != nullptr) handler(fd.cookie);
    if (handled_[frame] == nullptr) return;  // the handler unregistered its own fd
  }
}

}  // namespace refloop
