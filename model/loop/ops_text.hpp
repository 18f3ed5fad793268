// SPDX-License-Identifier: ISC
// The text form of the operation vocabulary (spec/model.md, MODEL-001): one operation per line,
// `#` comments, canonical printing. Property-test failures print sequences in this form, the
// fuzz interpreter reads it, and a printed sequence parses back to the same operations.
//
//   pipe | socketpair                    create the next channel c0, c1, ...
//   write c0b 5 | read c0a 5 | close c0b a channel end is c<channel><a|b>
//   reg c0a | unreg c0a                  register or unregister an end's Fd
//   set c0a.in s1 | set c0a.err -        an Fd handler: script s<n>, or none
//   reg t0 +5 | reg t0 -5 | unreg t0     a timer at now + 5 ns (now - 5 ns)
//   reg k0 | unreg k0 | stamp k0         a task
//   set t0 s2 | set k0 s2                the script a timer or task runs
//   advance 1000 | run | run nowait | quit
//   script s1: read c0a 8, unreg t1, quit   what a handler running s1 does
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "loop/ops.hpp"
#include "refloop/expected.hpp"

namespace refloop::model::loop {

struct ParseError {
  std::size_t line = 0;  // 1-based
  std::string message;
};

Expected<std::vector<Op>, ParseError> parse_ops(std::string_view text);

std::string format_ref(const Ref& ref);
std::string format_op(const Op& op);
std::string format_ops(const std::vector<Op>& ops);  // one line per op, each ending in '\n'

}  // namespace refloop::model::loop
