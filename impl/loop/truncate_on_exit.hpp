// SPDX-License-Identifier: ISC
// A guard for the loop's stacked lists (expired timers, handled fds; spec/loop.md LOOP-011): a
// step that appends its own part to a list shared with nested runs truncates the list back to
// where its part began when it ends, also when a handler's exception leaves the step early.
#pragma once

#include <cstddef>
#include <vector>

namespace refloop::detail {

template <typename T>
class TruncateOnExit {
 public:
  TruncateOnExit(std::vector<T>& list, std::size_t size) : list_(list), size_(size) {}
  ~TruncateOnExit() { list_.resize(size_); }
  TruncateOnExit(const TruncateOnExit&) = delete;
  TruncateOnExit& operator=(const TruncateOnExit&) = delete;

 private:
  std::vector<T>& list_;
  std::size_t size_;
};

}  // namespace refloop::detail
