#!/usr/bin/python3
"""Two real BitTorrent clients (libtorrent, as shipped in Debian's python3-libtorrent) share a file through
one tracker, and nothing else: DHT, local service discovery, UPnP, NAT-PMP and PEX are off and the torrent is
private (BEP 27), so the only way the leecher can learn the seeder's address is the tracker's announce reply.

Run with Debian's interpreter, which is where python3-libtorrent lives:

    /usr/bin/python3 src/test/python/swarm_e2e.py --announce http://127.0.0.1:6969/announce --dir /tmp/e2e

Steps: write a random payload of --size-mib MiB, make a v1 private torrent of it (256 KiB pieces), start the
seeder and wait until the tracker has answered its first announce, then start the leecher, wait for the
download to finish and for the tracker to answer the leecher's "completed" announce, compare the downloaded
bytes with the payload, and finally stop both clients (each sends "stopped") and wait for those answers too.

stdout carries only protocol lines, so a test driver can follow along:
    info_hash <40 hex digits>    the torrent exists (v1 info hash; the driver may mint a token for it)
    complete                     the leecher has every byte and the tracker answered its "completed"
    stopped                      both clients told the tracker they left, and the tracker answered
Everything else (progress, every tracker alert, errors) goes to stderr, so a failure explains itself.

--announce - reads the announce URL as one line from stdin after "info_hash" is printed: a driver that needs
the info hash to build the URL (a JWT in the query) answers there. A line (or --announce value) of two URLs
separated by a space gives the seeder the first and the leecher the second: two tracker instances sharing one
store. --hold waits for one line (or end of
input) on stdin after "complete", so the driver can inspect the tracker while both clients are still in the
swarm. Exit status: 0 when the download completed and verified, 1 on any failure, 2 on bad arguments.
"""

import argparse
import hashlib
import os
import sys
import time

try:
    import libtorrent as lt
except ImportError as e:  # the driver probes for this separately; this message is for people
    print(f"swarm_e2e: cannot import libtorrent ({e}); install Debian's python3-libtorrent and run "
          f"this with /usr/bin/python3", file=sys.stderr)
    sys.exit(1)

PIECE_SIZE = 256 * 1024
START = time.monotonic()

# tracker_announce_alert.event values (libtorrent event_t)
EVENT_NAMES = {0: "none", 1: "completed", 2: "started", 3: "stopped", 4: "paused"}


class Failure(Exception):
    pass


def log(message):
    print(f"[swarm_e2e {time.monotonic() - START:6.2f}s] {message}", file=sys.stderr, flush=True)


def say(line):
    """One protocol line on stdout, flushed so the driver sees it at once."""
    print(line, flush=True)


def settings(name):
    return {
        # loopback only, an ephemeral port each: two clients on one machine, nothing reachable from outside
        "listen_interfaces": "127.0.0.1:0",
        # the tracker must be the only way the peers find each other
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # libtorrent keeps one connection per address and torrent by default, and every peer here is 127.0.0.1
        "allow_multiple_connections_per_ip": True,
        # libtorrent 2.0's server-side request forgery mitigation refuses a tracker on localhost whose path is
        # not /announce ("blocked by SSRF mitigation"). /announce?jwt=... passes either way (checked with 2.0.8);
        # off so that a test may also use another of the tracker's announce-routes.
        "ssrf_mitigation": False,
        "user_agent": f"swarmgate-e2e-{name}/libtorrent-{lt.__version__}",
        "alert_mask": (lt.alert_category.error | lt.alert_category.status | lt.alert_category.tracker
                       | lt.alert_category.connect | lt.alert_category.storage),
    }


