// SPDX-License-Identifier: ISC
// The ivykis adapter's probes (conformance/README.md, "Probes"): the <iv.h> calls without the
// adapter's usual checks, so a case sees what the implementation does on misuse (IVAPI-007..015:
// fatal, naming the call), what iv_fd_register_try answers (IVAPI-008), which flags and socket
// options registration leaves (IVAPI-007, IVAPI-023), and how iv_fatal ends (IVAPI-020, -021).
#include <cstdio>

#include "fatal_capture.hpp"
#include "ivykis_misuse_probes.hpp"
#include "ivykis_loop_internal.hpp"
#include "probe_fds.hpp"

namespace refloop::conformance::loop_suite::ivykis_adapter {

std::optional<std::string> IvykisLoopAdapter::unsupported_probe(const Probe&) const { return method_problem_; }

std::string IvykisLoopAdapter::probe(const Probe& probe) {
  const int i = probe.op.target.index;
  if (is_misuse_probe(probe.name)) return misuse_probe(probe.name, probe.text);
  if (is_ivykis_probe(probe.name) && probe.name != "register-bad-expiry") return api_probe(probe.name);
  if (probe.name == "backend-name") return iv_poll_method_name() != nullptr ? iv_poll_method_name() : "none";
  if (probe.name == "fatal") iv_fatal("%s", probe.text.c_str());
  if (probe.name == "default-fatal-handler") {
    iv_set_fatal_msg_handler(nullptr);
    return "";
  }
  if (probe.op.target.kind != Kind::fd || probe.name.rfind("register", 0) == 0 || probe.name == "unregister" ||
      probe.name == "set-handler")
    return probe_registration(probe);
  return channel_end_probe(probe.name, i, channels_, fds_[i].fd).value_or("");
}

std::string IvykisLoopAdapter::probe_registration(const Probe& probe) {
  const int i = probe.op.target.index;
  const std::string& name = probe.name;
  if (probe.op.target.kind == Kind::timer) {
    iv_validate_now();
    timers_[i].expires = iv_now;
    if (name == "register-bad-expiry") timers_[i].expires.tv_nsec = 1'000'000'000;  // [req:IVAPI-013]
    if (name == "register" || name == "register-bad-expiry") iv_timer_register(&timers_[i]);
    if (name == "unregister") iv_timer_unregister(&timers_[i]);
    return "";
  }
  if (probe.op.target.kind == Kind::task) {
    if (name == "register") register_task(i);
    if (name == "unregister") unregister_task(i);
    return "";
  }
  iv_fd& fd = fds_[i];
  if (name == "register-negative") fd.fd = -1;
  if (name == "register" || name == "register-negative") iv_fd_register(&fd);
  if (name == "register-try") {
    errno = 0;
    const int result = iv_fd_register_try(&fd);
    return result == 0 ? "0" : errno_name(errno);
  }
  if (name == "register-try-high") return register_try_high(fd);
  if (name == "unregister") iv_fd_unregister(&fd);
  if (name == "set-handler") {
    fd_script_[i][static_cast<int>(probe.op.band)] = probe.op.handler;
    const HandlerFn handler = fd_handler(probe.op.band, probe.op.handler);
    if (probe.op.band == Band::in) iv_fd_set_handler_in(&fd, handler);
    if (probe.op.band == Band::out) iv_fd_set_handler_out(&fd, handler);
    if (probe.op.band == Band::err) iv_fd_set_handler_err(&fd, handler);
  }
  return "";
}

// [req:BACKEND-010] the same channel end, duplicated at or above FD_SETSIZE.
std::string IvykisLoopAdapter::register_try_high(iv_fd& fd) {
  iv_fd high;
  IV_FD_INIT(&high);
  high.fd = dup_high(fd.fd);
  if (high.fd < 0) return "cannot duplicate above FD_SETSIZE";
  errno = 0;
  const int result = iv_fd_register_try(&high);
  const int error = errno;
  if (result == 0) iv_fd_unregister(&high);
  ::close(high.fd);
  return result == 0 ? "0" : errno_name(error);
}

}  // namespace refloop::conformance::loop_suite::ivykis_adapter
