#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Re-measures chosen cells of bench/RESULTS.md with more rounds, when a ratio there has a wide
spread: refloop's setup and the ones it is compared with run alternately (a rotated order), one
process per round each, ROUNDS rounds. Prints each median and refloop's ratio to the best of the
others, with the quartiles of the per-round ratio (so a miss can be told from the machine's noise).

  python3 bench/driver/recheck.py BUILD ROUNDS CELL...       (BUILD: ci/bench's build/bench)

CELL is io:KIND:N:METRIC:OURS:OTHER[,OTHER...] (KIND eventfd or socketpair, METRIC setup_us, run_us
or total_us) or timers:T:SPREAD:METRIC:OURS:OTHER[,...] (SPREAD spread or clustered, METRIC
ns_per_op, start_ns, cancel_ns or expire_ns). Names are bench/driver/plan.py's (refloop-cxx/epoll,
libev, raw-epoll, raw-epoll-rearm, ...) or any other bench-PROGRAM[/CONFIG] in BUILD.
For example:
  python3 bench/driver/recheck.py build/bench 9 io:socketpair:9950:run_us:refloop-cxx/epoll:raw-epoll-rearm"""
import statistics
import sys

import measure
import plan


def setup_named(name):
    known = {s.name: s for s in plan.setups()}
    if name in known:
        return known[name]
    program, _, config = name.partition("/")
    return plan.Setup(program, config, "bound")


def arguments_of(cell):
    kind, *fields = cell.split(":")
    if kind == "io":
        chan, n, metric, ours, others = fields
        return ["--bench", "io", "--chan", chan, "--n", n, "--reps", "5"], metric, ours, others, f"io {chan} N={n}"
    if kind == "timers":
        count, spread, metric, ours, others = fields
        reps = "3" if int(count) < 1000000 else "1"
        return (["--bench", "timers", "--timers", count, "--spread", spread, "--reps", reps], metric, ours, others,
                f"timers T={count} {spread}")
    raise SystemExit(f"recheck: {cell}: a cell starts with io: or timers:")


def one_process(build, name, arguments, metric):
    results = measure.Results()
    out = measure.Runner(build, results, lambda message: None).run(setup_named(name), arguments)
    if out is None:
        raise SystemExit(f"recheck: bench-{name} failed: {results.failures or 'unavailable'}")
    results.add_lines(name, out)
    values = [v for key, vs in results.values.items() if key[4] == metric for v in vs]
    if not values:
        raise SystemExit(f"recheck: bench-{name} printed no {metric}")
    return statistics.median(values)


def recheck(build, rounds, cell):
    arguments, metric, ours, others, label = arguments_of(cell)
    names = [ours] + others.split(",")
    values = {name: [] for name in names}
    for round_index in range(rounds):
        for name in measure.rotated(names, round_index):
            values[name].append(one_process(build, name, arguments, metric))
    median = {name: statistics.median(v) for name, v in values.items()}
    best = min(names[1:], key=lambda name: median[name])
    per_round = [a / b for a, b in zip(values[ours], values[best])]
    low, _, high = statistics.quantiles(per_round, n=4) if rounds >= 2 else (per_round[0],) * 3
    print(f"{label} {metric}: {ours} {median[ours]:.1f} against {best} {median[best]:.1f} = "
          f"{median[ours] / median[best]:.2f}x (per-round ratio quartiles {low:.2f} .. {high:.2f}, {rounds} rounds; "
          + ", ".join(f"{name} {median[name]:.1f}" for name in names[1:]) + ")", flush=True)


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    build, rounds = sys.argv[1], int(sys.argv[2])
    for cell in sys.argv[3:]:
        recheck(build, rounds, cell)


if __name__ == "__main__":
    main()
