// SPDX-License-Identifier: ISC
// A real pipe for the emulators' own tests (model/os/*_test.cpp): both ends closed on
// destruction unless a test closed one already (and set it to -1), a byte put, the read end
// drained. Real fds, because the emulators learn readiness from the real poll(2) beneath.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

namespace refloop::os::test {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void put() const { ASSERT_EQ(::write(write_end, "x", 1), 1); }
  // Reads until a short read; the tests' pipes are small, so one pass empties them.
  void drain() const {
    char buffer[64];
    while (::read(read_end, buffer, sizeof buffer) == static_cast<ssize_t>(sizeof buffer)) {
    }
  }
};

}  // namespace refloop::os::test
