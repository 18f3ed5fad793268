# SPDX-License-Identifier: ISC
"""Running the benchmark programs: one process per library and configuration, libraries
interleaved in rotated rounds; counts under strace and callgrind; lateness; the churn soak."""
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

from plan import select_allows, uses_select

UNAVAILABLE = 3  # a program's exit status when the library cannot run that configuration


class Results:
    """Every figure by (setup name, benchmark, variant, param, metric): one value per round."""

    def __init__(self):
        self.values = defaultdict(list)
        self.unavailable = set()
        self.failures = []

    def add_lines(self, setup_name, text):
        for line in text.splitlines():
            fields = line.split()
            if len(fields) == 8 and fields[0] == "bench":
                _, _, _, benchmark, variant, param, metric, value = fields
                self.values[(setup_name, benchmark, variant, int(param), metric)].append(float(value))


class Runner:
    def __init__(self, build, results, log):
        self.build, self.results, self.log = build, results, log

    def command(self, setup, arguments):
        return [os.path.join(self.build, "bench-" + setup.program), "--config", setup.config] + arguments

    def run(self, setup, arguments, prefix=(), timeout=600):
        """Runs one process; returns its stdout, or None if it failed or is unavailable."""
        if setup.name in self.results.unavailable:
            return None
        command = list(prefix) + self.command(setup, arguments)
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode == UNAVAILABLE and not prefix:
            self.results.unavailable.add(setup.name)
            return None
        if done.returncode != 0:
            self.results.failures.append(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
            return None
        return done.stdout


def rotated(items, round_index):
    shift = round_index % len(items)
    return items[shift:] + items[:shift]


def io_cells(mode):
    return [(kind, n) for kind, counts in mode.channel_counts.items() for n in counts]


def run_rounds(runner, setups, mode, timer_setups):
    """Every cell (benchmark, size) in every round, the libraries in a rotated order."""
    for round_index in range(mode.rounds):
        runner.log(f"round {round_index + 1} of {mode.rounds}")
        for kind, n in io_cells(mode):
            for setup in rotated(setups, round_index):
                if "io" not in setup.benchmarks or uses_select(setup) and not select_allows(kind, n):
                    continue
                out = runner.run(setup, ["--bench", "io", "--chan", kind, "--n", str(n), "--reps", str(mode.reps)])
                if out:
                    runner.results.add_lines(setup.name, out)
        for count in mode.timer_counts:
            for spread in ("spread", "clustered"):
                for setup in rotated(timer_setups, round_index):
                    # A million timers take seconds per repetition: one timed repetition (after the
                    # warm-up) per process; the rounds still give the median and the spread.
                    reps = mode.timer_reps if count < 1000000 else 1
                    out = runner.run(setup, ["--bench", "timers", "--timers", str(count), "--spread", spread,
                                             "--reps", str(reps)])
                    if out:
                        runner.results.add_lines(setup.name, out)


def run_lateness(runner, setups, mode):
    runner.log("lateness on the real clock")
    for setup in setups:
        out = runner.run(setup, ["--bench", "lateness", "--budget-ms", str(mode.lateness_budget_ms)])
        if out:
            runner.results.add_lines(setup.name, out)


# ---- counts: deterministic figures, differenced so startup cancels ----------------------------

def strace_calls(runner, setup, arguments):
    """{syscall name: calls, "total": calls} from strace -c."""
    with tempfile.NamedTemporaryFile(suffix=".strace") as report:
        if runner.run(setup, arguments, prefix=("strace", "-f", "-c", "-o", report.name)) is None:
            return None
        calls = {}
        for line in open(report.name):
            fields = line.split()
            if len(fields) >= 5 and re.match(r"[\d.]+$", fields[0]):
                calls[fields[-1]] = float(fields[3])
        return calls if "total" in calls else None


def callgrind_instructions(runner, setup, arguments):
    with tempfile.TemporaryDirectory() as folder:
        out_file = os.path.join(folder, "callgrind.out")
        prefix = ("valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file)
        if runner.run(setup, arguments, prefix=prefix) is None:
            return None
        for line in open(out_file):
            match = re.match(r"totals:\s+(\d+)", line)
            if match:
                return {"total": float(match.group(1))}
    return None


def difference(a, b, scale=1.0):
    """(a - b) * scale for every name in either count, dropping zeros."""
    names = set(a) | set(b)
    result = {n: (a.get(n, 0.0) - b.get(n, 0.0)) * scale for n in names}
    return {n: v for n, v in result.items() if abs(v) > 1e-9}


def per_round(counter, runner, setup, arguments):
    """What one extra timed round costs: (count with 3 reps - count with 1 rep) / 2."""
    one = counter(runner, setup, arguments + ["--reps", "1"])
    three = counter(runner, setup, arguments + ["--reps", "3"])
    return None if one is None or three is None else difference(three, one, 0.5)


IO_SMALL, IO_LARGE, IO_MESSAGES, COUNT_TIMERS = 100, 1000, 200, 10000


def io_counts(counter, runner, setup):
    """Per re-armed fd (the slope between N=100 and N=1000; N=500 for select, whose fds must stay
    below FD_SETSIZE) and per message (the rest)."""
    base = ["--bench", "io", "--chan", "socketpair"]
    large_n = IO_LARGE if not uses_select(setup) else 500
    small = per_round(counter, runner, setup, base + ["--n", str(IO_SMALL)])
    large = per_round(counter, runner, setup, base + ["--n", str(large_n)])
    if small is None or large is None:
        return None
    per_fd = difference(large, small, 1.0 / (large_n - IO_SMALL))
    rest = difference(small, {n: v * IO_SMALL for n, v in per_fd.items()}, 1.0 / IO_MESSAGES)
    return per_fd, rest


def timer_counts(counter, runner, setup):
    """Per timer operation: a round starts, cancels, starts and expires each timer (4 ops)."""
    round_cost = per_round(counter, runner, setup, ["--bench", "timers", "--timers", str(COUNT_TIMERS),
                                                    "--spread", "spread", "--window-ms", "5"])
    return None if round_cost is None else {n: v / (4 * COUNT_TIMERS) for n, v in round_cost.items()}


def run_counts(runner, setups):
    """{setup name: {figure: {name: value}}} for syscalls (by name and "total") and instructions
    ("total")."""
    counts = {}
    for setup in setups:
        if setup.name in runner.results.unavailable:
            continue
        runner.log(f"counting {setup.name}")
        figures = {}
        for label, counter in (("syscalls", strace_calls), ("instructions", callgrind_instructions)):
            io = io_counts(counter, runner, setup)
            if io:
                figures[label + "_per_fd"], figures[label + "_per_message"] = io
            if "timers" in setup.benchmarks:
                figures[label + "_per_timer_op"] = timer_counts(counter, runner, setup)
        counts[setup.name] = figures
    return counts


# ---- the churn soak ---------------------------------------------------------------------------

def soak_fds(backend, limit):
    return 1000 if backend == "select" else min(10000, limit - 100)


def run_soak(build, backend, limit, asan):
    program = os.path.join(build, "bench-churn-soak")
    command = [program, "--backend", backend, "--fds", str(soak_fds(backend, limit)), "--iterations", "1000000"]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    figures = {}
    for line in done.stdout.splitlines():
        fields = line.split()
        if len(fields) == 8 and fields[0] == "bench":
            figures[fields[6]] = float(fields[7])
    leak = "LeakSanitizer" in done.stderr
    return {"backend": backend, "fds": soak_fds(backend, limit), "asan": asan, "status": done.returncode, "leak": leak,
            "stderr": done.stderr.strip()[-500:], **figures}


def log(message):
    print(f"ci/bench: {message}", file=sys.stderr, flush=True)
