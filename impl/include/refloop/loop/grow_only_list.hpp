// SPDX-License-Identifier: ISC
// A list appended to on hot paths (an fd's report in each poll, an unregistered fd's stale watch,
// an <iv.h> registration): its entries are the first size() of storage that only grows, and grows
// out of line. A std::vector's push_back inlines its reallocation code, and with it register saves
// and restores on every call (measured with callgrind: about 25 instructions per fd report in the
// loop's upcall, six saved registers in iv_fd_register); here the common path is a compare and a
// store, and the growth a cold call. Internal to refloop (namespace detail).
#pragma once

#include <cstddef>
#include <vector>

namespace refloop::detail {

template <class T, std::size_t first_capacity>
class GrowOnlyList {
  static_assert(first_capacity > 0);

 public:
  // Appends value. With nothing after it in the caller, the growth is a tail call.
  void append(T value) {
    if (size_ == storage_.size()) [[unlikely]] return append_after_growth(value);
    storage_[size_++] = value;
  }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  T& operator[](std::size_t index) { return storage_[index]; }
  const T& operator[](std::size_t index) const { return storage_[index]; }
  // Removes and returns the last entry; the list is not empty.
  T take_last() { return storage_[--size_]; }
  // Forgets every entry; the storage stays for the next appends.
  void clear() { size_ = 0; }

 private:
  [[gnu::cold, gnu::noinline]] void append_after_growth(T value) {
    storage_.resize(storage_.empty() ? first_capacity : 2 * storage_.size());
    storage_[size_++] = value;
  }

  std::vector<T> storage_;  // its size is the capacity; entries at size_ and after are unused
  std::size_t size_ = 0;
};

}  // namespace refloop::detail
