// SPDX-License-Identifier: ISC
// Unit tests of the operation text form (spec/model.md MODEL-001, MODEL-002): every operation
// parses, prints canonically and parses back; bad input names its line.
#include <gtest/gtest.h>

#include "loop/ops_text.hpp"

namespace refloop::model::loop {
namespace {

const char* const every_operation =
    "pipe\n"
    "socketpair\n"
    "write c0b 5\n"
    "read c0a 4096\n"
    "close c1a\n"
    "reg c3b\n"
    "unreg c0a\n"
    "set c0a.in s1\n"
    "set c0a.err -\n"
    "set c2b.out s3\n"
    "reg t0 +5\n"
    "reg t7 -1000000000000\n"
    "unreg t1\n"
    "set t2 s0\n"
    "reg k0\n"
    "unreg k7\n"
    "stamp k6\n"
    "set k1 s2\n"
    "advance 1000\n"
    "run\n"
    "run nowait\n"
    "quit\n"
    "script s1: read c0a 8, unreg t1, reg t2 -3, quit\n"
    "script s2: read self 1, unreg self, set self.out -, set self s3\n"
    "script s0:\n";

// [req:MODEL-001]
TEST(OpsText, MODEL_001_every_operation_round_trips) {
  const auto ops = parse_ops(every_operation);
  ASSERT_TRUE(ops.has_value()) << ops.error().message;
  EXPECT_EQ(ops->size(), 25u);
  EXPECT_EQ(format_ops(*ops), every_operation);
  EXPECT_EQ(*parse_ops(format_ops(*ops)), *ops);
}

// [req:MODEL-001]
TEST(OpsText, MODEL_001_comments_blank_lines_and_spacing) {
  const auto ops = parse_ops("# a comment\n\n  write   c0b\t7   # trailing\r\nrun");
  ASSERT_TRUE(ops.has_value());
  EXPECT_EQ(format_ops(*ops), "write c0b 7\nrun\n");
  const auto negative_zero = parse_ops("reg t0 -0");
  ASSERT_TRUE(negative_zero.has_value());
  EXPECT_EQ(format_ops(*negative_zero), "reg t0 +0\n");
}

// [req:MODEL-001]
TEST(OpsText, MODEL_001_bad_input_names_the_line) {
  const struct {
    const char* text;
    const char* message_part;
  } cases[] = {
      {"run\nfly", "unknown operation 'fly'"},
      {"run\nwrite c4a 1", "not a channel end"},
      {"write c0a 4097", "byte count"},
      {"write c0a -1", "byte count"},
      {"reg t0 5", "signed delay"},
      {"reg t8 +5", "not an object"},
      {"reg c0a +5", "takes no delay"},
      {"set c0a s1", "c0a.in"},
      {"set c0a.up s1", "not a band"},
      {"set t0 -", "not a script"},
      {"set k0.in s1", "c0a.in"},
      {"stamp t0", "wrong object"},
      {"advance 1000000000001", "advance"},
      {"advance 99999999999999999999999", "advance"},
      {"run later", "nowait"},
      {"script s4: quit", "script"},
      {"script s1 quit", "script"},
      {"script s1: advance 1", "not allowed in a script"},
      {"script s1: pipe", "not allowed in a script"},
      {"script s1: quit,", "empty operation"},
      {"script s1: quit, quit, quit, quit, quit", "at most 4"},
      {"unreg self", "only meaningful in a script"},
      {"script s1: reg self +1", "no delay"},
  };
  for (const auto& c : cases) {
    const auto result = parse_ops(c.text);
    ASSERT_FALSE(result.has_value()) << c.text;
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos) << c.text << ": " << result.error().message;
  }
  EXPECT_EQ(parse_ops("run\n\nfly").error().line, 3u);
}

// [req:MODEL-002]
TEST(OpsText, MODEL_002_script_actions) {
  for (Code code : {Code::write, Code::read, Code::reg, Code::unreg, Code::set, Code::stamp, Code::quit, Code::run,
                    Code::run_nowait})
    EXPECT_TRUE(allowed_in_script(code));
  for (Code code : {Code::pipe, Code::socketpair, Code::close, Code::advance, Code::script})
    EXPECT_FALSE(allowed_in_script(code));
}

}  // namespace
}  // namespace refloop::model::loop
