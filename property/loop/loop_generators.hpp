// SPDX-License-Identifier: ISC
// RapidCheck generators of loop operations (model/loop/ops.hpp), weighted towards sequences that
// make things happen: data on registered fds, timers at equal and adjacent expiries, tasks and
// handler scripts that unregister, re-register and quit. Ends are drawn from the channels that
// exist; indices stay low (timers t0..t5, tasks k0..k3) so objects collide often.
#pragma once

#include <rapidcheck.h>

#include "loop/ops.hpp"
#include "loop/ops_text.hpp"

namespace refloop::model::loop {
// How RapidCheck prints an Op in a counterexample: its text form.
inline void showValue(const Op& op, std::ostream& os) { os << format_op(op); }
}  // namespace refloop::model::loop

namespace refloop::loopcheck {

using namespace refloop::model::loop;

inline rc::Gen<Ref> fd_refs(int channels) {
  const int ends = channels == 0 ? max_ends : 2 * channels;
  return rc::gen::map(rc::gen::inRange(0, ends), [](int end) { return Ref{Kind::fd, static_cast<std::uint8_t>(end)}; });
}
inline rc::Gen<Ref> timer_refs() {
  return rc::gen::map(rc::gen::element(0, 0, 1, 1, 2, 2, 3, 4, 5), [](int i) { return Ref{Kind::timer, static_cast<std::uint8_t>(i)}; });
}
inline rc::Gen<Ref> task_refs() {
  return rc::gen::map(rc::gen::inRange(0, 4), [](int i) { return Ref{Kind::task, static_cast<std::uint8_t>(i)}; });
}
inline rc::Gen<Ref> any_refs(int channels) {
  return rc::gen::weightedOneOf<Ref>({{4, fd_refs(channels)}, {2, timer_refs()}, {2, task_refs()}});
}
// An end that can write (any socket end, a pipe's end b) or read (a socket end, a pipe's end a),
// given which channels are socket pairs; any end when no channel exists yet.
inline rc::Gen<Ref> ends_that(int channels, unsigned sockets, bool writing) {
  if (channels == 0) return fd_refs(0);
  return rc::gen::exec([=] {
    const int channel = *rc::gen::inRange(0, channels);
    const bool socket = (sockets >> channel) & 1u;
    const int side = socket ? *rc::gen::inRange(0, 2) : (writing ? 1 : 0);
    return Ref{Kind::fd, static_cast<std::uint8_t>(2 * channel + side)};
  });
}

inline rc::Gen<std::int64_t> byte_counts() { return rc::gen::element<std::int64_t>(1, 1, 2, 3, 5, 8, 40); }
// Delays around zero (past, now, 1 ns apart) and a few longer ones.
inline rc::Gen<std::int64_t> delays() {
  return rc::gen::element<std::int64_t>(-2, -1, 0, 0, 1, 1, 2, 3, 4, 5, 7, 1000, 1000000);
}
inline rc::Gen<std::int64_t> advances() { return rc::gen::element<std::int64_t>(0, 1, 1, 2, 5, 1000, 1000000); }
inline rc::Gen<int> scripts() { return rc::gen::inRange(0, max_scripts); }
inline rc::Gen<Band> bands() { return rc::gen::element(Band::err, Band::in, Band::in, Band::out); }

inline Op op_of(Code code, Ref target = {}, std::int64_t amount = 0) { return Op{code, target, Band::in, -1, amount, {}}; }

inline rc::Gen<Op> set_ops(int channels) {
  return rc::gen::exec([channels] {
    const Ref target = *rc::gen::weightedOneOf<Ref>({{6, fd_refs(channels)}, {1, timer_refs()}, {1, task_refs()}});
    Op op = op_of(Code::set, target);
    if (target.kind == Kind::fd) {
      op.banded = true;
      op.band = *bands();
      op.handler = *rc::gen::weightedOneOf<int>({{3, scripts()}, {1, rc::gen::just(-1)}});
    } else {
      op.handler = *scripts();
    }
    return op;
  });
}

inline rc::Gen<Op> reg_ops(int channels) {
  return rc::gen::exec([channels] {
    const Ref target = *any_refs(channels);
    return op_of(Code::reg, target, target.kind == Kind::timer ? *delays() : 0);
  });
}

inline const Ref self_ref{Kind::self, 0};

// A script's change of its own caller's handler: set self.<band> for an fd, set self for others.
inline rc::Gen<Op> set_self_ops() {
  return rc::gen::exec([] {
    Op op = op_of(Code::set, self_ref);
    op.banded = *rc::gen::weightedOneOf<bool>({{3, rc::gen::just(true)}, {1, rc::gen::just(false)}});
    op.band = op.banded ? *bands() : Band::in;
    op.handler = op.banded ? *rc::gen::inRange(-1, max_scripts) : *scripts();
    return op;
  });
}

// What a handler does when it is called (MODEL-002): often to itself (drain, unregister, change
// a sibling handler, register again), otherwise to any object.
inline rc::Gen<Op> actions(int channels) {
  return rc::gen::weightedOneOf<Op>({
      {3, rc::gen::exec([channels] { return op_of(Code::read, *fd_refs(channels), *byte_counts()); })},
      {3, rc::gen::exec([] { return op_of(Code::read, self_ref, *byte_counts()); })},
      {2, rc::gen::exec([channels] { return op_of(Code::write, *fd_refs(channels), *byte_counts()); })},
      {4, reg_ops(channels)},
      {1, rc::gen::just(op_of(Code::reg, self_ref))},
      {4, rc::gen::exec([channels] { return op_of(Code::unreg, *any_refs(channels)); })},
      {2, rc::gen::exec([] { return op_of(Code::unreg, *timer_refs()); })},
      {3, rc::gen::just(op_of(Code::unreg, self_ref))},
      {3, set_ops(channels)},
      {3, set_self_ops()},
      {1, rc::gen::exec([] { return op_of(Code::stamp, *task_refs()); })},
      {1, rc::gen::just(op_of(Code::quit))},
      {1, rc::gen::just(op_of(Code::run))},         // a nested run (MODEL-007, LOOP-011)
      {1, rc::gen::just(op_of(Code::run_nowait))},
  });
}

inline rc::Gen<Op> script_ops(int channels) {
  return rc::gen::exec([channels] {
    Op op = op_of(Code::script);
    op.handler = *scripts();
    op.body = *rc::gen::container<std::vector<Op>>(*rc::gen::inRange(1, max_script_length + 1), actions(channels));
    return op;
  });
}

// One top-level operation, given how many channels exist and which are socket pairs (bit i).
inline rc::Gen<Op> operations(int channels, unsigned sockets) {
  const int create_weight = channels == 0 ? 12 : channels < max_channels ? 2 : 0;
  return rc::gen::weightedOneOf<Op>({
      {create_weight, rc::gen::element(op_of(Code::pipe), op_of(Code::socketpair))},
      {6, rc::gen::exec([=] { return op_of(Code::write, *ends_that(channels, sockets, true), *byte_counts()); })},
      {3, rc::gen::exec([=] { return op_of(Code::read, *ends_that(channels, sockets, false), *byte_counts()); })},
      {2, rc::gen::exec([channels] { return op_of(Code::close, *fd_refs(channels)); })},
      {8, reg_ops(channels)},
      {5, rc::gen::exec([] { return op_of(Code::reg, *timer_refs(), *delays()); })},
      {2, rc::gen::exec([channels] { return op_of(Code::unreg, *any_refs(channels)); })},
      {6, set_ops(channels)},
      {1, rc::gen::exec([] { return op_of(Code::stamp, *task_refs()); })},
      {3, rc::gen::exec([] { return op_of(Code::advance, {}, *advances()); })},
      {12, rc::gen::just(op_of(Code::run))},
      {1, rc::gen::just(op_of(Code::run_nowait))},
      {1, rc::gen::just(op_of(Code::quit))},
      {6, script_ops(channels)},
  });
}

}  // namespace refloop::loopcheck
