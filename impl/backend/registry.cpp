// SPDX-License-Identifier: ISC
// The backend registry (spec/loop.md, BACKEND-005..008): the backends compiled in, in
// preference order, construction by name, and the default choice with REFLOOP_BACKEND and
// ivykis's IV_EXCLUDE_POLL_METHOD. A loop owns its backend, so unlike ivykis the choice is per
// loop, not process-global; the environment is read each time a default loop is created.
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "backend.hpp"
#include "refloop/loop/fatal.hpp"

namespace refloop::detail {

namespace {

struct Entry {
  const BackendTraits& traits;  // traits.emulated: listed last, never the default (OS-006)
  std::unique_ptr<Backend> (*make)(const kernel::SysCalls& sys);
  [[nodiscard]] std::string_view name() const { return traits.name; }
};

// implements: BACKEND-005 (preference order: the kernel's native interfaces first, then the
// iopause family, as in ivykis: port, devpoll, epoll, epoll-timerfd, kqueue, ppoll, poll, then select,
// which ivykis lacks. Unlike ivykis, plain epoll comes before epoll-timerfd: its epoll_pwait2
// already keeps deadlines to the nanosecond where the kernel has it, without the timerfd_settime
// a new deadline costs), OS-200 (the emulated backends last, never taken by default)
const Entry preference[] = {
#if REFLOOP_HAVE_PORT
    {port_traits, make_port_backend},
#endif
#if REFLOOP_HAVE_DEVPOLL
    {devpoll_traits, make_devpoll_backend},
#endif
#if REFLOOP_HAVE_EPOLL
    {epoll_traits, make_epoll_backend},
#endif
#if REFLOOP_HAVE_EPOLL_TIMERFD
    {epoll_timerfd_traits, make_epoll_timerfd_backend},
#endif
#if REFLOOP_HAVE_KQUEUE
    {kqueue_traits, make_kqueue_backend},
#endif
#if REFLOOP_HAVE_IOPAUSE
    {ppoll_traits, make_ppoll_backend},
    {poll_traits, make_poll_backend},
    {select_traits, make_select_backend},
#endif
    {kqueue_emu_traits, make_kqueue_emu_backend},
    {devpoll_emulated_traits, make_emulated_devpoll_backend},
    {port_emulated_traits, make_emulated_port_backend},
};

std::string compiled_list() {
  std::string list;
  for (const Entry& entry : preference) (list += ' ') += entry.name();
  return list;
}

// ivykis reads its environment only when the real and effective user agree, so a setuid
// program cannot be steered by its caller; refloop does the same for both variables.
const char* trusted_getenv(const char* name) {
  if (getuid() != geteuid()) return nullptr;
  return std::getenv(name);
}

// implements: BACKEND-007 (whitespace-separated names; a name excludes exactly that backend)
bool excluded(std::string_view name, const char* exclude_list) {
  if (exclude_list == nullptr) return false;
  std::string_view rest(exclude_list);
  const char* blanks = " \t\n\r\f\v";
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(blanks);
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = rest.find_first_of(blanks);
    if (rest.substr(0, end) == name) return true;
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  return false;
}

}  // namespace

std::unique_ptr<Backend> make_backend(std::string_view name, const kernel::SysCalls& sys) {
  for (const Entry& entry : preference)
    if (entry.name() == name) return entry.make(sys);
  return nullptr;
}

// implements: FATAL-005 (a name compiled in whose creation failed is not reported as missing)
std::unique_ptr<Backend> make_backend_or_fatal(std::string_view what, std::string_view name,
                                               const kernel::SysCalls& sys) {
  if (auto backend = make_backend(name, sys)) return backend;
  const bool compiled = traits_of(name) != nullptr;
  fatal("%.*s backend \"%.*s\" is not available: %s (compiled in:%s)", static_cast<int>(what.size()),
        what.data(), static_cast<int>(name.size()), name.data(),
        compiled ? "it is compiled in but could not be created here" : "it is not compiled in",
        compiled_list().c_str());
}

// implements: BACKEND-006, BACKEND-007
std::unique_ptr<Backend> choose_default_backend(const kernel::SysCalls& sys) {
  if (const char* forced = trusted_getenv("REFLOOP_BACKEND"); forced != nullptr && *forced)
    return make_backend_or_fatal("Loop::Loop: REFLOOP_BACKEND:", forced, sys);
  const char* exclude_list = trusted_getenv("IV_EXCLUDE_POLL_METHOD");
  for (const Entry& entry : preference) {
    if (entry.traits.emulated || excluded(entry.name(), exclude_list)) continue;
    if (auto backend = entry.make(sys)) return backend;
  }
  fatal("Loop::Loop: no usable backend (compiled:%s; IV_EXCLUDE_POLL_METHOD=\"%s\")",
        compiled_list().c_str(), exclude_list ? exclude_list : "");
}

// implements: BACKEND-005
std::vector<std::string_view> backend_names() {
  std::vector<std::string_view> names;
  for (const Entry& entry : preference) names.push_back(entry.name());
  return names;
}

const BackendTraits* traits_of(std::string_view name) {
  for (const Entry& entry : preference)
    if (entry.name() == name) return &entry.traits;
  return nullptr;
}

}  // namespace refloop::detail
