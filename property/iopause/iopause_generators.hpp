// SPDX-License-Identifier: ISC
// RapidCheck generators for iopause worlds (model/iopause): up to 6 pipes and socketpairs with
// small byte counts and any ends closed, up to 10 entries pointing at their ends (duplicates
// allowed) or negative, with events from the valid masks, now and then an invalid bit; plus
// deadline/stamp/clock triples that reach "deadline passed", "deadline equal", "no deadline"
// and wrapped values. Shared by the property tests of property/iopause.
#pragma once

#include <rapidcheck.h>

#include <optional>
#include <vector>

#include "iopause/iopause_model.hpp"
#include "time/time_generators.hpp"

namespace refloop::testgen {

namespace mi = model::iopause_model;

inline rc::Gen<short> iopause_events() {
  using v = std::vector<short>;
  const v usual{mi::read_mask, mi::write_mask, mi::read_mask | mi::write_mask, POLLIN, POLLIN | POLLOUT};
  const v ignored{0, mi::except_mask, mi::read_mask | mi::except_mask, POLLHUP, POLLERR | POLLOUT};
  const v invalid{POLLPRI, POLLIN | POLLRDHUP, POLLOUT | POLLPRI};
  return rc::gen::weightedOneOf<short>({{12, rc::gen::elementOf(usual)},
                                        {3, rc::gen::elementOf(ignored)},
                                        {1, rc::gen::elementOf(invalid)}});
}

inline rc::Gen<mi::Channel> iopause_channels() {
  return rc::gen::apply(
      [](bool socketpair, unsigned b0, unsigned b1, bool c0, bool c1) {
        mi::Channel c;
        c.socketpair = socketpair;
        c.bytes[0] = b0;
        c.bytes[1] = socketpair ? b1 : 0;
        c.closed[0] = c0;
        c.closed[1] = c1;
        return c;
      },
      rc::gen::arbitrary<bool>(), rc::gen::element(0u, 0u, 1u, 7u, 200u),
      rc::gen::element(0u, 0u, 1u, 9u), rc::gen::weightedElement<bool>({{3, false}, {1, true}}),
      rc::gen::weightedElement<bool>({{3, false}, {1, true}}));
}

inline rc::Gen<mi::World> iopause_worlds() {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, 7), [](std::size_t channels) {
    const auto entry = rc::gen::apply(
        [](bool negative, unsigned channel, unsigned end, short events) {
          return mi::Entry{negative, channel, end, events};
        },
        rc::gen::weightedElement<bool>({{9, false}, {1, true}}),
        rc::gen::inRange<unsigned>(0, static_cast<unsigned>(channels)), rc::gen::inRange(0u, 2u),
        iopause_events());
    return rc::gen::apply(
        [](std::vector<mi::Channel> cs, std::vector<mi::Entry> es) { return mi::World{cs, es}; },
        rc::gen::container<std::vector<mi::Channel>>(channels, iopause_channels()),
        rc::gen::resize(10, rc::gen::container<std::vector<mi::Entry>>(entry)));
  });
}

// stamp, deadline (maybe none), clock reading.
struct WaitSetup {
  tain stamp;
  std::optional<tain> deadline;
  tain clock;
};

inline rc::Gen<WaitSetup> wait_setups() {
  return rc::gen::apply(
      [](tain stamp, int deadline_kind, tain delta, tain any, int clock_kind, tain other) {
        std::optional<tain> deadline;
        switch (deadline_kind) {
          case 0: deadline = std::nullopt; break;
          case 1: deadline = stamp; break;
          case 2: deadline = stamp + delta; break;
          case 3: deadline = stamp - delta; break;
          default: deadline = any; break;
        }
        const tain clock = clock_kind == 0 ? stamp : clock_kind == 1 ? stamp + delta : other;
        return WaitSetup{stamp, deadline, clock};
      },
      tains(), rc::gen::inRange(0, 5), tains(), tains(), rc::gen::inRange(0, 3), tains());
}

}  // namespace refloop::testgen
