// SPDX-License-Identifier: ISC
// Fuzz target iopause_world (spec/iopause.md, REVENTS, WAIT, STAMP): the input decodes into a
// world (up to 4 pipes or socketpairs with a few buffered bytes and closed ends, up to 8 entries,
// negative fds and invalid events included), a stamp, a deadline (none, passed, equal, ahead, or
// anything) and a simulated clock reading. Every byte string decodes (missing bytes read as 0).
// Each implementation and iopause_stamp must agree with model/iopause; the simulated clock makes
// every wait a non-blocking check, and the world closes all it opened before the next input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "iopause/real_world.hpp"
#include "refloop/iopause/iopause.hpp"

namespace {

namespace mi = refloop::model::iopause_model;
using refloop::tain;

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return v;
  }
  tain time() {
    const std::uint64_t sec = u64();
    const std::uint32_t nano = static_cast<std::uint32_t>(u64() % 1'000'000'000);
    return tain::normalised(sec, nano);
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

constexpr short event_table[16] = {
    mi::read_mask, mi::write_mask, mi::read_mask | mi::write_mask, POLLIN, POLLIN | POLLOUT, POLLOUT,
    mi::read_mask, mi::write_mask, 0, mi::except_mask, POLLHUP, POLLERR | POLLOUT,
    mi::read_mask | mi::except_mask, POLLPRI, POLLIN | POLLRDHUP, static_cast<short>(0x7fff)};

mi::World decode_world(Reader& in) {
  mi::World w;
  const unsigned channels = 1 + in.byte() % 4;
  for (unsigned i = 0; i < channels; ++i) {
    const std::uint8_t flags = in.byte();
    mi::Channel c;
    c.socketpair = flags & 1;
    c.closed[0] = flags & 2;
    c.closed[1] = flags & 4;
    c.bytes[0] = in.byte() % 32;
    c.bytes[1] = c.socketpair ? in.byte() % 32 : 0;
    w.channels.push_back(c);
  }
  const unsigned entries = in.byte() % 9;
  for (unsigned i = 0; i < entries; ++i) {
    const std::uint8_t where = in.byte();
    mi::Entry e;
    e.negative = where == 0xff;
    e.channel = (where >> 1) % channels;
    e.end = where & 1;
    e.events = event_table[in.byte() % 16];
    w.entries.push_back(e);
  }
  return w;
}

struct Setup {
  tain stamp;
  std::optional<tain> deadline;
  tain clock;
};

Setup decode_setup(Reader& in) {
  Setup s;
  s.stamp = in.time();
  const std::uint8_t kind = in.byte();
  const tain delta = in.time();
  switch (kind % 5) {
    case 0: s.deadline = std::nullopt; break;
    case 1: s.deadline = s.stamp; break;
    case 2: s.deadline = s.stamp + delta; break;
    case 3: s.deadline = s.stamp - delta; break;
    default: s.deadline = delta; break;
  }
  const std::uint8_t clock_kind = in.byte();
  s.clock = clock_kind % 3 == 0 ? s.stamp : clock_kind % 3 == 1 ? s.stamp + delta : in.time();
  return s;
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
  }
}

refloop::model::Time model_time(const tain& t) { return refloop::model::make(t.sec(), t.nano()); }
std::optional<refloop::model::Time> model_time(const std::optional<tain>& t) {
  if (!t) return std::nullopt;
  return model_time(*t);
}

refloop::IopauseImpl to_impl(mi::Impl impl) {
  return impl == mi::Impl::ppoll  ? refloop::IopauseImpl::ppoll
         : impl == mi::Impl::poll ? refloop::IopauseImpl::poll
                                  : refloop::IopauseImpl::select;
}

// [req:IOPAUSE-021] [req:IOPAUSE-024] One call of one implementation against the model.
void check_call(const mi::World& world, mi::Impl impl, const Setup& s) {
  mi::RealWorld real(world);
  std::vector<refloop::iopause_fd> fds = real.entries();
  refloop::SimulatedClock clock(s.clock);
  const mi::Answer want = mi::call(world, impl, model_time(s.deadline), model_time(s.stamp), model_time(s.clock));
  try {
    errno = 0;
    const int got = refloop::iopause_function(to_impl(impl))(fds, s.deadline ? &*s.deadline : nullptr, s.stamp, clock);
    require(!want.deadlock, "returned where the model deadlocks");
    require(got == want.result, "result differs from the model");
    if (got < 0) require(errno == want.error, "errno differs from the model");
    for (std::size_t i = 0; i < fds.size(); ++i) require(fds[i].revents == want.revents[i], "revents differ from the model");
    require(model_time(clock.now()) == want.clock_after, "clock afterwards differs from the model");
  } catch (const refloop::SimulatedDeadlock&) {
    require(want.deadlock, "deadlock where the model returns");
  }
}

// [req:IOPAUSE-032] iopause_stamp against the model.
void check_stamp(const mi::World& world, mi::Impl impl, const Setup& s) {
  mi::RealWorld real(world);
  std::vector<refloop::iopause_fd> fds = real.entries();
  refloop::SimulatedClock clock(s.clock);
  const mi::StampAnswer want = mi::stamp_call(world, impl, model_time(s.deadline), model_time(s.stamp), model_time(s.clock));
  tain stamp = s.stamp;
  try {
    const int got = refloop::iopause_stamp(fds, s.deadline ? &*s.deadline : nullptr, stamp, clock, to_impl(impl));
    require(!want.last.deadlock, "iopause_stamp returned where the model deadlocks");
    require(got == want.last.result, "iopause_stamp result differs from the model");
    require(model_time(stamp) == want.stamp, "stamp afterwards differs from the model");
  } catch (const refloop::SimulatedDeadlock&) {
    require(want.last.deadlock, "iopause_stamp deadlock where the model returns");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  const mi::World world = decode_world(in);
  const Setup setup = decode_setup(in);
  for (mi::Impl impl : mi::all_impls) {
    check_call(world, impl, setup);
    check_stamp(world, impl, setup);
  }
  return 0;
}
