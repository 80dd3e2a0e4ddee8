#!/usr/bin/env python3
"""Where the CPU goes around each accounting flush (README "accounting", docs/perf-data/accounting-flush-cost.sh).

Samples /proc/<pid>/task/*/schedstat (nanoseconds on a CPU, nanoseconds runnable but waiting for one) of the
tracker's threads and of every PostgreSQL process under the postmaster, every INTERVAL seconds for DURATION
seconds, then prints one line per flush: the CPU the flusher thread, the JIT compilers, the GC threads, HikariCP's
threads and PostgreSQL's processes took in the window around it, on which CPU PostgreSQL's processes last ran,
and how long the UDP worker waited runnable (its run-queue delay) in that window against its median per window
without a flush.

usage: sched-sample.py TRACKER_PID POSTMASTER_PID DURATION_S [INTERVAL_S]
"""
import os
import re
import statistics
import subprocess
import sys
import time


def tasks(pid):
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                run, wait, _ = (int(x) for x in f.read().split())
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                cpu = int(f.read().rsplit(")", 1)[1].split()[36])
        except (OSError, ValueError):
            continue
        out[(pid, int(tid))] = (comm, run, wait, cpu)
    return out


def children(ppid):
    kids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                    kids.append(int(p))
        except (OSError, ValueError):
            pass
    return kids


def java_names(pid):
    """tid -> full Java thread name (the kernel's comm keeps 15 characters: the flusher, "swarmgate-accounting",
    and HikariCP's "swarmgate-accounting:housekeeper" (builds before the pool was renamed) read "swarmgate-accou")."""
    jcmd = os.path.join(os.path.dirname(os.path.realpath(f"/proc/{pid}/exe")), "jcmd")
    try:
        out = subprocess.run([jcmd, str(pid), "Thread.print"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    # nid is hexadecimal up to JDK 20 or so, decimal since
    return {int(m.group(2), 0): m.group(1) for m in re.finditer(r'^"([^"]*)".*? nid=(0x[0-9a-f]+|\d+)', out, re.M)}


def group(pid, tid, comm, tracker, names):
    if pid != tracker:
        return "pg"
    if comm.startswith("swarmgate-accou"):
        return "flusher" if names.get(tid) == "swarmgate-accounting" else "hikari"
    if comm.startswith("swarmgate-udp"):
        return "udp"
    if comm.startswith(("C1 Compiler", "C2 Compiler", "C1 CompilerThre", "C2 CompilerThre")):
        return "jit"
    if comm.startswith(("GC Thread", "G1 ", "VM Thread", "VM Periodic")):
        return "gc/vm"
    return "other"


def main():
    tracker, postmaster, duration = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02
    names = java_names(tracker)
    if "swarmgate-accounting" not in names.values():
        print("# warning: no thread swarmgate-accounting found (jcmd Thread.print): flushes will not be seen",
              file=sys.stderr)
    samples = []
    end = time.monotonic() + duration
    pg = children(postmaster) + [postmaster]
    next_scan = time.monotonic() + 1
    while time.monotonic() < end:
        if time.monotonic() > next_scan:
            pg = children(postmaster) + [postmaster]
            next_scan = time.monotonic() + 1
        snap = tasks(tracker)
        for p in pg:
            snap.update(tasks(p))
        samples.append((time.monotonic(), snap))
        time.sleep(interval)
    # per-interval deltas per group
    steps = []
    for (t0, a), (t1, b) in zip(samples, samples[1:]):
        d = {}
        cpus = set()
        for key, (comm, run, wait, cpu) in b.items():
            prev = a.get(key)
            r0, w0 = (prev[1], prev[2]) if prev else (run, wait)
            g = group(key[0], key[1], comm, tracker, names)
            dr, dw = d.get(g, (0, 0))
            d[g] = (dr + run - r0, dw + wait - w0)
            if g == "pg" and run > r0:
                cpus.add(cpu)
        steps.append((t1, d, cpus))
    # a flush: consecutive steps where the flusher ran, widened by 100 ms either side
    flushes = []
    i = 0
    while i < len(steps):
        if steps[i][1].get("flusher", (0, 0))[0] > 0:
            j = i
            while j + 1 < len(steps) and steps[j + 1][1].get("flusher", (0, 0))[0] > 0:
                j += 1
            lo = max(0, i - int(0.1 / interval))
            hi = min(len(steps) - 1, j + int(0.1 / interval))
            flushes.append((lo, hi))
            i = hi + 1
        else:
            i += 1
    in_flush = set()
    for lo, hi in flushes:
        in_flush.update(range(lo, hi + 1))
    span = max((hi - lo + 1 for lo, hi in flushes), default=1)
    quiet = [s[1].get("udp", (0, 0))[1] for k, s in enumerate(steps) if k not in in_flush]
    # the UDP worker's wait in a window as long as a flush's, without a flush
    base = statistics.median(quiet) * span / 1e6 if quiet else 0
    t_start = samples[0][0]
    print(f"# {len(flushes)} flush(es); udp wait per {span * interval * 1000:.0f} ms without a flush: "
          f"{base:.1f} ms (median)")
    print("# t_s  window_ms  flusher_ms  jit_ms  gc/vm_ms  hikari_ms  pg_ms  pg_cpus  udp_run_ms  udp_wait_ms")
    for lo, hi in flushes:
        tot = {}
        cpus = set()
        for k in range(lo, hi + 1):
            for g, (r, w) in steps[k][1].items():
                tr, tw = tot.get(g, (0, 0))
                tot[g] = (tr + r, tw + w)
            cpus |= steps[k][2]
        ms = lambda g, w=0: tot.get(g, (0, 0))[w] / 1e6
        print(f"{steps[lo][0] - t_start:6.1f}  {(steps[hi][0] - steps[lo][0]) * 1000:9.0f}  {ms('flusher'):10.1f}"
              f"  {ms('jit'):6.1f}  {ms('gc/vm'):8.1f}  {ms('hikari'):9.1f}  {ms('pg'):5.1f}"
              f"  {','.join(map(str, sorted(cpus))) or '-':>7}  {ms('udp'):10.1f}  {ms('udp', 1):11.1f}")
    if flushes:
        per = {g: [] for g in ("flusher", "jit", "pg")}
        for lo, hi in flushes:
            for g in per:
                per[g].append(sum(steps[k][1].get(g, (0, 0))[0] for k in range(lo, hi + 1)) / 1e6)
        print("# medians per flush (ms of CPU): " + ", ".join(f"{g} {statistics.median(v):.1f}" for g, v in per.items())
              + "; after the first minute: " + ", ".join(
                  f"{g} {statistics.median(v[6:]) if len(v) > 6 else float('nan'):.1f}" for g, v in per.items()))


if __name__ == "__main__":
    main()
