#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The benchmark driver behind ci/bench: runs every benchmark program (bench/programs/) in
rotated rounds, counts system calls (strace) and instructions (callgrind), samples timer
lateness, runs the churn soak, and writes bench/RESULTS.md and the plots in bench/plots/.
  bench/run.py --mode quick|full --build build/bench [--asan-build build/bench-asan]"""
import argparse
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "driver"))
import measure  # noqa: E402
import plan  # noqa: E402
import plots  # noqa: E402
import report  # noqa: E402

PEER_PACKAGES = ("libev-dev", "libevent-dev", "libuv1-dev", "libivykis-dev", "skalibs-dev")


def machine_notes():
    versions = []
    for package in PEER_PACKAGES:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
        versions.append(f"{package} {done.stdout or '?'}")
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{os.cpu_count()} CPUs, Linux {platform.release()}, load average at start {' '.join(load)}; "
            f"fd limit {plan.fd_limit()}; peers: {', '.join(versions)}")


def write_results(path, mode, setups, timer_setups, results, counts, soaks, made_plots, notes, elapsed):
    table = report.Table(results, setups)
    out = [f"# Benchmark results ({mode.name} mode)\n",
           f"Written by `ci/bench {mode.name}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in "
           f"{elapsed / 60:.1f} minutes. {notes}.\n",
           f"Each figure is the median over {mode.rounds} rounds (one process per library and configuration "
           f"per round, libraries in a rotated order; each process reports the median of its {mode.reps} timed "
           "repetitions), then its ratio to the best peer (ivykis, libev, libevent, libuv) in the same run, "
           "then the spread between rounds ((max - min) / median). Times on a shared machine drift; the "
           "ratios and the counts are the figures to compare. bench/README.md says what each benchmark does.\n",
           "## I/O chain (100 active channels, 100 writes)\n",
           report.io_section(table, mode, "total_us", "Total: setup + run"),
           report.io_section(table, mode, "setup_us", "Setup: re-arm every watcher"),
           report.io_section(table, mode, "run_us", "Run: the chain"),
           report.iopause_section(table, mode),
           "## Timers\n",
           report.timers_section(table, mode, timer_setups),
           "## System calls and instructions (the stable figures)\n",
           "Counted with `strace -f -c` and `valgrind --tool=callgrind`, each as the difference between a "
           "process with 3 timed repetitions and one with 1 (so startup cancels). I/O: socketpair chain; "
           "per re-armed fd is the slope between N=100 and N=1000, per message the rest of a round "
           "(200 messages). Timers: T=10000, per operation of a round (start, cancel, start, expire). "
           "Ratios to the best peer in parentheses.\n",
           report.counts_section(counts, setups),
           "## Timer lateness on the real clock\n",
           "p50 / p99 / max of (callback time - expiry), in us, on each library's own clock (libev, libevent "
           "and libuv take relative timeouts: their expiry is CLOCK_MONOTONIC read before the timer starts, so "
           "a measured value is never earlier than the true one). One timer at a time; the sample count per "
           f"deadline is {mode.lateness_budget_ms} ms / (3 x deadline), between 5 and 1000. "
           "The kernel's default timer slack (50 us) is part of every figure.\n",
           report.lateness_section(table, setups),
           "## Churn soak\n",
           "refloop's C++ loop: 10^6 iterations of random register/unregister on the fds and on 1000 timers "
           "(expiries 0-2 ms ahead), a write to a random eventfd and a non-blocking iteration every 64 steps. "
           "RSS from /proc/self/statm; the asan rows run under LeakSanitizer.\n",
           report.soak_section(soaks),
           "## Plots\n",
           "\n".join(f"![{p}](plots/{p})" for p in made_plots) + "\n"]
    if results.unavailable:
        out.append("## Not available on this machine\n\n" + ", ".join(sorted(results.unavailable)) + "\n")
    if results.failures:
        out.append("## Failures\n\n" + "\n".join(f"- `{f}`" for f in results.failures) + "\n")
    with open(path, "w") as handle:
        handle.write("\n".join(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("smoke", "quick", "full"), default="quick")
    parser.add_argument("--build", required=True)
    parser.add_argument("--asan-build")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    arguments = parser.parse_args()
    started = time.monotonic()
    mode, setups, notes = plan.mode(arguments.mode), plan.setups(), machine_notes()
    results = measure.Results()
    runner = measure.Runner(arguments.build, results, measure.log)
    timer_setups = plan.timer_setups(setups, mode)
    measure.run_rounds(runner, setups, mode, timer_setups)
    timer_setups = [s for s in timer_setups if s.name not in results.unavailable]
    setups = [s for s in setups if s.name not in results.unavailable]
    measure.run_lateness(runner, setups, mode)
    counts = measure.run_counts(runner, plan.count_setups(setups, mode))
    soaks = []
    for backend in plan.REFLOOP_BACKENDS:
        measure.log(f"churn soak on {backend}")
        soaks.append(measure.run_soak(arguments.build, backend, plan.fd_limit(), asan=False))
    if arguments.asan_build:
        for backend in mode.soak_asan_backends:
            measure.log(f"churn soak on {backend} under ASan/LSan")
            soaks.append(measure.run_soak(arguments.asan_build, backend, plan.fd_limit(), asan=True))
    made = plots.make_plots(os.path.join(arguments.out, "plots"), report.Table(results, setups), mode, timer_setups)
    write_results(os.path.join(arguments.out, "RESULTS.md"), mode, setups, timer_setups, results, counts, soaks,
                  made, notes, time.monotonic() - started)
    measure.log(f"wrote {os.path.join(arguments.out, 'RESULTS.md')} in {(time.monotonic() - started) / 60:.1f} minutes")
    return verdict(results, setups, soaks)


def verdict(results, setups, soaks):
    """Exit status: 1 when a program failed, refloop fired a timer early, or the soak leaked or
    grew; a peer's early timer is flagged in RESULTS.md and here, but is not refloop's failure."""
    failed = bool(results.failures)
    for setup, deadline, low in report.negative_lateness(report.Table(results, setups), setups):
        measure.log(f"NEGATIVE LATENESS: {setup.name} at {deadline} ms: min {low:.1f} us")
        failed |= setup.role == "refloop"
    for problem in report.soak_problems(soaks):
        measure.log(f"SOAK: {problem}")
        failed = True
    for failure in results.failures:
        measure.log(f"FAILED: {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
