#!/usr/bin/env python3
"""What ran on each CPU during docs/perf-data/tail-trace.sh's scheduler trace, and how long the tracker's UDP
worker and the load generator's thread waited runnable (docs/performance.md "UDP p99 at half of peak").

usage: tail-sched.py OUT_DIR    (reads OUT_DIR/sched.data through `perf sched timehist`)

Per CPU: CPU time per thread name (digits folded: "GC Thread#0" -> "GC Thread#N"; prefixed tracker:,
generator: or other: by process, from OUT/pids), and the runs of other
threads that lasted over 0.5 ms. For the UDP worker and the generator: their scheduling delays (runnable, not
running) by size, the ten longest with what ran on that CPU meanwhile, and what ran during all of those over 0.5 ms.
"""
import bisect
import collections
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)(?:\[(\d+)(?:/(\d+))?\])?\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")
WATCH = ("swarmgate-udp-", "bench-udp-")


def main(out):
    owners = {}  # pid -> "tracker" / "generator", from tail-trace.sh's OUT/pids
    try:
        with open(f"{out}/pids") as f:
            for line in f:
                role, pid = line.split()
                owners[pid] = role
    except OSError:
        pass

    def label(name, pid):
        return owners.get(pid, "other") + ":" + re.sub(r"\d+", "N", name)

    text = subprocess.run(["perf", "sched", "timehist", "-i", f"{out}/sched.data"], capture_output=True,
                          text=True).stdout
    runs = []  # (end_s, cpu, name, wait_ms, delay_ms, run_ms)
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        end, cpu, name = float(m.group(1)), int(m.group(2)), m.group(3).strip()
        runs.append((end, cpu, name, float(m.group(6)), float(m.group(7)), float(m.group(8)),
                     label(name, m.group(5) or m.group(4))))
    if not runs:
        print("no scheduler events in", out)
        return
    span = runs[-1][0] - runs[0][0]
    print(f"{len(runs)} switches over {span:.2f} s")
    for cpu in sorted({r[1] for r in runs}):
        mine = [r for r in runs if r[1] == cpu]
        per = collections.Counter()
        long_runs = collections.Counter()
        longest = collections.defaultdict(float)
        for r in mine:
            key = r[6]
            per[key] += r[5]
            if r[5] > 0.5 and not r[2].startswith(WATCH) and r[2] != "<idle>":
                long_runs[key] += 1
                longest[key] = max(longest[key], r[5])
        print(f"cpu {cpu}: ms of CPU per thread name over the trace")
        for key, ms in per.most_common(12):
            extra = f", {long_runs[key]} run(s) over 0.5 ms, longest {longest[key]:.2f} ms" if long_runs[key] else ""
            print(f"  {ms:9.1f} ms  {key}{extra}")
    by_cpu = collections.defaultdict(list)
    for r in runs:
        by_cpu[r[1]].append(r)
    ends = {cpu: [r[0] for r in rs] for cpu, rs in by_cpu.items()}
    for prefix in WATCH:
        mine = [r for r in runs if r[2].startswith(prefix)]
        if not mine:
            continue
        delays = sorted(r[4] for r in mine)
        n = len(delays)
        total = sum(delays)
        print(f"{prefix}*: {n} runs, scheduling delay p50 {delays[n // 2]:.3f} ms, p99 {delays[int(n * 0.99)]:.3f},"
              f" max {delays[-1]:.3f}; over 0.1 ms {sum(d > 0.1 for d in delays)}, over 0.5 ms"
              f" {sum(d > 0.5 for d in delays)}, over 1 ms {sum(d > 1 for d in delays)}; {total:.1f} ms in all")
        blame = collections.Counter()
        shown = 0
        for r in sorted(mine, key=lambda r: -r[4]):
            if r[4] <= 0.5:
                break
            began = r[0] - r[5] / 1000
            waited_from = began - r[4] / 1000
            on_cpu = by_cpu[r[1]]
            others = collections.Counter()
            for o in on_cpu[bisect.bisect_left(ends[r[1]], waited_from):]:
                if o[0] - o[5] / 1000 >= began:
                    break
                if o[2] != r[2]:
                    others[o[6]] += min(o[0], began) - max(o[0] - o[5] / 1000, waited_from)
            blame.update(others)
            if shown < 10:
                shown += 1
                what = ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in others.most_common(4))
                print(f"  at {r[0]:.4f} cpu {r[1]} waited {r[4]:.2f} ms runnable; meanwhile: {what or 'nothing seen'}")
        if blame:
            print("  what ran during all its delays over 0.5 ms: "
                  + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in blame.most_common(8)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tail-trace")
