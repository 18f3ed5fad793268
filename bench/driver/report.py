# SPDX-License-Identifier: ISC
"""bench/RESULTS.md from the collected figures: medians over rounds, the spread between rounds,
and every figure as a ratio to the best peer in the same run."""
import statistics
import time

from plan import PEER_ROLES, REARMING_BOUND


def summary(values):
    """(median, spread in % of the median: (max - min) / median)."""
    middle = statistics.median(values)
    spread = (max(values) - min(values)) / middle * 100 if middle else 0.0
    return middle, spread


class Table:
    def __init__(self, results, setups):
        self.results, self.setups = results, setups
        self.medians = {key: summary(values) for key, values in results.values.items()}

    def median(self, setup_name, benchmark, variant, param, metric):
        found = self.medians.get((setup_name, benchmark, variant, param, metric))
        return found[0] if found else None

    def best_peer(self, benchmark, variant, param, metric):
        candidates = [(self.median(s.name, benchmark, variant, param, metric), s.name)
                      for s in self.setups if s.role in PEER_ROLES]
        candidates = [c for c in candidates if c[0] is not None]
        return min(candidates) if candidates else (None, None)

    def cell(self, setup_name, benchmark, variant, param, metric):
        found = self.medians.get((setup_name, benchmark, variant, param, metric))
        if not found:
            return "–"
        middle, spread = found
        best, _ = self.best_peer(benchmark, variant, param, metric)
        ratio = f" {middle / best:.2f}x" if best else ""
        return f"{figure(middle)}{ratio} ±{spread:.0f}%"


def figure(value):
    """Three significant digits at most, never fewer than the integer part."""
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def io_section(table, mode, metric, title):
    parts = [f"### {title}\n"]
    for kind, counts in mode.channel_counts.items():
        header = ["library/config"] + [f"N={n}" for n in counts]
        best = ["*best peer*"] + [table.best_peer("io", kind, n, metric)[1] or "–" for n in counts]
        rows = [best] + [[s.name] + [table.cell(s.name, "io", kind, n, metric) for n in counts]
                         for s in table.setups if "io" in s.benchmarks]
        parts.append(f"{kind} (us; ratio to the best peer; spread between rounds)\n\n" + markdown_table(header, rows))
    return "\n".join(parts)


def iopause_section(table, mode):
    parts = ["### refloop's iopause against skalibs' (total us, same arrays; ratio to skalibs with the same function)\n"]
    for kind, counts in mode.channel_counts.items():
        rows = []
        for setup in table.setups:
            if setup.program not in ("refloop-iopause", "refloop-skalibs"):
                continue
            row = [setup.name]
            for n in counts:
                ours = table.median(setup.name, "io", kind, n, "total_us")
                theirs = table.median("skalibs/" + setup.config, "io", kind, n, "total_us")
                row.append(f"{ours:.0f} / {theirs:.0f} = {ours / theirs:.2f}x" if ours and theirs else "–")
            rows.append(row)
        parts.append(f"{kind}\n\n" + markdown_table(["refloop / skalibs"] + [f"N={n}" for n in counts], rows))
    return "\n".join(parts)


def timers_section(table, mode, timer_setups):
    parts = []
    for metric, title in (("ns_per_op", "mean of start, cancel, expire"), ("start_ns", "start"),
                          ("cancel_ns", "cancel (another order)"), ("expire_ns", "expire (all due)")):
        header = ["library/config"] + [f"T={t} {d}" for t in mode.timer_counts for d in ("spread", "clustered")]
        rows = [[s.name] + [table.cell(s.name, "timers", d, t, metric) for t in mode.timer_counts
                            for d in ("spread", "clustered")] for s in timer_setups]
        parts.append(f"### Timers: {title}, ns per timer\n\n" + markdown_table(header, rows))
    return "\n".join(parts)


COUNT_COLUMNS = (("syscalls_per_fd", "syscalls per fd per round"), ("syscalls_per_message", "syscalls per message"),
                 ("syscalls_per_timer_op", "syscalls per timer op"),
                 ("instructions_per_fd", "instructions per fd per round"),
                 ("instructions_per_message", "instructions per message"),
                 ("instructions_per_timer_op", "instructions per timer op"))


def total(counts, setup_name, key):
    figure = counts.get(setup_name, {}).get(key)
    return None if figure is None else figure.get("total", 0.0)


def counts_section(counts, setups):
    best = {}
    for key, _ in COUNT_COLUMNS:
        peers = [total(counts, s.name, key) for s in setups if s.role in PEER_ROLES]
        peers = [v for v in peers if v is not None]
        best[key] = min(peers) if peers else None

    def cell(value, key):
        if value is None:
            return "–"
        ratio = f" ({value / best[key]:.2f}x)" if best[key] and best[key] > 0.05 else ""
        return f"{value:.2f}{ratio}" if "syscalls" in key else f"{value:.0f}{ratio}"

    rows = [[s.name] + [cell(total(counts, s.name, k), k) for k, _ in COUNT_COLUMNS] for s in setups if s.name in counts]
    return markdown_table(["library/config"] + [title for _, title in COUNT_COLUMNS], rows) + "\n" + syscall_names(counts, setups)