class Client:
    """One libtorrent session with one torrent, and what its alerts have told us so far."""

    def __init__(self, name, ti, save_path, announce_url, seed):
        self.name = name
        self.session = lt.session(settings(name))
        self.replies = 0
        self.answered = []  # events of announces the tracker answered, in order
        self.sent = []  # events of announces sent and not yet answered
        self.finished = False
        self.flushed = False
        self.peers_seen = set()
        self.last_reply_peers = -1
        self.last_reply_at = 0.0
        self.reannounces = 0
        params = lt.add_torrent_params()
        params.ti = ti
        params.save_path = save_path
        params.trackers = [announce_url]
        # a private torrent turns off PEX and DHT for it in the client as well (BEP 27); not auto-managed, so
        # the session's queueing never pauses it
        params.flags = (lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex)
        if seed:
            params.flags |= lt.torrent_flags.seed_mode
        self.handle = self.session.add_torrent(params)
        log(f"{name}: started, listening on 127.0.0.1:{self.session.listen_port()}")

    def drain(self):
        for a in self.session.pop_alerts():
            self.on_alert(a)

    def on_alert(self, a):
        kind = type(a).__name__
        if kind == "tracker_announce_alert":
            event = EVENT_NAMES.get(int(a.event), str(a.event))
            self.sent.append(event)
            log(f"{self.name}: announce sent, event={event}")
        elif kind == "tracker_reply_alert":
            self.replies += 1
            event = self.sent.pop(0) if self.sent else "?"
            self.answered.append(event)
            self.last_reply_peers = a.num_peers
            self.last_reply_at = time.monotonic()
            log(f"{self.name}: tracker reply to {event}: {a.num_peers} peer(s)")
        elif kind == "tracker_warning_alert":
            log(f"{self.name}: TRACKER WARNING: {a.message()}")
        elif kind == "tracker_error_alert":
            reason = a.failure_reason() if callable(getattr(a, "failure_reason", None)) else ""
            error = getattr(a, "error", None)
            # message() embeds the whole announce URL (a token can make it long) and libtorrent cuts it
            # short, so name the error and the tracker's reason separately
            raise Failure(f"{self.name}: tracker error: {error.message() if error is not None else '?'}"
                          + (f" (failure reason: {reason})" if reason else "")
                          + f" from {a.message()[:120]}")
        elif kind in ("torrent_error_alert", "file_error_alert", "listen_failed_alert", "fastresume_rejected_alert",
                      "hash_failed_alert", "metadata_failed_alert"):
            raise Failure(f"{self.name}: {kind}: {a.message()}")
        elif kind == "cache_flushed_alert":
            self.flushed = True
            log(f"{self.name}: disk writes flushed")
        elif kind == "torrent_finished_alert":
            self.finished = True
            log(f"{self.name}: torrent finished")
        elif kind == "peer_connect_alert":
            self.peers_seen.add(str(a.endpoint))
            log(f"{self.name}: {a.message()}")
        elif kind in ("peer_disconnected_alert", "peer_error_alert", "state_changed_alert",
                      "listen_succeeded_alert", "incoming_connection_alert"):
            log(f"{self.name}: {a.message()}")
        elif a.category() & lt.alert_category.error:
            log(f"{self.name}: {kind}: {a.message()}")

    def describe(self):
        s = self.handle.status()
        return (f"{self.name}: state={s.state} progress={s.progress * 100:.0f}% peers={s.num_peers} "
                f"seeds={s.num_seeds} tracker replies={self.answered} pending={self.sent} "
                f"current_tracker='{s.current_tracker}' errors='{s.errc.message() if s.errc.value() else ''}'")


def wait_for(clients, condition, what, timeout):
    deadline = time.monotonic() + timeout
    last_report = time.monotonic()
    while True:
        for c in clients:
            c.drain()
        if condition():
            return
        now = time.monotonic()
        if now > deadline:
            raise Failure(f"timed out after {timeout:.0f}s waiting for {what}; "
                          + "; ".join(c.describe() for c in clients))
        if now - last_report > 5:
            last_report = now
            for c in clients:
                log("still waiting for " + what + ": " + c.describe())
        clients[-1].session.wait_for_alert(100)


