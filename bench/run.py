#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The benchmark driver behind ci/bench: runs every benchmark program (bench/programs/) in
rotated rounds, counts system calls (strace) and instructions (callgrind), samples timer
lateness, runs the churn soak, and writes bench/RESULTS.md, the plots in bench/plots/ and the
figures as JSON in bench/runs/MODE.json (--report-from rewrites the report from such a file).
  bench/run.py --mode quick|full --build build/bench [--asan-build build/bench-asan]
  bench/run.py --mode timers --build build/bench     (the timer benchmark alone, printed)"""
import argparse
import json
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


def write_results(path, mode, setups, timer_setups, results, run, made_plots):
    table = report.Table(results, setups)
    counts, soaks = run["counts"], run["soaks"]
    out = [report.introduction(mode, run["notes"], run["minutes"] * 60, run.get("measured", "?")),
           "## Against the targets\n",
           report.targets_section(table, mode, setups, timer_setups),
           "## I/O chain (100 active channels, 100 writes)\n",
           report.io_section(table, mode, "total_us", "Total: setup + run"),
           report.io_section(table, mode, "setup_us", "Setup: re-arm every watcher"),
           report.io_section(table, mode, "run_us", "Run: the chain"),
           report.iopause_section(table, mode),
           "## Timers\n",
           report.timers_section(table, mode, timer_setups),
           "## System calls and instructions (the stable figures)\n",
           report.COUNTS_METHOD,
           report.counts_section(counts, setups),
           "## Timer lateness on the real clock\n",
           report.lateness_method(mode),
           report.lateness_section(table, setups),
           "## Churn soak\n",
           report.SOAK_METHOD,
           report.soak_section(soaks),
           "## Plots\n",
           "\n".join(f"![{p}](plots/{p})" for p in made_plots) + "\n"]
    if results.unavailable:
        out.append("## Not available on this machine\n\n" + ", ".join(sorted(results.unavailable)) + "\n")
    if results.failures:
        out.append("## Failures\n\n" + "\n".join(f"- `{f}`" for f in results.failures) + "\n")
    with open(path, "w") as handle:
        handle.write("\n".join(out))


def measure_everything(arguments, mode):
    """Runs every benchmark; returns what the report needs, as plain data (saved as JSON)."""
    started = time.monotonic()
    setups, notes = plan.setups(), machine_notes()
    results = measure.Results()
    runner = measure.Runner(arguments.build, results, measure.log)
    measure.run_rounds(runner, setups, mode, plan.timer_setups(setups, mode))
    available = [s for s in setups if s.name not in results.unavailable]
    measure.run_lateness(runner, available, mode)
    counts = measure.run_counts(runner, plan.count_setups(available, mode))
    soaks = []
    for backend in plan.REFLOOP_BACKENDS:
        measure.log(f"churn soak on {backend}")
        soaks.append(measure.run_soak(arguments.build, backend, plan.fd_limit(), asan=False))
    for backend in mode.soak_asan_backends if arguments.asan_build else ():
        measure.log(f"churn soak on {backend} under ASan/LSan")
        soaks.append(measure.run_soak(arguments.asan_build, backend, plan.fd_limit(), asan=True))
    return {"mode": mode.name, "notes": notes, "minutes": (time.monotonic() - started) / 60,
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "values": [[*key, values] for key, values in results.values.items()],
            "unavailable": sorted(results.unavailable), "failures": results.failures,
            "counts": counts, "soaks": soaks}


def timers_only(arguments):
    """ci/bench timers: the timer benchmark alone (quick mode's libraries; T up to a million) and
    the instructions per timer operation, printed as tables; RESULTS.md, the plots and the saved
    runs are left alone, so it can be run while tuning timers. Returns the exit status."""
    mode, results = plan.mode("timers"), measure.Results()
    runner = measure.Runner(arguments.build, results, measure.log)
    timer_setups = plan.timer_setups(plan.setups(), mode)
    measure.run_rounds(runner, [], mode, timer_setups)
    print(report.timers_section(report.Table(results, timer_setups), mode, timer_setups))
    rows = []
    for setup in timer_setups:
        if setup.name not in results.unavailable:
            runner.log(f"counting {setup.name}")
            counted = measure.timer_counts(measure.callgrind_instructions, runner, setup)
            rows.append([setup.name, report.figure(counted["total"]) if counted else "–"])
    print(f"\n### Instructions per timer operation (callgrind, T={measure.COUNT_TIMERS})\n")
    print(report.markdown_table(["library/config", "instructions"], rows))
    for failure in results.failures:
        measure.log(f"FAILED: {failure}")
    return 1 if results.failures else 0


def report_run(run, out):
    """Writes RESULTS.md and the plots from a run's data; returns the exit status."""
    mode, results = plan.mode(run["mode"]), measure.Results()
    for *key, values in run["values"]:
        results.values[tuple(key)] = values
    results.unavailable, results.failures = set(run["unavailable"]), run["failures"]
    setups = [s for s in plan.setups() if s.name not in results.unavailable]
    timer_setups = [s for s in plan.timer_setups(setups, mode)]
    made = plots.make_plots(os.path.join(out, "plots"), report.Table(results, setups), mode, timer_setups)
    write_results(os.path.join(out, "RESULTS.md"), mode, setups, timer_setups, results, run, made)
    measure.log(f"wrote {os.path.join(out, 'RESULTS.md')}; the run took {run['minutes']:.1f} minutes")
    return verdict(results, setups, run["soaks"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("smoke", "quick", "full", "timers"), default="quick")
    parser.add_argument("--build", help="the build folder with the bench-* programs")
    parser.add_argument("--asan-build", help="a build folder with an ASan bench-churn-soak")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--report-from", help="write the report from a saved run (JSON) instead of measuring")
    arguments = parser.parse_args()
    if arguments.report_from:
        with open(arguments.report_from) as saved:
            return report_run(json.load(saved), arguments.out)
    if not arguments.build:
        parser.error("--build is required when measuring")
    if arguments.mode == "timers":
        return timers_only(arguments)
    run = measure_everything(arguments, plan.mode(arguments.mode))
    saved = os.path.join(arguments.out, "runs", f"{arguments.mode}.json")
    os.makedirs(os.path.dirname(saved), exist_ok=True)
    with open(saved, "w") as handle:
        json.dump(run, handle)
    measure.log(f"saved the figures in {saved} (--report-from rewrites the report from it)")
    return report_run(run, arguments.out)


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
