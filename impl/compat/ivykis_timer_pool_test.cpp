// SPDX-License-Identifier: ISC
// White-box tests of the TimerPool behind registered iv_timers (ivykis_internal.hpp): the
// refloop::Timers it lends must never be lent twice at once, whatever the order of lending and
// giving back (IVAPI-013: each registered timer is its own timer on the loop's heap), and it
// lends in the order its comment promises (the most recently given back first; from the first
// chunk again, in address order, once all are back), which is what keeps registrations from
// allocating and their memory accesses near each other. No loop is needed, so no child process.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "ivykis_internal.hpp"

namespace refloop::ivykis {
namespace {

// Lends the pool's timers to owners and remembers which ones are out.
class Borrower {
 public:
  explicit Borrower(std::size_t count) : owners_(count) {}

  Timer* lend(std::size_t owner) {
    Timer* timer = &pool_.lend(owners_[owner], Timer{.cookie = &owners_[owner]});
    EXPECT_TRUE(out_.insert(timer).second) << "timer " << timer << " lent twice at once";
    return timer;
  }
  void give_back(Timer* timer) {
    EXPECT_EQ(out_.erase(timer), 1u);
    pool_.give_back(*timer);
  }
  std::set<const iv_timer*> lent_owners() {
    std::set<const iv_timer*> seen;
    pool_.for_each_lent([&](iv_timer& owner) { seen.insert(&owner); });
    return seen;
  }
  TimerPool& pool() { return pool_; }
  iv_timer& owner(std::size_t index) { return owners_[index]; }

 private:
  TimerPool pool_;
  std::vector<iv_timer> owners_;
  std::set<const Timer*> out_;
};

// [req:IVAPI-013] Never two owners on one timer, and a lent timer keeps what it was given:
// lends and give-backs in a fixed pseudo-random order, over owner sets that keep the number lent
// near zero (the pool empties and refills again and again) and then spread it over several
// chunks.
TEST(IvTimerPool, IVAPI_013_no_timer_is_lent_twice) {
  constexpr std::size_t owners = 700;  // more than two chunks
  Borrower borrower(owners);
  std::vector<Timer*> out(owners, nullptr);
  std::uint32_t state = 1;
  auto pick = [&](std::size_t below) {
    state = state * 1103515245u + 12345u;  // a fixed LCG: the same sequence on every run
    return static_cast<std::size_t>(state >> 8) % below;
  };
  for (const std::size_t width : {2u, 3u, 700u, 5u, 400u, 2u}) {
    for (int step = 0; step < 5000; ++step) {
      const std::size_t owner = pick(width);
      if (out[owner] == nullptr) {
        out[owner] = borrower.lend(owner);
      } else {
        EXPECT_EQ(out[owner]->cookie, &borrower.owner(owner));
        borrower.give_back(std::exchange(out[owner], nullptr));
      }
    }
  }
}

// [req:IVAPI-013] While some timers stay lent, the one given back last is lent next, so a steady
// set of registrations reuses a small, warm set of timers and allocates nothing.
TEST(IvTimerPool, IVAPI_013_the_last_given_back_is_lent_first) {
  Borrower borrower(4);
  Timer* kept = borrower.lend(0);
  Timer* a = borrower.lend(1);
  Timer* b = borrower.lend(2);
  borrower.give_back(a);
  borrower.give_back(b);
  EXPECT_EQ(borrower.lend(3), b);
  EXPECT_EQ(borrower.lend(1), a);
  EXPECT_NE(kept, nullptr);
}

// The order a burst of n registrations ends in when timers fire in another order than they were
// lent: a fixed permutation (a multiplier coprime to n).
std::size_t scattered(std::size_t i, std::size_t n) { return (i * 7919) % n; }

// [req:IVAPI-013] Once every timer is back, lending starts again from the first one, in the order
// of a fresh pool (address order), however scattered the give-backs were; for_each_lent sees exactly the owners lent to,
// and give_back_all leaves none.
TEST(IvTimerPool, IVAPI_013_an_empty_pool_lends_in_address_order_again) {
  constexpr std::size_t n = 600;
  Borrower borrower(n);
  std::vector<Timer*> first(n);
  for (std::size_t i = 0; i < n; ++i) first[i] = borrower.lend(i);
  for (std::size_t i = 0; i < n; ++i) borrower.give_back(first[scattered(i, n)]);
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(borrower.lend(i), first[i]) << "lend " << i;
  EXPECT_EQ(borrower.lent_owners().size(), n);
  borrower.pool().give_back_all();
  EXPECT_TRUE(borrower.lent_owners().empty());
  EXPECT_EQ(&borrower.pool().lend(borrower.owner(0), Timer{}), first[0]);
}

}  // namespace
}  // namespace refloop::ivykis
