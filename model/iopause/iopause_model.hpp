// SPDX-License-Identifier: ISC
// The model of iopause (spec/iopause.md), written to be obviously right: a world is a few pipes
// and socketpairs described by numbers (bytes buffered, ends closed), the entries point into it,
// and the answer of each implementation, the native timeout and the simulated clock afterwards
// follow from short rules. Mirrors impl/iopause: the steps (interest, wait, revents, count), the
// three native timeouts, and iopause_stamp's loop. Times are model::Time (model/time).
#pragma once

#include <poll.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "../time/tain_model.hpp"  // relative: some users include this model without model/ on the path

namespace refloop::model::iopause_model {

enum class Impl { ppoll, poll, select };
inline constexpr Impl all_impls[] = {Impl::ppoll, Impl::poll, Impl::select};

// The names the suites use for the implementations (spec/iopause.md, IOPAUSE-004).
struct NamedImpl {
  std::string_view name;
  Impl impl;
};
inline constexpr NamedImpl impl_names[] = {
    {"ppoll", Impl::ppoll}, {"poll", Impl::poll}, {"select", Impl::select}};
// The implementation a name stands for; ppoll (the default) for a name it does not know.
inline Impl impl_named(std::string_view name) {
  for (const NamedImpl& entry : impl_names)
    if (entry.name == name) return entry.impl;
  return Impl::ppoll;
}

inline constexpr short read_mask = POLLIN | POLLHUP;
inline constexpr short write_mask = POLLOUT;
inline constexpr short except_mask = POLLERR | POLLHUP | POLLNVAL;

// A pipe (end 0 reads, end 1 writes) or a connected AF_UNIX stream socketpair (ends 0 and 1).
// bytes[e] is what sits in the buffer that end e reads from (written before any end closed).
struct Channel {
  bool socketpair = false;
  unsigned bytes[2] = {0, 0};  // pipe: bytes[1] is unused (the write end reads nothing)
  bool closed[2] = {false, false};
};

// An entry: an end of a channel, or a negative fd.
struct Entry {
  bool negative = false;
  unsigned channel = 0;
  unsigned end = 0;
  short events = 0;
};

struct World {
  std::vector<Channel> channels;
  std::vector<Entry> entries;
};

// What Linux's poll reports for an open end, before filtering by events (POLLIN, POLLOUT,
// POLLHUP, POLLERR). The socketpair rules are those of net/unix (a peer that closes with unread
// data in its own buffer leaves ECONNRESET, i.e. POLLERR, on the survivor).
inline short kernel_mask(const Channel& c, unsigned end) {
  const unsigned peer = 1 - end;
  short mask = 0;
  if (!c.socketpair) {
    if (end == 0) {
      if (c.bytes[0] > 0) mask |= POLLIN;
      if (c.closed[1]) mask |= POLLHUP;
    } else {
      mask |= POLLOUT;  // the model's byte counts never fill a pipe
      if (c.closed[0]) mask |= POLLERR;
    }
    return mask;
  }
  if (c.bytes[end] > 0 || c.closed[peer]) mask |= POLLIN;
  if (c.closed[peer]) mask |= POLLHUP;
  if (c.closed[peer] && c.bytes[peer] > 0) mask |= POLLERR;
  mask |= POLLOUT;  // small byte counts never fill a socket buffer
  return mask;
}

// [IOPAUSE-011]
inline bool events_valid(short events) { return (events & ~(read_mask | write_mask | except_mask)) == 0; }

// [IOPAUSE-010, 020..023] The normalised revents of one entry under one implementation.
inline short revents(const World& w, const Entry& e, Impl impl) {
  const bool wants_read = (e.events & POLLIN) != 0;
  const bool wants_write = (e.events & POLLOUT) != 0;
  if (e.negative || (!wants_read && !wants_write)) return 0;
  const Channel& c = w.channels[e.channel];
  short classes_if_ready = 0;
  if (wants_read) classes_if_ready |= read_mask;
  if (wants_write) classes_if_ready |= write_mask;
  if (c.closed[e.end]) return static_cast<short>(POLLNVAL | classes_if_ready);
  const short k = kernel_mask(c, e.end);
  short r = 0;
  if (wants_read && (k & (POLLIN | POLLHUP | POLLERR))) r |= read_mask;
  if (wants_write && (k & (POLLOUT | POLLERR))) r |= write_mask;
  if (r == 0 && impl != Impl::select) r = static_cast<short>(k & (POLLHUP | POLLERR));
  return r;
}

// The answer of one call of an implementation on a simulated clock.
struct Answer {
  int result = 0;
  int error = 0;  // errno when result is -1
  std::vector<short> revents;
  Time clock_after{};
  bool deadlock = false;  // the simulated clock refused a wait forever (SimulatedDeadlock)
};

inline Time wanted_wait(const std::optional<Time>& deadline, Time stamp) {
  if (!deadline) return make(std::uint64_t{1} << 61, 0);  // tain_infinite_relative
  return less(stamp, *deadline) ? sub(*deadline, stamp) : Time{};
}

// [IOPAUSE-003, 012..014, 024, 025] One call on a SimulatedClock that reads `clock`.
inline Answer call(const World& w, Impl impl, const std::optional<Time>& deadline, Time stamp,
                   Time clock) {
  Answer a;
  a.clock_after = clock;
  a.revents.assign(w.entries.size(), 0);
  for (const Entry& e : w.entries) {
    if (!events_valid(e.events)) {
      a.result = -1;
      a.error = EINVAL;
      return a;
    }
  }
  for (std::size_t i = 0; i < w.entries.size(); ++i) {
    a.revents[i] = revents(w, w.entries[i], impl);
    if (a.revents[i] != 0) ++a.result;
  }
  if (a.result > 0) return a;
  // An idle wait of tain_infinite_relative or more is "forever" to a SimulatedClock (CLOCK-006).
  const Time wanted = wanted_wait(deadline, stamp);
  if (!less(wanted, make(std::uint64_t{1} << 61, 0))) {
    a.deadlock = true;
    return a;
  }
  a.clock_after = add(clock, wanted);
  return a;
}

// [IOPAUSE-030..033] iopause_stamp on a SimulatedClock: the answer and the stamp afterwards.
struct StampAnswer {
  Answer last;
  Time stamp{};
};

inline StampAnswer stamp_call(const World& w, Impl impl, const std::optional<Time>& deadline,
                              Time stamp, Time clock) {
  for (;;) {
    Answer a = call(w, impl, deadline, stamp, clock);
    if (a.deadlock) return StampAnswer{a, stamp};
    clock = a.clock_after;
    stamp = clock;
    if (a.result != 0) return StampAnswer{a, stamp};
    if (!less(stamp, *deadline)) return StampAnswer{a, stamp};
  }
}

// [IOPAUSE-015, 016, 040, 041, 043] The native timeout each implementation passes for an allowed
// wait, as (seconds, sub-second units) in the native unit: ppoll ns, poll ms (seconds unused),
// select µs.
struct Native {
  std::int64_t sec = 0;
  std::int64_t sub = 0;
  friend bool operator==(const Native&, const Native&) = default;
};

inline Native native_timeout(Impl impl, Time allowed) {
  const u128 ns = allowed.ns;
  const std::int64_t longest = static_cast<std::int64_t>(time_t_max);  // 2^31 - 1 s on armhf (TAIN-015)
  switch (impl) {
    case Impl::ppoll:
      if (ns / billion > static_cast<u128>(time_t_max)) return Native{longest, 999'999'999};
      return Native{static_cast<std::int64_t>(ns / billion), static_cast<std::int64_t>(ns % billion)};
    case Impl::poll: {
      const u128 ms = (ns + 999'999) / 1'000'000;
      return Native{0, ms > INT_MAX ? INT_MAX : static_cast<std::int64_t>(ms)};
    }
    case Impl::select: {
      const u128 us = (ns + 999) / 1000;
      if (us / 1'000'000 > static_cast<u128>(time_t_max)) return Native{longest, 999'999};
      return Native{static_cast<std::int64_t>(us / 1'000'000), static_cast<std::int64_t>(us % 1'000'000)};
    }
  }
  return Native{};
}

}  // namespace refloop::model::iopause_model