def by_name(figure):
    named = sorted(((v, n) for n, v in (figure or {}).items() if n != "total" and v >= 0.005), reverse=True)
    return ", ".join(f"{v:.2f} {n}" for v, n in named) or "none"


def syscall_names(counts, setups):
    """Which system calls make up the totals (the optimisation's to-do list)."""
    rows = [[s.name] + [by_name(counts[s.name].get(k)) for k in ("syscalls_per_fd", "syscalls_per_message",
                                                                    "syscalls_per_timer_op")]
            for s in setups if s.name in counts]
    return "System calls by name:\n\n" + markdown_table(["library/config", "per fd per round", "per message",
                                                          "per timer op"], rows)


def negative_lateness(table, setups):
    """[(setup, deadline ms, min us)] for every callback that ran before its expiry."""
    found = []
    for setup in setups:
        for deadline in (1, 10, 100):
            low = table.median(setup.name, "lateness", "-", deadline, "min_us")
            if low is not None and low < 0:
                found.append((setup, deadline, low))
    return found


SOAK_GROWTH_LIMIT_KB = 256  # more RSS after a million churn iterations than this is "not flat"


def soak_problems(soaks):
    problems = []
    for s in soaks:
        growth = s.get("rss_after_kb", 0) - s.get("rss_before_kb", 0)
        name = s["backend"] + (" (asan)" if s["asan"] else "")
        if s["leak"]:
            problems.append(f"{name}: LeakSanitizer reports a leak")
        elif s["status"] != 0:
            problems.append(f"{name}: exit {s['status']}: {s['stderr']}")
        if growth > SOAK_GROWTH_LIMIT_KB and not s["asan"]:
            problems.append(f"{name}: RSS grew {growth:.0f} kB during the churn")
    return problems


def lateness_section(table, setups):
    rows = []
    negatives = [f"{s.name} at {d} ms: min {low:.1f} us" for s, d, low in negative_lateness(table, setups)]
    for setup in setups:
        row = [setup.name]
        for deadline in (1, 10, 100):
            figures = [table.median(setup.name, "lateness", "-", deadline, m) for m in ("p50_us", "p99_us", "max_us")]
            low = table.median(setup.name, "lateness", "-", deadline, "min_us")
            row.append("–" if None in figures else " / ".join(f"{v:.0f}" for v in figures) +
                       (" **NEGATIVE**" if low is not None and low < 0 else ""))
        if any(c != "–" for c in row[1:]):
            rows.append(row)
    header = ["library/config", "1 ms: p50 / p99 / max (us)", "10 ms", "100 ms"]
    verdict = ("Negative lateness (a callback before its expiry, a bug): " + "; ".join(negatives)
               if negatives else "No negative lateness: no callback ran before its expiry.")
    return markdown_table(header, rows) + "\n" + verdict + "\n"


def soak_section(soaks):
    problems = soak_problems(soaks)
    summary_line = ("Problems: " + "; ".join(problems)) if problems else (
        f"Flat and clean: no run grew more than {SOAK_GROWTH_LIMIT_KB} kB during the churn, none leaked.")
    summary_line += (" Allocations are counted through operator new (not in the asan build); an asan row grows "
                     "by ASan's quarantine of freed blocks when the churn allocates and frees, so growth is "
                     "judged on the optimised rows only.")
    rows = []
    for s in soaks:
        verdict = "LSan: leak" if s["leak"] else ("LSan: clean" if s["asan"] and s["status"] == 0 else
                                                  ("ok" if s["status"] == 0 else f"exit {s['status']}"))
        empty, registered = s.get("rss_empty_kb", 0), s.get("rss_registered_kb", 0)
        before, after = s.get("rss_before_kb", 0), s.get("rss_after_kb", 0)
        per_fd = (registered - empty) * 1024 / s["fds"] if s["fds"] else 0
        rows.append([s["backend"] + (" (asan)" if s["asan"] else ""), s["fds"], f"{s.get('iterations', 0):.0f}",
                     f"{s.get('seconds', 0):.2f}", f"{empty:.0f}", f"{registered:.0f}", f"{per_fd:.0f}",
                     f"{before:.0f}", f"{after:.0f}", f"{after - before:+.0f}",
                     f"{s['allocations_per_1000']:.1f}" if "allocations_per_1000" in s else "–", verdict])
    header = ["backend", "fds", "iterations", "seconds", "RSS empty kB", "RSS fds registered kB",
              "bytes per registered fd", "RSS before churn kB", "RSS after churn kB", "growth kB",
              "heap allocations per 1000 iterations", "result"]
    sizes = next((s for s in soaks if "sizeof_fd" in s), None)
    if sizes:
        summary_line += (f" Bytes per registered fd: RSS growth from registering, including the caller's "
                         f"refloop::Fd ({sizes['sizeof_fd']:.0f} bytes; refloop::Timer is "
                         f"{sizes['sizeof_timer']:.0f}) and the loop's own tables.")
    return markdown_table(header, rows) + "\n" + summary_line + "\n"


