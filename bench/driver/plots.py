# SPDX-License-Identifier: ISC
"""PNG plots with gnuplot: I/O total time against N per library (log scales), and timer cost
against T. One data file per line, one gnuplot script per plot, kept beside the PNGs."""
import os
import shutil
import subprocess


def write_series(folder, name, points):
    path = os.path.join(folder, name.replace("/", "_") + ".dat")
    with open(path, "w") as out:
        for x, y in points:
            out.write(f"{x} {y}\n")
    return path


def plot(folder, stem, title, xlabel, ylabel, series):
    """series: [(label, [(x, y), ...])]; writes STEM.gp and STEM.png in folder."""
    data = os.path.join(folder, "data")
    os.makedirs(data, exist_ok=True)
    lines = []
    for label, points in series:
        if points:
            path = write_series(data, f"{stem}-{label}", points)
            lines.append(f"'{os.path.relpath(path, folder)}' using 1:2 with linespoints title '{label}'")
    if not lines:
        return None
    script = os.path.join(folder, stem + ".gp")
    with open(script, "w") as out:
        out.write(f"set terminal png size 1100,700\nset output '{stem}.png'\n"
                  f"set title '{title}'\nset xlabel '{xlabel}'\nset ylabel '{ylabel}'\n"
                  "set logscale xy\nset key outside right\nset grid\n"
                  "plot " + ", \\\n     ".join(lines) + "\n")
    if shutil.which("gnuplot") is None:
        return None
    subprocess.run(["gnuplot", os.path.basename(script)], cwd=folder, check=True, capture_output=True)
    return stem + ".png"


def make_plots(folder, table, mode, timer_setups):
    os.makedirs(folder, exist_ok=True)
    made = []
    iopause_programs = ("skalibs", "refloop-skalibs", "refloop-iopause", "raw-poll")
    groups = (("loops", "event loops", lambda s: s.program not in iopause_programs or s.program == "raw-poll"),
              ("iopause", "iopause loops", lambda s: s.program in iopause_programs or s.program == "raw-epoll"))
    for kind, counts in mode.channel_counts.items():
        for group, title, member in groups:
            series = [(s.name, [(n, table.median(s.name, "io", kind, n, "total_us")) for n in counts
                                if table.median(s.name, "io", kind, n, "total_us")])
                      for s in table.setups if "io" in s.benchmarks and member(s)]
            made.append(plot(folder, f"io-{kind}-total-{group}",
                             f"I/O chain, {kind}, {title}: setup + run (100 active, 100 writes)",
                             "channels N", "total time (us)", series))
    for spread in ("spread", "clustered"):
        series = [(s.name, [(t, table.median(s.name, "timers", spread, t, "ns_per_op")) for t in mode.timer_counts
                            if table.median(s.name, "timers", spread, t, "ns_per_op")])
                  for s in timer_setups]
        made.append(plot(folder, f"timers-{spread}", f"Timers ({spread} expiries): mean of start, cancel, expire",
                         "timers T", "ns per timer per operation", series))
    return [m for m in made if m]
