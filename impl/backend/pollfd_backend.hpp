// SPDX-License-Identifier: ISC
// The common body of the ppoll, poll and select backends (spec/loop.md, BACKEND): a dense
// array of iopause_fd entries, one per fd with at least one handler, waited on through
// impl/iopause, so the loop and iopause share one waiting path. The backend files poll.cpp,
// ppoll.cpp and select.cpp only name the iopause implementation they use and whether it can see
// errors and hangups (select cannot).
#pragma once

#include <poll.h>

#include <vector>

#include "backend.hpp"
#include "refloop/iopause/iopause.hpp"

namespace refloop::detail {

// The traits the three pollfd backends share; each backend file adds its timeout unit and cap,
// whether it sees every hangup, and its fd limit.
constexpr BackendTraits pollfd_traits(std::string_view name, tain unit, tain cap,
                                      bool sees_all_hangups, int fd_limit) {
  // The backend's name is the iopause implementation it waits with, and so the wait call.
  return BackendTraits{
      .name = name,
      .timeout_unit = unit,
      .timeout_cap = cap,
      .err_only = BackendTraits::ErrOnly::as_readable,  // iopause cannot wait for errors alone
      .sees_hangup_of_unwritable_out_only_fd = sees_all_hangups,
      .closed_fd = BackendTraits::ClosedFd::at_wait,  // POLLNVAL
      .regular_file = BackendTraits::RegularFile::always_ready,
      .fd_limit = fd_limit,
      .lazy_registration = false,  // the array is the kernel's input at every wait
      .timer_task_order_may_vary = false,
      .wait_call = name,
      .interest_call = {},
      .fallback_wait_call = {},
      .fallback_timeout_unit = tain_zero,
      .timer_call = {},
  };
}

// The largest native timeouts iopause passes (spec/iopause.md, IOPAUSE-015).
constexpr tain int_max_milliseconds = tain::normalised(2'147'483, 647'000'000);
constexpr tain largest_timeval = tain::normalised(9'223'372'036'854'775'807u, 999'999'000);

class PollfdBackend final : public Backend {
 public:
  // Whether the native call reports POLLERR and POLLHUP itself (poll, ppoll), or the fds it
  // found ready must be asked about them with a zero-timeout poll(2) (select).
  enum class Hangups { reported, probed };

  PollfdBackend(const BackendTraits& traits, IopauseImpl which, Hangups hangups,
                const kernel::SysCalls& sys)
      : name_(traits.name), which_(which), hangups_(hangups), sys_(sys) {}

  [[nodiscard]] std::string_view name() const override { return name_; }
  void poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) override;
  void notify(Fd& fd) override;
  int notify_sync(Fd& fd) override;
  void forget(Fd& fd) override;
  int prepare_flags(int fd) override { return set_nonblocking_and_cloexec(*sys_.fd, fd); }

 private:
  void add_entry(Fd& fd);
  void remove_entry(Fd& fd);
  void report_failure(int error) const;
  void report_ready(ReadySink& sink);
  void probe_hangups();

  std::string_view name_;
  IopauseImpl which_;
  Hangups hangups_;
  kernel::SysCalls sys_;  // every system call goes through these tables
  std::vector<iopause_fd> entries_;  // entries_[i] watches owners_[i]->fd
  std::vector<Fd*> owners_;          // the fd's PollfdFdState::entry is the index into both
  // Scratch lists of report_ready, kept so their storage is reused from one wait to the next.
  std::vector<std::size_t> ready_;   // indices of the entries with revents
  std::vector<short> hangups_seen_;  // per ready entry: the revents that may hold POLLERR/POLLHUP
  std::vector<pollfd> probe_;        // select only: the zero-timeout poll(2) over ready_
};

}  // namespace refloop::detail
