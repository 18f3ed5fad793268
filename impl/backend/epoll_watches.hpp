// SPDX-License-Identifier: ISC
// The epoll backend's kernel watches, one per fd number (spec/loop.md, FD-012 to FD-015). The
// kernel keys an epoll entry by the open file *and* the fd number it was added under, and drops
// it only when the file's last descriptor closes; refloop can name an entry only by fd number.
// So the table is indexed by fd number, and each entry's event data carries the number and a tag
// that changes whenever a new kernel entry is made for that number: an event whose tag is not the
// one its number's watch holds comes from an entry refloop no longer owns, and is dropped.
#pragma once

#include <cstdint>
#include <vector>

#include "refloop/loop/fd.hpp"

namespace refloop::detail {

struct EpollWatch {
  Fd* owner = nullptr;      // the registered Fd this watch reports to; null when stale or idle
  std::uint32_t tag = 0;    // the tag in the kernel entry's event data (never 0)
  std::uint8_t bands = 0;   // bands the kernel entry watches; 0: refloop made no entry (or it
                            // is gone); band_err alone is an entry with an empty mask
  bool stale = false;       // its owner unregistered; the flush removes it unless reused (FD-012)
  bool lingering = false;   // an entry made under this number may still be in the set, where
                            // refloop cannot name it any more (FD-014)
};

class EpollWatches {
 public:
  // The watch of fd number `fd`, or nullptr when the table has never reached that number (so
  // nothing is known of it). Asking never grows the table: a number the kernel has not accepted
  // may be any int (IVAPI-029).
  EpollWatch* find(int fd) {
    const auto index = static_cast<std::size_t>(fd);
    return index < watches_.size() ? &watches_[index] : nullptr;
  }
  // The watch of fd number `fd`, made idle the first time it is asked for. Only for a number
  // the kernel accepted (an open fd, so below the fd limit): the table grows up to it.
  EpollWatch& at(int fd) {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= watches_.size()) watches_.resize(index + 1);
    return watches_[index];
  }
  // The watch of fd number `fd`, which the table has reached already (a number whose watch has a
  // kernel entry, or had one): at() without its growth code.
  EpollWatch& existing(int fd) { return watches_[static_cast<std::size_t>(fd)]; }
  // The watch an event's data names, if it is a live watch holding that tag; else nullptr.
  EpollWatch* claimed_by(std::uint64_t data) {
    const auto index = static_cast<std::size_t>(static_cast<std::uint32_t>(data));
    const auto tag = static_cast<std::uint32_t>(data >> 32);
    if (index >= watches_.size()) return nullptr;
    EpollWatch& watch = watches_[index];
    if (watch.owner == nullptr || watch.bands == 0 || watch.tag != tag) return nullptr;
    return &watch;
  }
  // A tag no kernel entry of this backend has had yet (0 is skipped when the count wraps).
  std::uint32_t fresh_tag() {
    if (++last_tag_ == 0) ++last_tag_;
    return last_tag_;
  }
  // The event data of fd number `fd` under `tag`.
  static std::uint64_t event_data(int fd, std::uint32_t tag) {
    return (static_cast<std::uint64_t>(tag) << 32) | static_cast<std::uint32_t>(fd);
  }
  std::vector<EpollWatch>& all() { return watches_; }

 private:
  std::vector<EpollWatch> watches_;
  std::uint32_t last_tag_ = 0;
};

}  // namespace refloop::detail
