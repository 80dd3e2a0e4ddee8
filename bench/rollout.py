#!/usr/bin/python3
"""Rollout simulator: racks of real BitTorrent clients (Debian's python3-libtorrent) fetch one release through
one tracker, and we count how many bytes crossed racks.

Every peer is its own process with its own libtorrent session, bound to its own loopback address (listening
and connecting from it, so the tracker and the other peers see that address): rack r is BASE.r.0/24 (--base,
default 127.10), all racks share BASE.0.0/16. The torrent is private (BEP 27) and DHT, PEX, LSD, UPnP and NAT-PMP are off, so the
tracker alone decides who meets whom. Seeders start first; leechers start --stagger seconds apart, alternating
between racks (rack 1, 2, 3, 1, 2, 3, ...). Every client uploads at most --upload-limit MiB/s (loopback peers are
put into libtorrent's global peer class, which the limit applies to). Each leecher counts the payload bytes it
received per remote address (libtorrent's per-peer statistics, polled); when all leechers are done (or
--timeout passes) every process is told to stop and reports.

Run with Debian's interpreter (where python3-libtorrent lives), against a running tracker:

    /usr/bin/python3 bench/rollout.py --announce http://127.0.0.1:24100/announce --racks 3 --leechers 8

or let the script start one from the jar with a chosen peer preference (none / tiers / default):

    /usr/bin/python3 bench/rollout.py --jar target/swarmgate.jar --preference default --racks 3 --leechers 8

Prints a summary and, last, one line "result {json}" (cross_rack_fraction, completion median/max seconds,
per-rack bytes, starved leechers). Exit status 0 when every leecher completed, 1 otherwise, 2 on bad arguments.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    import libtorrent as lt
except ImportError as e:
    print(f"rollout: cannot import libtorrent ({e}); install Debian's python3-libtorrent and run this with "
          f"/usr/bin/python3", file=sys.stderr)
    sys.exit(1)

PIECE_SIZE = 256 * 1024
MIB = 1024 * 1024
HOOKS = {
    "none": "",
    # today's ordering alone: tiers, numwant filled from farther tiers once the rack runs out
    "tiers": "prehooks:\n  - name: subnet-preference\n    config: {ipv4-prefixes: [24, 16], rack-quorum: 0}\n",
    # what a user who configures [24, 16] and nothing else gets
    "default": "prehooks:\n  - name: subnet-preference\n    config: {ipv4-prefixes: [24, 16]}\n",
}


def log(message):
    print(f"[rollout {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


BASE = "127.10"  # the first two octets of every peer's address (--base)


def address(rack, host):
    return f"{BASE}.{rack}.{host}"


# ---- one peer (child process) ---------------------------------------------------------------------------------

def peer_main(args):
    """A child: one session, one torrent. stdout: 'announced', 'complete <time>', then the report as JSON."""
    ti = lt.torrent_info(args.torrent)
    limit = int(args.upload_limit * MIB)
    session = lt.session({
        "listen_interfaces": f"{args.addr}:0",
        "outgoing_interfaces": args.addr,
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "ssrf_mitigation": False,
        "num_want": args.num_want,
        "upload_rate_limit": limit,
        "alert_mask": lt.alert_category.error | lt.alert_category.status | lt.alert_category.tracker,
    })
    # libtorrent exempts local peers (its "local" peer class) from rate limits; here everyone is on loopback
    everyone = lt.ip_filter()
    everyone.add_rule("0.0.0.0", "255.255.255.255", 1 << lt.session.global_peer_class_id)
    session.set_peer_class_filter(everyone)
    params = lt.add_torrent_params()
    params.ti = ti
    params.save_path = args.save
    params.trackers = [args.announce]
    params.flags = lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex
    if args.seed:
        params.flags |= lt.torrent_flags.seed_mode
    handle = session.add_torrent(params)
    live = {}   # (ip, port) -> payload bytes received on the current connection
    done = {}   # ip -> bytes of connections that are gone
    announced = False
    completed_at = None
    first_peers = -1
    deadline = time.monotonic() + args.timeout
    os.set_blocking(sys.stdin.fileno(), False)

    def poll():
        seen = {}
        for p in handle.get_peer_info():
            seen[(p.ip[0], p.ip[1])] = p.total_download
        for key, got in seen.items():
            if key in live and got < live[key]:  # a new connection to the same endpoint
                done[key[0]] = done.get(key[0], 0) + live[key]
        for key in list(live):
            if key not in seen:
                done[key[0]] = done.get(key[0], 0) + live.pop(key)
        live.update(seen)

    while time.monotonic() < deadline:
        session.wait_for_alert(200)
        for a in session.pop_alerts():
            kind = type(a).__name__
            if kind == "tracker_reply_alert" and not announced:
                announced = True
                first_peers = a.num_peers
                print("announced", flush=True)
            elif kind == "tracker_error_alert":
                print(f"tracker error: {a.message()}", file=sys.stderr, flush=True)
            elif kind == "torrent_finished_alert" and not args.seed and completed_at is None:
                completed_at = time.time()
                print(f"complete {completed_at}", flush=True)
        poll()
        try:
            if sys.stdin.readline():
                break
        except (BlockingIOError, TypeError):
            pass
    poll()
    received = dict(done)
    for (ip, _), got in live.items():
        received[ip] = received.get(ip, 0) + got
    status = handle.status()
    print(json.dumps({"addr": args.addr, "seed": args.seed, "completed_at": completed_at,
                      "progress": status.progress, "first_reply_peers": first_peers,
                      "uploaded": status.all_time_upload, "received": received}), flush=True)
    handle.pause(lt.pause_flags_t.graceful_pause)  # sends "stopped"; the tracker's answer is not awaited
    time.sleep(0.2)


# ---- the rollout (parent) -------------------------------------------------------------------------------------

class Child:
    def __init__(self, args, torrent, addr, save, seed, announce):
        cmd = [sys.executable, os.path.abspath(__file__), "--peer", "--torrent", torrent, "--addr", addr,
               "--save", save, "--announce", announce, "--num-want", str(args.num_want),
               "--upload-limit", str(args.seeder_upload_limit if seed and args.seeder_upload_limit
                                     else args.upload_limit), "--timeout", str(args.timeout + 30)]
        if seed:
            cmd.append("--seed")
        self.addr = addr
        self.rack = int(addr.split(".")[2])
        self.seed = seed
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.announced = False
        self.completed_at = None
        self.report = None
        self.buffer = ""

    def read(self):
        try:
            chunk = self.proc.stdout.read()
        except (BlockingIOError, TypeError):
            chunk = None
        if chunk:
            self.buffer += chunk
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            if line == "announced":
                self.announced = True
            elif line.startswith("complete "):
                self.completed_at = float(line.split()[1])
            elif line.startswith("{"):
                self.report = json.loads(line)

    def stop(self):
        try:
            self.proc.stdin.write("stop\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass


def wait(children, condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for c in children:
            c.read()
        if condition():
            return True
        time.sleep(0.05)
    log(f"timed out after {timeout:.0f}s waiting for {what}")
    return False


def start_tracker(args, work):
    config = os.path.join(work, "swarmgate.yaml")
    with open(config, "w") as f:
        f.write(f"http: {{host: 127.0.0.1, port: {args.tracker_port}}}\nudp: {{enabled: false}}\n"
                f"metrics: {{host: 127.0.0.1, port: {args.tracker_port + 1}}}\n"
                + (args.hook_yaml if args.hook_yaml is not None else HOOKS[args.preference]))
    proc = subprocess.Popen(["java", "-jar", args.jar, "--config", config],
                            stdout=open(os.path.join(work, "tracker.log"), "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.tracker_port + 1}/health/ready", timeout=1)
            return proc
        except OSError:
            if proc.poll() is not None:
                with open(os.path.join(work, "tracker.log")) as f:
                    tail = f.read()[-2000:]
                raise SystemExit(f"rollout: the tracker exited; its log ends:\n{tail}")
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("rollout: the tracker did not become ready in 60 s")


def run(args):
    work = tempfile.mkdtemp(prefix="rollout-", dir=args.dir)
    tracker = None
    children = []
    try:
        seed_dir = os.path.join(work, "seed")
        os.makedirs(seed_dir)
        with open(os.path.join(seed_dir, "release.bin"), "wb") as f:
            left = int(args.size_mib * MIB)
            while left > 0:
                chunk = min(left, MIB)
                f.write(os.urandom(chunk))
                left -= chunk
        fs = lt.file_storage()
        lt.add_files(fs, os.path.join(seed_dir, "release.bin"))
        ct = lt.create_torrent(fs, PIECE_SIZE, flags=lt.create_torrent.v1_only)
        ct.set_priv(True)
        lt.set_piece_hashes(ct, seed_dir)
        torrent = os.path.join(work, "release.torrent")
        with open(torrent, "wb") as f:
            f.write(lt.bencode(ct.generate()))
        announce = args.announce
        if args.jar:
            tracker = start_tracker(args, work)
            announce = f"http://127.0.0.1:{args.tracker_port}/announce"

        seeds = [int(x) for x in args.seeders.split(",")] + [0] * args.racks
        for rack in range(1, args.racks + 1):
            for i in range(seeds[rack - 1]):
                children.append(Child(args, torrent, address(rack, 200 + i), seed_dir, True, announce))
        seeders = list(children)
        if not wait(seeders, lambda: all(c.announced for c in seeders), 60, "the seeders' first announces"):
            return None
        t0 = time.time()
        leechers = []
        for i in range(args.leechers):
            for rack in range(1, args.racks + 1):
                save = os.path.join(work, f"leech-{rack}-{i + 1}")
                os.makedirs(save)
                c = Child(args, torrent, address(rack, i + 1), save, False, announce)
                leechers.append(c)
                children.append(c)
                if args.stagger > 0:
                    time.sleep(args.stagger)
        wait(children, lambda: all(c.completed_at for c in leechers), args.timeout, "every leecher to complete")
        for c in children:
            c.stop()
        wait(children, lambda: all(c.report for c in children), 30, "the reports")
        return summarise(args, t0, leechers, seeders)
    finally:
        for c in children:
            if c.proc.poll() is None:
                c.proc.kill()
            c.proc.wait()
        if tracker is not None:
            tracker.send_signal(signal.SIGTERM)
            try:
                tracker.wait(20)
            except subprocess.TimeoutExpired:
                tracker.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def summarise(args, t0, leechers, seeders):
    cross = 0
    total = 0
    per_rack = {}
    for c in leechers:
        r = per_rack.setdefault(c.rack, {"in_rack_mib": 0.0, "cross_rack_mib": 0.0})
        for ip, got in (c.report or {}).get("received", {}).items():
            total += got
            if int(ip.split(".")[2]) == c.rack:
                r["in_rack_mib"] += got / MIB
            else:
                cross += got
                r["cross_rack_mib"] += got / MIB
    times = [c.completed_at - t0 for c in leechers if c.completed_at]
    for rack, r in per_rack.items():
        done = [c.completed_at - t0 for c in leechers if c.rack == rack and c.completed_at]
        r["completion_median_s"] = statistics.median(done) if done else None
    starved = [c.addr for c in leechers if not c.completed_at]
    result = {
        "racks": args.racks, "leechers_per_rack": args.leechers, "seeders": args.seeders,
        "num_want": args.num_want, "stagger": args.stagger, "upload_limit_mib": args.upload_limit,
        "seeder_upload_limit_mib": args.seeder_upload_limit or args.upload_limit,
        "size_mib": args.size_mib, "preference": args.preference if args.hook_yaml is None else "custom",
        "cross_rack_fraction": round(cross / total, 3) if total else None,
        "completion_median_s": round(statistics.median(times), 2) if times else None,
        "completion_max_s": round(max(times), 2) if times else None,
        "completed": len(times), "leechers": len(leechers), "starved": starved,
        "per_rack": {str(k): {n: (round(v, 1) if v is not None else None) for n, v in sorted(per_rack[k].items())} for k in sorted(per_rack)},
        "seeder_upload_mib": round(sum((c.report or {}).get("uploaded", 0) for c in seeders) / MIB, 1),
    }
    print(f"shape {args.racks}x{args.leechers}, seeders per rack {args.seeders}, num_want {args.num_want}, "
          f"stagger {args.stagger}s, {args.upload_limit} MiB/s, {args.size_mib} MiB, preference "
          f"{result['preference']}")
    print(f"  cross-rack fraction {result['cross_rack_fraction']}  completion median "
          f"{result['completion_median_s']}s max {result['completion_max_s']}s  completed "
          f"{len(times)}/{len(leechers)}  starved {starved or 'none'}")
    for rack, r in result["per_rack"].items():
        print(f"  rack {rack}: {r['in_rack_mib']} MiB from rack-mates, {r['cross_rack_mib']} MiB across racks, "
              f"completion median {r['completion_median_s']} s")
    print("result " + json.dumps(result), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--racks", type=int, default=3)
    parser.add_argument("--leechers", type=int, default=8, help="leechers per rack")
    parser.add_argument("--seeders", default="1", help="seeders per rack, comma-separated from rack 1 (1 / 1,1)")
    parser.add_argument("--num-want", type=int, default=6)
    parser.add_argument("--stagger", type=float, default=0.1, help="seconds between leecher starts")
    parser.add_argument("--upload-limit", type=float, default=4.0, help="MiB/s per peer")
    parser.add_argument("--seeder-upload-limit", type=float,
                        help="MiB/s per initial seeder (default: --upload-limit); an origin server is often faster")
    parser.add_argument("--size-mib", type=float, default=16.0, help="payload")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for the leechers to complete")
    parser.add_argument("--announce", help="announce URL of a running tracker")
    parser.add_argument("--jar", help="start the tracker from this jar instead (HTTP on --tracker-port)")
    parser.add_argument("--tracker-port", type=int, default=24100, help="with --jar; metrics on the next port")
    parser.add_argument("--preference", choices=sorted(HOOKS), default="default", help="with --jar")
    parser.add_argument("--hook-yaml", help="with --jar: prehooks YAML instead of --preference")
    parser.add_argument("--base", default="127.10",
                        help="first two octets of the peers' loopback addresses: rack r is BASE.r.0/24")
    parser.add_argument("--dir", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    # child mode
    parser.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--torrent", help=argparse.SUPPRESS)
    parser.add_argument("--addr", help=argparse.SUPPRESS)
    parser.add_argument("--save", help=argparse.SUPPRESS)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global BASE
    BASE = args.base
    if args.peer:
        peer_main(args)
        return 0
    if bool(args.announce) == bool(args.jar):
        parser.error("give exactly one of --announce and --jar")
    octets = args.base.split(".")
    if len(octets) != 2 or octets[0] != "127" or not octets[1].isdigit() or int(octets[1]) > 255:
        parser.error("--base must be two octets of 127/8, e.g. 127.10")
    if args.racks < 1 or args.racks > 250 or args.leechers < 1 or args.leechers > 199:
        parser.error("--racks must be 1..250 and --leechers 1..199")
    result = run(args)
    return 0 if result and not result["starved"] else 1


if __name__ == "__main__":
    sys.exit(main())