def make_payload(path, size):
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left > 0:
            chunk = os.urandom(min(left, 1 << 20))
            digest.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def make_torrent(seed_dir, name):
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(seed_dir, name))
    # v1 only: a hybrid torrent announces a second (v2, truncated) info hash to the same tracker, which would
    # double the swarms the driver has to look at
    ct = lt.create_torrent(fs, PIECE_SIZE, flags=lt.create_torrent.v1_only)
    ct.set_priv(True)
    ct.set_creator("swarmgate e2e")
    lt.set_piece_hashes(ct, seed_dir)
    return lt.torrent_info(ct.generate())


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run(args):
    seed_dir = os.path.join(args.dir, "seed")
    leech_dir = os.path.join(args.dir, "leech")
    os.makedirs(seed_dir, exist_ok=True)
    os.makedirs(leech_dir, exist_ok=True)
    name = "payload.bin"
    size = int(args.size_mib * 1024 * 1024)
    expected = make_payload(os.path.join(seed_dir, name), size)
    ti = make_torrent(seed_dir, name)
    info_hash = str(ti.info_hashes().v1)
    log(f"payload {size} bytes sha256={expected}, {ti.num_pieces()} pieces, info_hash={info_hash}")
    say(f"info_hash {info_hash}")

    announce = args.announce
    if announce == "-":
        announce = sys.stdin.readline().strip()
        if not announce:
            raise Failure("expected the announce URL on stdin, got end of input")
    log(f"announce URL: {announce}")
    seeder_announce, _, leecher_announce = announce.partition(" ")
    leecher_announce = leecher_announce.strip() or seeder_announce

    deadline = time.monotonic() + args.timeout

    def left():
        return max(1.0, deadline - time.monotonic())

    seeder = Client("seeder", ti, seed_dir, seeder_announce, seed=True)
    clients = [seeder]
    # once the tracker has answered the seeder, the seeder is in the swarm: the leecher's first announce finds it
    wait_for(clients, lambda: seeder.replies >= 1, "the tracker to answer the seeder's first announce", left())
    leecher = Client("leecher", ti, leech_dir, leecher_announce, seed=False)
    clients.append(leecher)
    wait_for(clients, lambda: leecher.finished, "the leecher to finish downloading", left())
    # "finished" means every piece passed its hash check, which libtorrent 2.0 does on blocks that may still be
    # waiting in its store buffer: reading the file now could see holes. flush_cache waits for those writes.
    leecher.flushed = False
    leecher.handle.flush_cache()
    wait_for(clients, lambda: leecher.flushed, "the leecher's disk writes", left())
    wait_for(clients, lambda: "completed" in leecher.answered,
             "the tracker to answer the leecher's 'completed' announce", left())

    got = sha256_of(os.path.join(leech_dir, name))
    if got != expected:
        raise Failure(f"downloaded file differs from the payload: sha256 {got} != {expected}")
    log(f"leecher has all {size} bytes, sha256 matches; peers it talked to: {sorted(leecher.peers_seen)}")
    say("complete")

    if args.hold:
        log("holding until a line or end of input on stdin")
        sys.stdin.readline()

    # pausing a torrent (gracefully) sends "stopped" to its trackers, and we can still see the answer
    for c in clients:
        c.handle.pause(lt.pause_flags_t.graceful_pause)
    wait_for(clients, lambda: all("stopped" in c.answered for c in clients),
             "the tracker to answer both clients' 'stopped' announces", max(left(), 15.0))
    say("stopped")
    log("done")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--announce", required=True,
                        help="announce URL (http://, udp://, with any query), or - to read it from stdin")
    parser.add_argument("--dir", required=True, help="scratch directory (payload, seeder and leecher files)")
    parser.add_argument("--size-mib", type=float, default=4.0, help="payload size in MiB (default 4)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds for the whole exchange (default 90)")
    parser.add_argument("--hold", action="store_true", help="after 'complete', wait for a line on stdin")
    args = parser.parse_args()
    if args.size_mib <= 0 or args.timeout <= 0:
        parser.error("--size-mib and --timeout must be positive")
    try:
        run(args)
    except Failure as e:
        log(f"FAILED: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
