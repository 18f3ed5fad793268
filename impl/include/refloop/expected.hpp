// SPDX-License-Identifier: ISC
// A small stand-in for C++23 std::expected: either a value or an error code, never both. refloop
// reports bad input through these instead of exceptions or errno, so every caller sees the
// reason at the call site. Reading the wrong alternative is a programming error and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <variant>

namespace refloop {

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E>
class Expected {
 public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Expected(Unexpected<E> failure) : state_(std::in_place_index<1>, failure.error) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] const T& value() const& { require(true); return std::get<0>(state_); }
  [[nodiscard]] T& value() & { require(true); return std::get<0>(state_); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }
  [[nodiscard]] E error() const { require(false); return std::get<1>(state_); }

 private:
  void require(bool want_value) const {
    if (has_value() != want_value) {
      std::fprintf(stderr, "refloop::Expected: read the %s of a result that holds the other\n",
                   want_value ? "value" : "error");
      std::abort();
    }
  }
  std::variant<T, E> state_;
};

}  // namespace refloop
