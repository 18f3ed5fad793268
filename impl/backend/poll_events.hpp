// SPDX-License-Identifier: ISC
// poll(2)'s event bits and refloop's bands (spec/loop.md, BACKEND-003, BACKEND-009), for every
// backend whose kernel speaks poll(2)'s language: poll, ppoll and select (pollfd_backend.cpp),
// /dev/poll (devpoll.cpp) and event ports (port.cpp). One translation, so the backends cannot
// drift apart on what a hangup means.
#pragma once

#include <poll.h>

#include "refloop/loop/backend_traits.hpp"
#include "refloop/loop/fd.hpp"

namespace refloop::detail {

// implements: BACKEND-009 (the events to ask for). POLLHUP and POLLERR are reported whatever is
// asked; an fd with only handler_err is watched as the backend's trait says: as readable (POLLIN,
// which an error or a hangup implies: iopause cannot wait for errors alone), or for errors alone
// (POLLHUP by itself, so that the fd is in the set with a mask no unread data matches).
constexpr short poll_events_for(unsigned bands, BackendTraits::ErrOnly err_only) {
  short events = 0;
  if (bands & band_in) events |= POLLIN;
  if (bands & band_out) events |= POLLOUT;
  if (err_only == BackendTraits::ErrOnly::as_readable && (bands & band_err) != 0) events |= POLLIN;
  if (err_only == BackendTraits::ErrOnly::errors_only && events == 0) events = POLLHUP;
  return events;
}

// implements: BACKEND-003 (in and out as reported; POLLERR or POLLHUP reports in, out and err
// together)
constexpr unsigned bands_from_revents(int revents) {
  unsigned bands = 0;
  if (revents & POLLIN) bands |= band_in;
  if (revents & POLLOUT) bands |= band_out;
  if (revents & (POLLERR | POLLHUP)) bands |= band_in | band_out | band_err;
  return bands;
}

}  // namespace refloop::detail
