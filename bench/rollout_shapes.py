#!/usr/bin/python3
"""Runs bench/rollout.py over several rollout shapes and peer preferences, interleaved (every variant of every
shape once, then again for the next repeat), and prints one Markdown table row per run for docs/rollouts.md,
with the machine's load average (from /proc/loadavg, what `uptime` prints) taken just before the run.

    ./mvnw -B -q -DskipTests -DskipDist package
    /usr/bin/python3 bench/rollout_shapes.py --jar target/swarmgate.jar --repeats 2

--only SHAPE (e.g. 3x8-1-6-0.1) and --variants none,default,... narrow it down. Each run is one rollout.py
process with its own tracker (HTTP on --tracker-port); rows go to stdout as they finish, progress to stderr.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# racks, leechers per rack, seeders per rack, num_want, stagger s
SHAPES = [
    (3, 8, "1", 6, 0.1),    # the goal shape of issue 13
    (3, 8, "1", 6, 0.0),
    (3, 8, "1", 50, 0.1),
    (4, 6, "1,1", 6, 0.0),
    (4, 6, "1,1", 6, 0.1),
    (4, 6, "1", 50, 0.0),
]


def subnet(options):
    return ("prehooks:\n  - name: subnet-preference\n    config: {ipv4-prefixes: [24, 16]"
            + (", " + options if options else "") + "}\n")


VARIANTS = {
    "none": "",
    "tiers": subnet("rack-quorum: 0"),
    "default": subnet(""),
    "q2-b1": subnet("rack-quorum: 2, bridge-peers: 1"),
    "q2-b2": subnet("rack-quorum: 2, bridge-peers: 2"),
    "q1-b2": subnet("rack-quorum: 1, bridge-peers: 2"),
    "q1-b1": subnet("rack-quorum: 1, bridge-peers: 1"),
    "sb1": subnet("seeded-rack-bridges: 1"),
    "sb2": subnet("seeded-rack-bridges: 2"),
}


def shape_name(shape):
    racks, leechers, seeders, num_want, stagger = shape
    return f"{racks}x{leechers}-{seeders}-{num_want}-{stagger}"


def run(args, shape, variant):
    racks, leechers, seeders, num_want, stagger = shape
    cmd = [sys.executable, os.path.join(HERE, "rollout.py"), "--jar", args.jar, "--base", args.base,
           "--tracker-port", str(args.tracker_port), "--racks", str(racks), "--leechers", str(leechers),
           "--seeders", seeders, "--num-want", str(num_want), "--stagger", str(stagger),
           "--upload-limit", str(args.upload_limit), "--size-mib", str(args.size_mib),
           "--seeder-upload-limit", str(args.seeder_upload_limit or args.upload_limit),
           "--timeout", str(args.timeout), "--hook-yaml", VARIANTS[variant]]
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("result "):
            return load, json.loads(line[len("result "):])
    return load, None


def row(shape, variant, load, r):
    racks, leechers, seeders, num_want, stagger = shape
    head = f"| {racks}x{leechers} | {seeders} | {num_want} | {stagger} | {variant} | {load} |"
    if r is None:
        return head + " failed | | | | | |"
    per_rack = ", ".join(f"{v['in_rack_mib']:.0f}/{v['cross_rack_mib']:.0f}" for v in r["per_rack"].values())
    rack_times = ", ".join("-" if v.get("completion_median_s") is None else f"{v['completion_median_s']:.1f}"
                           for v in r["per_rack"].values())
    return (head + f" {r['cross_rack_fraction']} | {r['completion_median_s']} / {r['completion_max_s']} |"
            f" {r['completed']}/{r['leechers']} | {per_rack} | {rack_times} | {', '.join(r['starved']) or 'none'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", help="comma-separated shape names, e.g. 3x8-1-6-0.1")
    parser.add_argument("--variants", default="none,default,q2-b1")
    parser.add_argument("--base", default="127.30")
    parser.add_argument("--tracker-port", type=int, default=34500)
    parser.add_argument("--upload-limit", type=float, default=4.0)
    parser.add_argument("--seeder-upload-limit", type=float, help="default: --upload-limit")
    parser.add_argument("--size-mib", type=float, default=16.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    variants = args.variants.split(",")
    for v in variants:
        if v not in VARIANTS:
            parser.error(f"unknown variant {v}; known: {', '.join(VARIANTS)}")
    # names may hold a comma themselves (seeders "1,1"): match whole names inside the comma-separated list
    shapes = [s for s in SHAPES if not args.only or f",{shape_name(s)}," in f",{args.only},"]
    if not shapes:
        parser.error(f"no such shape; known: {', '.join(shape_name(s) for s in SHAPES)}")
    print("| shape | seeders per rack | num_want | stagger s | preference | load (1 min) | cross-rack fraction "
          "| completion median / max s | completed | per-rack MiB (in / cross) | per-rack median s | starved |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for i in range(args.repeats):
        for shape in shapes:
            for variant in variants:
                print(f"[shapes {time.strftime('%H:%M:%S')}] repeat {i + 1}: {shape_name(shape)} {variant}",
                      file=sys.stderr, flush=True)
                load, r = run(args, shape, variant)
                for _ in range(2):
                    if r is not None:
                        break
                    # the tracker could not start (its port taken by some other process's ephemeral port): again
                    print("[shapes] the run failed; once more", file=sys.stderr, flush=True)
                    load, r = run(args, shape, variant)
                print(row(shape, variant, load, r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
