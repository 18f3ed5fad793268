# SPDX-License-Identifier: ISC
"""What ci/bench measures: the library configurations, their roles, and the sizes per mode."""
import resource
from dataclasses import dataclass

# Roles: refloop (under test), peer (the libraries refloop is measured against), iopause-peer
# (skalibs, the reference for refloop's iopause), bound (raw loops: lower bounds, not peers).
PEER_ROLES = ("peer",)


@dataclass(frozen=True)
class Setup:
    program: str   # bench-PROGRAM in the build folder
    config: str    # --config ("" = the library's default)
    role: str
    benchmarks: tuple = ("io", "lateness")

    @property
    def name(self):
        return f"{self.program}/{self.config}" if self.config else self.program


LOOP = ("io", "timers", "lateness")
REFLOOP_BACKENDS = ("epoll", "epoll-timerfd", "ppoll", "poll", "select")
# The epoll backend's millisecond fallback (spec/loop.md, BACKEND-012), forced by refusing
# epoll_pwait2: timer lateness only, against epoll (epoll_pwait2) and epoll-timerfd.
EPOLL_WITHOUT_PWAIT2 = "epoll~no-pwait2"
IOPAUSE_FUNCTIONS = ("ppoll", "poll", "select")
# The raw loop that makes the same system calls per re-armed fd as a refloop backend.
REARMING_BOUND = {"epoll": "raw-epoll-rearm", "epoll-timerfd": "raw-epoll-rearm",
                  "poll": "raw-poll-flags", "ppoll": "raw-poll-flags", "select": "raw-poll-flags"}


def setups():
    """Every configuration, refloop's first; unavailable ones drop out at run time (exit 3)."""
    result = [Setup("refloop-cxx", b, "refloop", LOOP) for b in REFLOOP_BACKENDS]
    result.append(Setup("refloop-cxx", EPOLL_WITHOUT_PWAIT2, "refloop", ("lateness",)))
    result += [Setup("refloop-iv", b, "refloop", LOOP) for b in REFLOOP_BACKENDS]
    result += [Setup("ivykis", m, "peer", LOOP) for m in ("epoll-timerfd", "epoll", "ppoll")]
    result += [Setup(p, "", "peer", LOOP) for p in ("libev", "libevent", "libuv")]
    for function in IOPAUSE_FUNCTIONS:
        result.append(Setup("skalibs", function, "iopause-peer"))
        result.append(Setup("refloop-skalibs", function, "refloop"))
        result.append(Setup("refloop-iopause", function, "refloop"))
    result += [Setup("raw-epoll", "", "bound"), Setup("raw-poll", "", "bound")]
    # The raw loops re-arming as refloop must (FD-020's one EPOLL_CTL_ADD, FD-009's two fcntl):
    # I/O only, the bounds refloop's run phase is read against.
    result += [Setup(REARMING_BOUND[b], "", "bound", ("io",)) for b in ("epoll", "poll")]
    return result


def uses_select(setup):
    return setup.config == "select"


def fd_limit():
    """The hard RLIMIT_NOFILE: the programs raise their soft limit to it."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


@dataclass
class Mode:
    name: str
    rounds: int
    reps: int                 # timed repetitions inside one process (its median is the round's)
    channel_counts: dict      # channel kind -> N values
    timer_counts: list
    timer_reps: int
    lateness_budget_ms: int
    quick_timer_setups: bool  # quick: timers on refloop's epoll and ivykis's default only
    soak_asan_backends: tuple


def mode(name):
    limit = fd_limit()
    eventfd_max, socketpair_max = limit - 100, (limit - 100) // 2
    if name == "smoke":  # the driver's self-check: every path once, tiny sizes, seconds
        return Mode("smoke", rounds=2, reps=1, channel_counts={"eventfd": [100, 1000], "socketpair": [100]},
                    timer_counts=[1000], timer_reps=1, lateness_budget_ms=30,
                    quick_timer_setups=True, soak_asan_backends=("epoll",))
    if name == "quick":
        return Mode("quick", rounds=3, reps=3,
                    channel_counts={"eventfd": [100, 1000, 10000, eventfd_max],
                                    "socketpair": [100, 1000, socketpair_max]},
                    timer_counts=[1000, 100000], timer_reps=2, lateness_budget_ms=600,
                    quick_timer_setups=True, soak_asan_backends=("epoll",))
    if name == "timers":  # ci/bench timers: the timer benchmark alone, quick mode's libraries
        return Mode("timers", rounds=3, reps=1, channel_counts={}, timer_counts=[1000, 100000, 1000000],
                    timer_reps=3, lateness_budget_ms=0, quick_timer_setups=True, soak_asan_backends=())
    return Mode("full", rounds=3, reps=5,
                channel_counts={"eventfd": [100, 300, 1000, 3000, 10000, eventfd_max],
                                "socketpair": [100, 300, 1000, 3000, socketpair_max]},
                timer_counts=[1000, 100000, 1000000], timer_reps=3, lateness_budget_ms=4500,
                quick_timer_setups=False, soak_asan_backends=REFLOOP_BACKENDS)


def select_allows(kind, channels):
    """select's fd_set holds fds below FD_SETSIZE (1024): eventfds use one fd per channel,
    socketpairs two."""
    return channels <= (1000 if kind == "eventfd" else 500)


def timer_setups(all_setups, current):
    chosen = [s for s in all_setups if "timers" in s.benchmarks]
    if current.quick_timer_setups:
        keep = {"refloop-cxx/epoll", "refloop-iv/epoll", "ivykis/epoll-timerfd"}
        chosen = [s for s in chosen if s.role != "refloop" and s.program != "ivykis" or s.name in keep]
    return chosen


def count_setups(all_setups, current):
    """Syscall and instruction counts: deterministic, so one pass; quick mode counts the epoll
    and default configurations (and skalibs' ppoll) only."""
    if current.name == "full":
        return list(all_setups)
    if current.name == "smoke":
        return [s for s in all_setups if s.name in ("refloop-cxx/epoll", "libev")]
    keep = {"refloop-cxx/epoll", "refloop-iv/epoll", "ivykis/epoll-timerfd", "libev", "libevent",
            "libuv", "skalibs/ppoll", "refloop-skalibs/ppoll", "refloop-iopause/ppoll", "raw-epoll",
            "raw-poll"}
    return [s for s in all_setups if s.name in keep]
