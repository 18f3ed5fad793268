// SPDX-License-Identifier: ISC
// The ppoll / poll / select backends' shared body (spec/loop.md, BACKEND). Updates touch only
// the user-space array, so they are immediate and cost no system call. The wait is iopause's own
// (detail::wait) one step beneath skalibs' normalisation (spec/iopause.md, IOPAUSE-020, which
// hides whether a readable fd has data or an error or hangup): with the raw revents, POLLERR and
// POLLHUP become the err band (BACKEND-003) from the one call. select(2) has only its read and
// write sets, so on the select backend one zero-timeout poll(2) over just the fds it found ready
// asks the kernel for POLLERR / POLLHUP. A closed registered fd is fatal (FD-010): poll's
// POLLNVAL would otherwise make every wait return at once with nothing to do.
#include "pollfd_backend.hpp"

#include <poll.h>
#include <sys/select.h>

#include <cerrno>
#include <cstring>

#include "iopause/iopause_steps.hpp"
#include "poll_events.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::detail {

namespace {

// iopause cannot wait for errors alone (IOPAUSE-010 ignores an entry asking for neither class),
// so an fd with only handler_err is watched for readability, which an error or hangup implies.
short events_for(unsigned bands) { return poll_events_for(bands, BackendTraits::ErrOnly::as_readable); }

// What the pollfd backends keep per fd (detail::backend_state): where its entry is, valid while
// registered_bands != 0.
struct PollfdFdState {
  std::int32_t entry;  // index into entries_ and owners_
};

std::int32_t& entry_of(Fd& fd) { return backend_state<PollfdFdState>(fd).entry; }

[[noreturn]] void closed_while_registered(std::string_view backend, int fd) {
  fatal("%.*s backend: fd %d was closed while registered (POLLNVAL)",
        static_cast<int>(backend.size()), backend.data(), fd);
}

}  // namespace

void PollfdBackend::add_entry(Fd& fd) {
  entry_of(fd) = static_cast<std::int32_t>(entries_.size());
  entries_.push_back(iopause_fd{fd.fd, events_for(fd.state.wanted_bands), 0});
  owners_.push_back(&fd);
}

// Swap-remove: the last entry fills the hole and learns its new index.
void PollfdBackend::remove_entry(Fd& fd) {
  const auto hole = static_cast<std::size_t>(entry_of(fd));
  entries_[hole] = entries_.back();
  owners_[hole] = owners_.back();
  entry_of(*owners_[hole]) = static_cast<std::int32_t>(hole);
  entries_.pop_back();
  owners_.pop_back();
  entry_of(fd) = 0;
}

// implements: BACKEND-002 (no kernel call at all; the array is read at the next wait)
void PollfdBackend::notify(Fd& fd) {
  const unsigned wanted = fd.state.wanted_bands;
  if (wanted == fd.state.registered_bands) return;
  if (fd.state.registered_bands == 0) {
    add_entry(fd);
  } else if (wanted == 0) {
    remove_entry(fd);
  } else {
    entries_[static_cast<std::size_t>(entry_of(fd))].events = events_for(wanted);
  }
  fd.state.registered_bands = static_cast<std::uint8_t>(wanted);
}

// implements: BACKEND-008 (a non-blocking check through the same iopause step; a closed fd
// fails with EBADF, which ivykis's poll method leaves in errno as 0)
int PollfdBackend::notify_sync(Fd& fd) {
  iopause_fd probe{fd.fd, POLLIN | POLLOUT, 0};
  const int result = check_now(which_, std::span(&probe, 1), sys_, ReventsForm::raw);
  if (result < 0) return errno;
  if (probe.revents & POLLNVAL) return EBADF;
  notify(fd);
  return 0;
}

void PollfdBackend::forget(Fd& fd) {
  if (fd.state.registered_bands != 0) remove_entry(fd);
  fd.state.registered_bands = 0;
}

void PollfdBackend::report_failure(int error) const {
  if (error == EMFILE) {
    for (const iopause_fd& entry : entries_)
      if (entry.fd >= FD_SETSIZE)
        fatal("%.*s backend: fd %d is not below FD_SETSIZE (%d)", static_cast<int>(name_.size()),
              name_.data(), entry.fd, FD_SETSIZE);
  }
  fatal("%.*s backend: iopause failed: error %d[%s]", static_cast<int>(name_.size()), name_.data(),
        error, std::strerror(error));
}

// select's answer has no POLLERR / POLLHUP: ask poll(2), without waiting, about the fds it found
// ready (EINTR: none are reported, and the read and write classes stand alone).
void PollfdBackend::probe_hangups() {
  probe_.clear();
  for (std::size_t i : ready_) probe_.push_back(pollfd{entries_[i].fd, 0, 0});
  if (sys_.poll->poll(probe_.data(), probe_.size(), 0) < 0)
    for (pollfd& entry : probe_) entry.revents = 0;
  for (std::size_t k = 0; k < ready_.size(); ++k) hangups_seen_[k] = probe_[k].revents;
}

// implements: BACKEND-003 (in and out from the wait's revents; POLLERR or POLLHUP reports all
// three bands). The lists are members, cleared and refilled, so a steady loop allocates nothing
// here once they have grown to the most fds ready at once.
void PollfdBackend::report_ready(ReadySink& sink) {
  ready_.clear();
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].revents != 0) ready_.push_back(i);
  hangups_seen_.resize(ready_.size());
  if (hangups_ == Hangups::probed) {
    probe_hangups();
  } else {
    for (std::size_t k = 0; k < ready_.size(); ++k) hangups_seen_[k] = entries_[ready_[k]].revents;
  }
  for (std::size_t k = 0; k < ready_.size(); ++k) {
    const iopause_fd& entry = entries_[ready_[k]];
    const short hangups = hangups_seen_[k];
    if ((entry.revents | hangups) & POLLNVAL) closed_while_registered(name_, entry.fd);
    // The readiness the wait reported, and the hangups the wait or (select) the probe saw.
    const int seen = (entry.revents & (POLLIN | POLLOUT)) | (hangups & (POLLERR | POLLHUP));
    sink.ready(*owners_[ready_[k]], bands_from_revents(seen));
  }
}

// implements: BACKEND-004 (iopause's wait: deadline - stamp rounded up to the native unit, the
// idle report to the clock)
void PollfdBackend::poll(const tain& deadline, const tain& stamp, Clock& clock, ReadySink& sink) {
  const int result =
      wait(which_, entries_, wait_deadline(deadline), stamp, clock, sys_, ReventsForm::raw);
  if (result < 0) {
    if (errno == EINTR) return;
    report_failure(errno);
  }
  if (result > 0) report_ready(sink);
}

}  // namespace refloop::detail
