package io.swarmgate.bench;

import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated population: {@code peers} peers spread round-robin over {@code swarms} info hashes, a fifth of
 * every swarm seeding. Info hashes are a fixed function of the swarm number (so a whitelist written by
 * {@code --print-infohashes} matches every later run); peer ids and ports are random per run, like clients that
 * restart, or with a peer seed a fixed function of the seed and the peer's number, so that repeated runs against
 * one tracker announce the same peers and its swarms keep their size. Each worker plays its own slice of the
 * peers, so no two workers announce the same peer.
 *
 * With tokens, there is one JWT per swarm (the {@code jwt} query parameter / BEP 41 URL data).
 */
public final class Workload {

    /** What every announce asks for: BEP 15 and BEP 3 clients commonly ask for 50 peers. */
    static final int DEFAULT_NUMWANT = 50;
    /** Bytes left of a leecher's download; a seeder sends 0. */
    static final long LEFT = 1_000_000;

    private final int swarms;
    private final int peers;
    private final int numWant;
    private final List<String> tokens;
    private final InfoHash[] infoHashes;
    /** Null: peer ids and ports random per run; else they are a function of this and the peer's number. */
    private final Long peerSeed;

    public Workload(int swarms, int peers, int numWant, List<String> tokens) {
        this(swarms, peers, numWant, tokens, null);
    }

    /** @param peerSeed null for random peer ids and ports per run, else the seed they are derived from */
    public Workload(int swarms, int peers, int numWant, List<String> tokens, Long peerSeed) {
        if (swarms < 1 || peers < swarms) {
            throw new IllegalArgumentException("--peers must be at least --swarms (one peer per swarm), and"
                    + " --swarms at least 1");
        }
        if (!tokens.isEmpty() && tokens.size() != swarms) {
            throw new IllegalArgumentException("one token per swarm");
        }
        this.swarms = swarms;
        this.peers = peers;
        this.numWant = numWant;
        this.tokens = List.copyOf(tokens);
        this.peerSeed = peerSeed;
        this.infoHashes = new InfoHash[swarms];
        for (int s = 0; s < swarms; s++) {
            infoHashes[s] = InfoHash.of(infoHashBytes(s));
        }
    }

    int swarms() {
        return swarms;
    }

    int peers() {
        return peers;
    }

    int numWant() {
        return numWant;
    }

    /** The info_hash of swarm {@code swarm}, 0-based: "Swarmgat" xor the index, mixed (SplitMix64). */
    static byte[] infoHashBytes(int swarm) {
        ByteBuffer b = ByteBuffer.allocate(20);
        long x = 0x5377_6172_6d67_6174L ^ swarm;
        for (int k = 0; k < 2; k++) {
            x = mix(x + k);
            b.putLong(x);
        }
        b.putInt((int) mix(x + 7));
        return b.array();
    }

    InfoHash infoHash(int swarm) {
        return infoHashes[swarm];
    }

    static int swarmOf(int peer, int swarms) {
        return peer % swarms;
    }

    int swarmOf(int peer) {
        return swarmOf(peer, swarms);
    }

    /** A fifth of every swarm seeds (peers 0, 5, 10, ... of each swarm). */
    boolean seeder(int peer) {
        return (peer / swarms) % 5 == 0;
    }

    String token(int swarm) {
        return tokens.isEmpty() ? "" : tokens.get(swarm);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The peers one worker plays: every {@code workers}-th peer starting at {@code index}. */
    Slice slice(int index, int workers, long seed) {
        return new Slice(this, index, workers, new SplittableRandom(seed));
    }

    /** One worker's peers, with their random ids and ports and whether each has said "started" yet. */
    static final class Slice {
        private final Workload workload;
        private final int[] peer;
        private final PeerId[] ids;
        private final int[] ports;
        private final boolean[] started;
        private final SplittableRandom random;
        private int cursor;

        Slice(Workload workload, int index, int workers, SplittableRandom random) {
            this.workload = workload;
            this.random = random;
            int n = Math.max(0, (workload.peers - index + workers - 1) / workers);
            peer = new int[n];
            ids = new PeerId[n];
            ports = new int[n];
            started = new boolean[n];
            for (int k = 0; k < n; k++) {
                peer[k] = index + k * workers;
                SplittableRandom r = workload.peerSeed == null ? random
                        : new SplittableRandom(mix(workload.peerSeed ^ mix(peer[k])));
                // "-SG0001-" and 12 random bytes, as an Azureus-style client id
                ids[k] = new PeerId(0x2d53_4730_3030_312dL, r.nextLong(), r.nextInt());
                ports[k] = 1024 + r.nextInt(64_000);
            }
        }

        int size() {
            return peer.length;
        }

        /** Picks the next announcing peer: in order for the first round (so every peer starts), then at random. */
        int next() {
            if (cursor < peer.length) {
                return cursor++;
            }
            return random.nextInt(peer.length);
        }

        int randomSwarm() {
            return random.nextInt(workload.swarms);
        }

        int swarm(int k) {
            return workload.swarmOf(peer[k]);
        }

        PeerId id(int k) {
            return ids[k];
        }

        int port(int k) {
            return ports[k];
        }

        long left(int k) {
            return workload.seeder(peer[k]) ? 0 : LEFT;
        }

        /** BEP 15 event code: 2 (started) on a peer's first announce, 0 (none) on its re-announces. */
        int event(int k) {
            if (started[k]) {
                return 0;
            }
            started[k] = true;
            return 2;
        }
    }
}
