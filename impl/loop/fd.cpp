// SPDX-License-Identifier: ISC
// Fds in the loop core (spec/loop.md, FD): registration, handler changes, the backend's
// readiness upcall and the dispatch of one poll round. The core decides which bands are wanted;
// the backend decides when the kernel hears about it (backend/backend.hpp).
#include <fcntl.h>

#include <algorithm>

#include "backend/backend.hpp"
#include "truncate_on_exit.hpp"
#include "refloop/loop/fatal.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop {

namespace {

unsigned wanted_bands_of(const Fd& fd) {
  return (fd.handler_in ? band_in : 0u) | (fd.handler_out ? band_out : 0u) |
         (fd.handler_err ? band_err : 0u);
}

// implements: FD-009 (O_NONBLOCK and FD_CLOEXEC, set only when missing, never restored). A
// failing fcntl (a closed fd) is left for the backend to report.
void make_nonblocking_and_cloexec(int fd) {
  const int status = fcntl(fd, F_GETFL);
  if (status >= 0 && (status & O_NONBLOCK) == 0) fcntl(fd, F_SETFL, status | O_NONBLOCK);
  const int flags = fcntl(fd, F_GETFD);
  if (flags >= 0 && (flags & FD_CLOEXEC) == 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
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

void Loop::finish_fd_registration(Fd& fd) {
  ++registered_count_;
  make_nonblocking_and_cloexec(fd.fd);
}

// implements: FD-002 (registration is lazy: the backend tells the kernel by the next poll)
void Loop::register_fd(Fd& fd) {
  check_can_register(fd, "Loop::register_fd");
  fd.state = detail::FdState{};
  fd.state.owner = serial_;
  fd.state.wanted_bands = static_cast<std::uint8_t>(wanted_bands_of(fd));
  finish_fd_registration(fd);
  backend_->notify(fd);
}

// implements: FD-003
int Loop::register_fd_try(Fd& fd) {
  check_can_register(fd, "Loop::register_fd_try");
  fd.state = detail::FdState{};
  fd.state.owner = serial_;
  fd.state.wanted_bands = static_cast<std::uint8_t>(wanted_bands_of(fd));
  const int error = backend_->notify_sync(fd);
  if (error != 0) {
    fd.state = detail::FdState{};
    return error;
  }
  finish_fd_registration(fd);
  return 0;
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

// The backend upcall: remember the fd once per round, merging repeated reports.
void Loop::fd_ready(Fd& fd, unsigned bands) {
  if (fd.state.owner != serial_ || bands == 0) return;
  if (fd.state.ready_slot < 0) {
    fd.state.ready_slot = static_cast<std::int32_t>(ready_.size());
    ready_.push_back(&fd);
  }
  fd.state.ready_bands = static_cast<std::uint8_t>(fd.state.ready_bands | bands);
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
  const unsigned bands = fd.state.ready_bands;
  drop_from_ready_list(fd);
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