def introduction(mode, notes, elapsed, measured):
    return (f"# Benchmark results ({mode.name} mode)\n\n"
            f"Measured by `ci/bench {mode.name}`, finishing {measured}, in {elapsed / 60:.1f} minutes. {notes}.\n\n"
            f"Each figure is the median over {mode.rounds} rounds (one process per library and configuration "
            f"per round, libraries in a rotated order; each process reports the median of its {mode.reps} timed "
            f"repetitions, {mode.timer_reps} for timers, 1 at a million timers), then its ratio to the best peer "
            "(ivykis, libev, libevent, libuv) in the same run, then the spread between rounds ((max - min) / "
            "median). Times on a shared machine drift; the ratios and the counts are the figures to compare. "
            "bench/README.md says what each benchmark does.\n")


COUNTS_METHOD = (
    "Counted with `strace -f -c` and `valgrind --tool=callgrind`, each as the difference between a "
    "process with 3 timed repetitions and one with 1 (so startup cancels). I/O: socketpair chain; "
    "per fd per round is the slope between N=100 and N=1000 (N=500 for select): re-arming one fd plus "
    "whatever each wait does per watched fd; per message is the rest of a round (200 messages). Timers: T=10000, per operation of a round (start, cancel, start, expire). "
    "Ratios to the best peer in parentheses.\n")

SOAK_METHOD = (
    "refloop's C++ loop: 10^6 iterations of random register/unregister on the fds and on 1000 timers "
    "(expiries 0-2 ms ahead), a write to a random eventfd and a non-blocking iteration every 64 steps. "
    "RSS from /proc/self/statm; the asan rows run under LeakSanitizer.\n")


def lateness_method(mode):
    return ("p50 / p99 / max of (callback time - expiry), in us, on each library's own clock (libev, libevent "
            "and libuv take relative timeouts: their expiry is CLOCK_MONOTONIC read before the timer starts, so "
            "a measured value is never earlier than the true one). One timer at a time; the sample count per "
            f"deadline is {mode.lateness_budget_ms} ms / (3 x deadline), between 5 and 1000. "
            "The kernel's default timer slack (50 us) is part of every figure.\n")


def ratio_range(pairs):
    """pairs: [(label, ours, reference)] -> 'best .. worst (at label)' over those with both."""
    ratios = [(ours / ref, label) for label, ours, ref in pairs if ours and ref]
    if not ratios:
        return "–"
    low, high = min(ratios), max(ratios)
    return f"{low[0]:.2f}x .. {high[0]:.2f}x (worst at {high[1]})"


def io_pairs(table, mode, setup_name, metric, reference):
    """reference(kind, n) -> the figure to divide by."""
    return [(f"{kind} N={n}", table.median(setup_name, "io", kind, n, metric), reference(kind, n))
            for kind, counts in mode.channel_counts.items() for n in counts]


def targets_section(table, mode, setups, timer_setups):
    """Issue 14's targets as ratios in this run: the range over every size, per refloop setup."""
    rows = []
    for setup in setups:
        if setup.role != "refloop":
            continue
        if setup.program in ("refloop-cxx", "refloop-iv"):
            best = lambda kind, n: table.best_peer("io", kind, n, "total_us")[0]  # noqa: E731
            raw = lambda kind, n: table.median("raw-epoll", "io", kind, n, "run_us")  # noqa: E731
            rows.append([setup.name, "I/O total <= 1.0x best peer",
                         ratio_range(io_pairs(table, mode, setup.name, "total_us", best))])
            rows.append([setup.name, "I/O run <= 1.5x raw epoll",
                         ratio_range(io_pairs(table, mode, setup.name, "run_us", raw))])
            bound = REARMING_BOUND.get(setup.config)
            if bound:
                rearming = lambda kind, n, b=bound: table.median(b, "io", kind, n, "run_us")  # noqa: E731
                rows.append([setup.name, f"I/O run against {bound} (the same system calls per re-arm)",
                             ratio_range(io_pairs(table, mode, setup.name, "run_us", rearming))])
        if setup in timer_setups:
            pairs = [(f"T={t} {d}", table.median(setup.name, "timers", d, t, "ns_per_op"),
                      table.median("libev", "timers", d, t, "ns_per_op"))
                     for t in mode.timer_counts for d in ("spread", "clustered")]
            rows.append([setup.name, "timers <= 1.0x libev", ratio_range(pairs)])
        if setup.program in ("refloop-iopause", "refloop-skalibs"):
            skalibs = lambda kind, n, f=setup.config: table.median("skalibs/" + f, "io", kind, n, "total_us")  # noqa: E731
            rows.append([setup.name, "iopause <= 1.05x skalibs",
                         ratio_range(io_pairs(table, mode, setup.name, "total_us", skalibs))])
    return ("Issue 14's targets as ratios in this run (best .. worst over every size above; times, so "
            "read them with the spreads):\n\n" +
            markdown_table(["refloop setup", "target", "ratio in this run"], rows))
