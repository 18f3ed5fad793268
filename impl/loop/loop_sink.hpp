// SPDX-License-Identifier: ISC
// Forwards the backend's readiness reports to the loop (spec/loop.md BACKEND-002: the single
// upcall). Declared here so that its one call, ready(), is defined in fd.cpp beside
// Loop::fd_ready, which is inlined into it: the upcall runs once per ready fd per poll.
#pragma once

#include "backend/backend.hpp"
#include "refloop/loop/loop.hpp"

namespace refloop {

class detail::LoopSink final : public detail::ReadySink {
 public:
  explicit LoopSink(Loop& loop) : loop_(loop) {}
  void ready(Fd& fd, unsigned bands) override;  // fd.cpp

 private:
  Loop& loop_;
};

}  // namespace refloop
