// SPDX-License-Identifier: ISC
// The poll and the fd dispatch of the model's iteration (FD-004..008, BACKEND-003, BACKEND-009).
// At the poll the model fixes, per watched fd, the bands a backend must report (a wanted band
// whose condition holds; in, out and err together on hangup) and those it may report (a band
// whose condition holds but that no handler wanted). During the dispatch fds may come in any
// order; each fd's handlers come together, err then in then out, each read at call time.
#include <algorithm>
#include <string>

#include "loop/loop_model.hpp"
#include "loop/ops_text.hpp"

namespace refloop::model::loop {

namespace {

unsigned wanted_bands(const FdModel& fd) {
  unsigned wanted = 0;
  for (Band b : all_bands)
    if (fd.handler[static_cast<int>(b)] >= 0) wanted |= bit(b);
  return wanted;
}

std::string band_name(Band b) { return b == Band::err ? "err" : b == Band::in ? "in" : "out"; }

std::string end_name(int end) { return format_ref(Ref{Kind::fd, static_cast<std::uint8_t>(end)}); }

}  // namespace

// implements: BACKEND-003, BACKEND-009, BACKEND-011, FD-006 (what the poll reports, as far as it is fixed)
void LoopModel::take_poll_snapshot() {
  stamp_ = now();
  deadline_ = poll_deadline();
  ++polls_;
  // implements: TIME-003. The cache is invalid from here on; an fd handler's now() reads the
  // clock, which a poll that found fds ready has not moved.
  now_valid_ = false;
  for (ReadyFd& left : pending_fds_) left.by_this_poll = false;  // left by an enclosing round (LOOP-011)
  surely_wakes_ = maybe_wakes_ = false;
  for (int end = 0; end < max_ends; ++end) {
    if (!fds_[end].registered) continue;
    const unsigned wanted = wanted_bands(fds_[end]);
    if (wanted == 0) continue;  // no handler: the backend does not watch it
    const Conditions c = world_.conditions(end);
    ReadyFd ready{end, 0, 0, false};
    // implements: BACKEND-011 (nothing to report: select never sees this hangup)
    if (c.hangup && !c.writable && wanted == bit(Band::out) && traits_.hangup_unseen_by_write_only) continue;
    if (c.hangup) {
      ready.required = bit(Band::err) | bit(Band::in) | bit(Band::out);
    } else {
      const unsigned holds = (c.readable ? bit(Band::in) : 0u) | (c.writable ? bit(Band::out) : 0u);
      ready.required = wanted & holds;
      ready.optional = holds & ~wanted;
    }
    if ((ready.required | ready.optional) == 0) continue;
    surely_wakes_ = surely_wakes_ || ready.required != 0;
    maybe_wakes_ = maybe_wakes_ || ready.optional != 0;
    merge_ready(ready);
  }
  refresh_silence();
}

// implements: LOOP-011 item 3 (a nested poll adds to the list; an fd already on it has its bands
// merged, as the loop merges repeated reports)
void LoopModel::merge_ready(const ReadyFd& ready) {
  auto it = std::find_if(pending_fds_.begin(), pending_fds_.end(), [&](const ReadyFd& r) { return r.end == ready.end; });
  if (it == pending_fds_.end()) {
    pending_fds_.push_back(ready);
    return;
  }
  it->required |= ready.required;
  it->optional = (it->optional | ready.optional) & ~it->required;
  it->by_this_poll = true;
}

bool LoopModel::must_call(int end, unsigned required, Band b) const {
  return fds_[end].registered && (required & bit(b)) != 0 && fds_[end].handler[static_cast<int>(b)] >= 0;
}

// A pending fd whose required bands all lack a handler right now may take its turn silently.
void LoopModel::refresh_silence() {
  for (ReadyFd& ready : pending_fds_) {
    bool any = false;
    for (Band b : all_bands) any = any || must_call(ready.end, ready.required, b);
    if (!any) ready.may_be_silent = true;
  }
}

// implements: FD-006, FD-007 (a band that is ready and has a handler at its turn is called)
Verdict LoopModel::check_skipped(int end, unsigned bands, const char* why) const {
  for (Band b : all_bands)
    if ((bands & bit(b)) != 0 && must_call(end, current_fd_->required, b))
      return "[FD-006] " + end_name(end) + "." + band_name(b) + " was ready at the poll and has a handler, but " + why;
  return std::nullopt;
}

namespace {
// Bands strictly after `last` (an index in all_bands order), or strictly before `limit`.
unsigned bands_after(int last) {
  unsigned mask = 0;
  for (int i = last + 1; i < 3; ++i) mask |= bit(all_bands[i]);
  return mask;
}
unsigned bands_before(int limit) {
  unsigned mask = 0;
  for (int i = 0; i < limit; ++i) mask |= bit(all_bands[i]);
  return mask;
}
int order_of(Band b) { return b == Band::err ? 0 : b == Band::in ? 1 : 2; }
}  // namespace

Verdict LoopModel::close_current_fd() {
  if (!current_fd_) return std::nullopt;
  const Verdict v = check_skipped(current_fd_->end, bands_after(current_last_band_), "it was skipped");
  current_fd_.reset();
  return v;
}

// implements: FD-004, FD-007, FD-008
Verdict LoopModel::on_fd(const Event& event) {
  const int end = event.object.index;
  const int order = order_of(event.band);
  if (current_fd_ && current_fd_->end == end) {
    if (order <= current_last_band_)
      return "[FD-007] " + describe(event) + " ran after a later band of the same fd in one round";
    if (auto v = check_skipped(end, bands_before(order) & bands_after(current_last_band_), "it was skipped")) return v;
  } else {
    if (auto v = close_current_fd()) return v;
    auto it = std::find_if(pending_fds_.begin(), pending_fds_.end(), [end](const ReadyFd& r) { return r.end == end; });
    if (it == pending_fds_.end()) {
      if (!fds_[end].registered) return "[FD-008] " + describe(event) + " ran although the fd is not registered (FD-004)";
      return "[FD-007] " + describe(event) + " ran but the fd was not ready at the poll, or its turn in this round had passed";
    }
    current_fd_ = *it;
    pending_fds_.erase(it);
    current_last_band_ = -1;
    if (auto v = check_skipped(end, bands_before(order), "a later band ran first")) return v;
  }
  // Only a report of this poll shows that the poll woke (an enclosing round's leftover does not).
  saw_fd_callback_ = saw_fd_callback_ || current_fd_->by_this_poll;
  if (((current_fd_->required | current_fd_->optional) & bit(event.band)) == 0)
    return "[FD-007] " + describe(event) + " ran but band " + band_name(event.band) + " was not ready at the poll";
  const int handler = fds_[end].handler[static_cast<int>(event.band)];
  if (handler != event.script)
    return "[FD-007] " + describe(event) + " ran, but the handler read at call time is " +
           (handler < 0 ? std::string("none") : "s" + std::to_string(handler));
  current_last_band_ = order;
  run_script(event.script, event.object);
  refresh_silence();
  return std::nullopt;
}

// implements: FD-006 (level-triggered: a ready fd with a handler is called in this round)
Verdict LoopModel::missing_fd_callbacks() const {
  for (const ReadyFd& ready : pending_fds_) {
    if (ready.may_be_silent) continue;
    std::string bands;
    for (Band b : all_bands)
      if (must_call(ready.end, ready.required, b)) bands += " " + band_name(b);
    return "[FD-006] " + end_name(ready.end) + " was ready at the poll (bands" + bands +
           " with handlers) but none of its handlers ran in the round";
  }
  return std::nullopt;
}

}  // namespace refloop::model::loop
