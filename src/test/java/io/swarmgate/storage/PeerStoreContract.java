package io.swarmgate.storage;

import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.bittorrent.SwarmStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link PeerStore} must do, as a swarm's peers would notice it. A store's test extends this class
 * and says how to make the store; the clock is moved by hand, so expiry needs no sleeping.
 */
public abstract class PeerStoreContract {
    protected static final Duration LIFETIME = Duration.ofMinutes(31);
    private static final PeerPreference RACK4 = new PeerPreference(List.of(24, 16));
    private static final PeerPreference RACK6 = new PeerPreference(List.of(64, 48));

    protected MutableClock clock;
    protected PeerStore store;
    private int nextId;

    /** A fresh, empty store whose peers live {@code peerLifetime} by {@code clock}. */
    protected abstract PeerStore newStore(Duration peerLifetime, MutableClock clock);

    @BeforeEach
    void openStore() {
        clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        store = newStore(LIFETIME, clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    protected static InfoHash torrent(int n) {
        // spread over the whole id space, like the SHA-1 output real info_hashes are
        return new InfoHash(n * 0x9E3779B97F4A7C15L, ~n * 0xC2B2AE3D27D4EB4FL, n);
    }

    /** A peer with a fresh peer_id. */
    protected Peer peer(String address, int port) {
        return peer(address, port, ++nextId);
    }

    protected static Peer peer(String address, int port, int id) {
        return new Peer(new PeerId(0x2d5347303130302dL, id, id * 31), IpAddress.parse(address), port);
    }

    private static Set<String> endpoints(List<Peer> peers) {
        Set<String> out = new HashSet<>();
        for (Peer p : peers) {
            out.add(p.toString());
        }
        return out;
    }

    private static void assertDistinct(List<Peer> peers) {
        assertEquals(peers.size(), endpoints(peers).size(), "a peer was returned twice: " + peers);
    }

    private static boolean shares(Peer a, Peer b, int prefix) {
        return a.ip().sharesPrefix(b.ip(), prefix);
    }

    private static final io.swarmgate.bittorrent.PeerSink DISCARD = (family, hi, lo, port, id0, id1, id2) -> {
    };

    protected AnnounceResult put(InfoHash t, Peer p, boolean seeder) {
        return StoreSteps.put(store, t, p, seeder);
    }

    protected AnnounceResult stop(InfoHash t, Peer p) {
        return StoreSteps.stop(store, t, p);
    }

    protected AnnounceResult complete(InfoHash t, Peer p) {
        return StoreSteps.complete(store, t, p);
    }

    private List<Peer> select(InfoHash t, Peer announcer, boolean seeder, int numWant) {
        return select(t, announcer, seeder, numWant, PeerPreference.NONE);
    }

    /**
     * An announce (which stores the announcer) and the peers it was handed, as objects; checks the family, that
     * no peer came twice and that the count returned is the count handed to the sink.
     */
    private List<Peer> select(InfoHash t, Peer announcer, boolean seeder, int numWant, PeerPreference pref) {
        return handout(t, announcer, seeder, numWant, pref).peers();
    }

    /** The peers one announce was handed and the store's answer. */
    private record Handout(List<Peer> peers, AnnounceResult result) {
    }

    private Handout handout(InfoHash t, Peer announcer, boolean seeder, int numWant, PeerPreference pref) {
        List<Peer> peers = new ArrayList<>();
        AnnounceResult result = store.announce(t, announcer, Event.NONE, seeder, numWant, pref,
                (family, hi, lo, port, id0, id1, id2) -> {
                    assertEquals(announcer.family(), family, "only peers of the announcer's family");
                    peers.add(new Peer(new PeerId(id0, id1, id2), new IpAddress(family, hi, lo), port));
                });
        assertEquals(peers.size(), result.peers(), "the count returned is the count handed to the sink");
        assertDistinct(peers);
        return new Handout(peers, result);
    }

    // ---- one atomic step per announce -------------------------------------------------------------------------

    @Test
    void anAnswerCountsTheAnnouncerAndTheNextAnnounceSeesIt() {
        InfoHash t = torrent(1);
        Peer a = peer("10.0.0.1", 6881);
        Peer b = peer("10.0.0.2", 6881);
        AnnounceResult first = store.announce(t, a, Event.STARTED, false, 50, PeerPreference.NONE, DISCARD);
        assertEquals(new AnnounceResult(0, 1, 0), first, "the first leecher is counted in its own answer");
        assertEquals(List.of(a), select(t, b, false, 50), "the next announce gets it");
        assertEquals(new SwarmStats(0, 2, 0), store.stats(t));

        AnnounceResult done = store.announce(t, a, Event.COMPLETED, false, 50, PeerPreference.NONE, DISCARD);
        assertEquals(new AnnounceResult(1, 1, 1), done, "completed: a seeder now, and it gets the leecher b");
        assertEquals(new SwarmStats(1, 1, 1), store.stats(t), "the download is counted at once");
        List<Peer> peers = new ArrayList<>();
        AnnounceResult seen = store.announce(t, b, Event.NONE, false, 50, PeerPreference.NONE,
                (family, hi, lo, port, id0, id1, id2) -> peers.add(new Peer(new PeerId(id0, id1, id2),
                        new IpAddress(family, hi, lo), port)));
        assertEquals(new AnnounceResult(1, 1, 1), seen);
        assertEquals(List.of(a), peers);

        AnnounceResult gone = store.announce(t, a, Event.STOPPED, true, 50, PeerPreference.NONE, DISCARD);
        assertEquals(new AnnounceResult(0, 1, 0), gone, "a stopped announcer is no longer counted, gets no peers");
        assertEquals(List.of(), select(t, b, false, 50), "and is never handed out again");
        assertEquals(new SwarmStats(0, 1, 1), store.stats(t));
    }

    @Test
    void aSeederThatStartsIsCountedAsOne() {
        InfoHash t = torrent(1);
        assertEquals(new AnnounceResult(1, 0, 0), put(t, peer("10.0.0.1", 6881), true));
        assertEquals(new AnnounceResult(1, 1, 1), store.announce(t, peer("10.0.0.2", 6881), Event.STARTED, false,
                50, PeerPreference.NONE, DISCARD));
    }

    // ---- counts ----------------------------------------------------------------------------------------------

    @Test
    void unknownTorrentIsEmpty() {
        assertEquals(SwarmStats.EMPTY, store.stats(torrent(1)));
        assertEquals(new AnnounceResult(0, 0, 0), stop(torrent(1), peer("10.0.0.1", 6881)));
        assertEquals(new StoreTotals(0, 0, 0, 0, 0), store.totals(), "a stop of an unknown peer makes no swarm");
        assertEquals(0, store.collectGarbage());
        assertEquals(List.of(), select(torrent(1), peer("10.0.0.1", 6881), false, 50), "the first peer gets nobody");
    }

    @Test
    void putCountsSeedersAndLeechers() {
        InfoHash t = torrent(1);
        put(t, peer("10.0.0.1", 6881), true);
        put(t, peer("10.0.0.2", 6881), true);
        put(t, peer("10.0.0.3", 6881), false);
        put(t, peer("10.0.0.3", 6882), false);
        put(t, peer("10.0.0.4", 6881), false);
        assertEquals(new SwarmStats(2, 3, 0), store.stats(t));
        assertEquals(new StoreTotals(1, 2, 3, 0, 0), store.totals());
    }

    /** A scrape's counts, asked together: each swarm's own, in the order asked, unknown ones empty. */
    @Test
    void statsOfManySwarmsAreEachSwarmsInOrder() {
        List<InfoHash> asked = new java.util.ArrayList<>();
        List<SwarmStats> expected = new java.util.ArrayList<>();
        for (int s = 1; s <= 40; s++) {
            InfoHash t = torrent(s);
            asked.add(t);
            for (int i = 0; i < s % 4; i++) {
                put(t, peer("10.0." + s + "." + i, 6881), i == 0);
            }
            if (s % 5 == 0) {
                complete(t, peer("10.1." + s + ".1", 6881));
            }
            expected.add(store.stats(t));
        }
        asked.add(torrent(99)); // unknown
        expected.add(SwarmStats.EMPTY);
        assertEquals(expected, store.stats(asked));
        assertEquals(new SwarmStats(1, 2, 0), store.stats(List.of(torrent(3))).getFirst());
        assertEquals(List.of(), store.stats(List.of()));
    }

    @Test
    void reannounceRefreshesWithoutCountingTwice() {
        InfoHash t = torrent(1);
        for (int i = 0; i < 3; i++) {
            put(t, peer("10.0.0.1", 6881, 7), false);
        }
        assertEquals(new SwarmStats(0, 1, 0), store.stats(t));
    }

    @Test
    void peerMovesBetweenSeedersAndLeechers() {
        InfoHash t = torrent(1);
        Peer p = peer("10.0.0.1", 6881);
        put(t, p, false);
        put(t, p, true);
        assertEquals(new SwarmStats(1, 0, 0), store.stats(t));
        assertEquals(new StoreTotals(1, 1, 0, 0, 0), store.totals());
        put(t, p, false);
        assertEquals(new SwarmStats(0, 1, 0), store.stats(t));
        assertEquals(new StoreTotals(1, 0, 1, 0, 0), store.totals());
    }

    @Test
    void removeForgetsSeederOrLeecher() {
        InfoHash t = torrent(1);
        Peer seeder = peer("10.0.0.1", 6881);
        Peer leecher = peer("10.0.0.2", 6881);
        Peer other = peer("10.0.0.3", 6881);
        put(t, seeder, true);
        put(t, leecher, false);
        put(t, other, false);
        stop(t, seeder);
        stop(t, leecher);
        stop(t, peer("10.0.0.9", 6881)); // unknown: nothing happens
        stop(t, peer("10.0.0.3", 6882)); // same address, other port: a different peer
        assertEquals(new SwarmStats(0, 1, 0), store.stats(t));
        assertEquals(Set.of(other.toString()), endpoints(select(t, peer("10.0.0.7", 1), false, 50)));
    }

    @Test
    void completeCountsADownloadAndMakesASeeder() {
        InfoHash t = torrent(1);
        Peer p = peer("10.0.0.1", 6881);
        put(t, p, false);
        complete(t, p);
        assertEquals(new SwarmStats(1, 0, 1), store.stats(t));
        complete(t, peer("10.0.0.2", 6881)); // first seen with event=completed
        assertEquals(new SwarmStats(2, 0, 2), store.stats(t));
        assertEquals(new SwarmStats(0, 0, 0), store.stats(torrent(2)), "downloads are per info_hash");
        // a seeder asking gets no seeders: both are seeders now
        assertEquals(List.of(), select(t, peer("10.0.0.3", 6881), true, 50));
    }

    @Test
    void statsAddBothFamiliesAndTotalsKeepThemApart() {
        InfoHash t = torrent(1);
        put(t, peer("10.0.0.1", 6881), true);
        put(t, peer("2001:db8::1", 6881), true);
        put(t, peer("2001:db8::2", 6881), false);
        complete(t, peer("2001:db8::3", 6881));
        assertEquals(new SwarmStats(3, 1, 1), store.stats(t));
        put(torrent(2), peer("10.0.0.1", 6881), false);
        assertEquals(new StoreTotals(2, 1, 1, 2, 1), store.totals());
    }

    // ---- selection -------------------------------------------------------------------------------------------

    @Test
    void familiesAreSeparateSwarms() {
        InfoHash t = torrent(1);
        for (int i = 1; i <= 5; i++) {
            put(t, peer("10.0.0." + i, 6881), i % 2 == 0);
            put(t, peer("2001:db8::" + i, 6881), i % 2 == 0);
        }
        List<Peer> v4 = select(t, peer("10.0.1.1", 6881), false, 50);
        List<Peer> v6 = select(t, peer("2001:db8:1::1", 6881), false, 50);
        assertEquals(5, v4.size());
        assertEquals(5, v6.size());
        assertTrue(v4.stream().allMatch(p -> p.ip().isIpv4()), v4::toString);
        assertTrue(v6.stream().noneMatch(p -> p.ip().isIpv4()), v6::toString);
    }

    @Test
    void announcerIsNeverReturned() {
        InfoHash t = torrent(1);
        Peer me = peer("10.0.0.5", 6881);
        for (int i = 1; i <= 10; i++) {
            put(t, peer("10.0.0." + i, 6881), i > 5);
        }
        put(t, peer("10.0.0.5", 6882), false); // same address, other port: someone else
        for (PeerPreference pref : List.of(PeerPreference.NONE, RACK4)) {
            List<Peer> asLeecher = select(t, me, false, 50, pref);
            assertEquals(10, asLeecher.size(), asLeecher::toString);
            assertFalse(endpoints(asLeecher).contains(me.toString()), asLeecher::toString);
            // its entry may still say leecher while it now announces as a seeder (or the other way round)
            List<Peer> asSeeder = select(t, me, true, 50, pref);
            assertEquals(5, asSeeder.size(), asSeeder::toString);
            assertFalse(endpoints(asSeeder).contains(me.toString()), asSeeder::toString);
        }
    }

    @Test
    void announcerStoredAsSeederIsNotReturnedWhenItAnnouncesAsLeecher() {
        InfoHash t = torrent(1);
        Peer me = peer("10.0.0.5", 6881);
        put(t, me, true);
        put(t, peer("10.0.0.6", 6881), true);
        List<Peer> peers = select(t, me, false, 50);
        assertEquals(List.of("10.0.0.6:6881"), peers.stream().map(Peer::toString).toList());
    }

    @Test
    void seederGetsLeechersOnly() {
        InfoHash t = torrent(1);
        for (int i = 1; i <= 10; i++) {
            put(t, peer("10.0.0." + i, 6881), i <= 6);
        }
        Set<String> got = endpoints(select(t, peer("10.0.1.1", 6881), true, 50));
        assertEquals(Set.of("10.0.0.7:6881", "10.0.0.8:6881", "10.0.0.9:6881", "10.0.0.10:6881"), got);
        stop(t, peer("10.0.0.7", 6881));
        stop(t, peer("10.0.0.8", 6881));
        stop(t, peer("10.0.0.9", 6881));
        stop(t, peer("10.0.0.10", 6881));
        assertEquals(List.of(), select(t, peer("10.0.1.1", 6881), true, 50), "only seeders left");
    }

    @Test
    void leecherGetsSeedersFirst() {
        InfoHash t = torrent(1);
        Set<String> seeders = new HashSet<>();
        for (int i = 1; i <= 25; i++) {
            Peer p = peer("10.0." + i + ".1", 6881);
            boolean seeder = i % 5 == 0;
            put(t, p, seeder);
            if (seeder) {
                seeders.add(p.toString());
            }
        }
        for (int round = 0; round < 20; round++) {
            List<Peer> peers = select(t, peer("10.0.0.99", 6881), false, 8);
            assertEquals(8, peers.size());
            assertEquals(seeders, endpoints(peers.subList(0, 5)), "all 5 seeders come first: " + peers);
            assertTrue(peers.subList(5, 8).stream().noneMatch(p -> seeders.contains(p.toString())), peers::toString);
        }
    }

    @Test
    void numWantCutsTheAnswer() {
        InfoHash t = torrent(1);
        for (int i = 1; i <= 30; i++) {
            put(t, peer("10.0.0." + i, 6881), false);
        }
        assertEquals(7, select(t, peer("10.0.1.1", 6881), false, 7).size());
        assertEquals(1, select(t, peer("10.0.1.1", 6881), false, 1).size());
        assertEquals(0, select(t, peer("10.0.1.1", 6881), false, 0).size());
        assertEquals(30, select(t, peer("10.0.1.1", 6881), false, 200).size());
    }

    @Test
    void selectionIsRandomAndCoversTheSwarm() {
        InfoHash t = torrent(1);
        Set<String> all = new HashSet<>();
        for (int i = 1; i <= 30; i++) {
            Peer p = peer("10.0." + (i % 3) + "." + i, 6881);
            put(t, p, false);
            all.add(p.toString());
        }
        Set<String> seen = new HashSet<>();
        Set<List<String>> answers = new HashSet<>();
        for (int draw = 0; draw < 200; draw++) {
            List<Peer> peers = select(t, peer("10.9.9.9", 6881), false, 5);
            assertEquals(5, peers.size());
            seen.addAll(endpoints(peers));
            answers.add(peers.stream().map(Peer::toString).toList());
        }
        assertEquals(all, seen, "every peer of the swarm turns up over 200 draws");
        assertTrue(answers.size() > 100, "answers vary: " + answers.size() + " distinct of 200");
    }

    /**
     * Joins, re-announces, completions, stops, restarted clients (a new peer_id on the same address and port)
     * and expiry (with a garbage collection) in random order, against a model of the swarm: every answer holds exactly the swarm's peers of
     * the announcer's family with their current peer_ids, seeders first, and a partial answer only such peers.
     */
    @Test
    void underChurnEveryAnswerIsExactlyTheSwarm() {
        InfoHash t = torrent(1);
        SplittableRandom rnd = new SplittableRandom(7);
        record Known(Peer peer, boolean seeder, Instant seen) {
        }
        Map<String, Known> swarm = new HashMap<>();
        Peer[] watchers = {peer("192.0.2.200", 1), peer("2001:db8:ffff::1", 1)};
        for (int step = 1; step <= 1_500; step++) {
            int a = rnd.nextInt(40);
            String address = a % 4 == 3 ? "2001:db8::" + Integer.toHexString(a + 1) : "10.0." + a % 3 + "." + (a + 1);
            Known k = swarm.get(address);
            int action = rnd.nextInt(10);
            if (action < 5) { // a join or a re-announce, sometimes changing side; 1 in 5 a restarted client
                Peer p = k == null || action == 0 ? peer(address, 6881) : k.peer();
                boolean seeder = rnd.nextInt(4) == 0;
                put(t, p, seeder);
                swarm.put(address, new Known(p, seeder, clock.instant()));
            } else if (action < 7 && k != null) {
                complete(t, k.peer());
                swarm.put(address, new Known(k.peer(), true, clock.instant()));
            } else if (action < 9) {
                stop(t, k == null ? peer(address, 6881) : k.peer());
                swarm.remove(address);
            } else if (rnd.nextInt(15) == 0) {
                // half a lifetime (and a bit, so that no peer sits exactly on the cutoff): peers not seen in the
                // last two of these have expired
                clock.advance(LIFETIME.dividedBy(2).plusSeconds(7));
                Instant cutoff = clock.instant().minus(LIFETIME);
                swarm.values().removeIf(known -> known.seen().isBefore(cutoff));
                store.collectGarbage();
            }
            if (step % 25 == 0) {
                for (Peer w : watchers) {
                    List<Peer> seeders = new ArrayList<>();
                    List<Peer> leechers = new ArrayList<>();
                    for (Known known : swarm.values()) {
                        if (known.peer().family() == w.family() && !known.peer().equals(w)) {
                            (known.seeder() ? seeders : leechers).add(known.peer());
                        }
                    }
                    List<Peer> got = select(t, w, false, 200);
                    assertEquals(new HashSet<>(seeders), new HashSet<>(got.subList(0, Math.min(seeders.size(),
                            got.size()))), "step " + step + ": the seeders first");
                    assertEquals(seeders.size() + leechers.size(), got.size(), "step " + step + ": " + got);
                    assertEquals(new HashSet<>(leechers), new HashSet<>(got.subList(seeders.size(), got.size())),
                            "step " + step + ": then the leechers");
                    List<Peer> some = select(t, w, false, 7);
                    assertEquals(Math.min(7, got.size()), some.size());
                    assertTrue(new HashSet<>(got).containsAll(some), "step " + step + ": " + some);
                }
                for (Peer w : watchers) { // counted as leechers from now on
                    swarm.put(w.ip().toString(), new Known(w, false, clock.instant()));
                }
                long complete = swarm.values().stream().filter(Known::seeder).count();
                SwarmStats stats = store.stats(t);
                assertEquals(complete, stats.complete(), "step " + step);
                assertEquals(swarm.size() - complete, stats.incomplete(), "step " + step);
            }
        }
    }

    @Test
    void reannounceReplacesPeerId() {
        InfoHash t = torrent(1);
        put(t, peer("10.0.0.1", 6881, 1), false);
        put(t, peer("10.0.0.1", 6881, 2), false);
        put(t, peer("2001:db8::1", 6881, 3), true);
        put(t, peer("2001:db8::1", 6881, 4), true);
        assertEquals(new SwarmStats(1, 1, 0), store.stats(t));
        assertEquals(List.of(peer("10.0.0.1", 6881, 2)), select(t, peer("10.0.0.2", 6881), false, 50));
        assertEquals(List.of(peer("2001:db8::1", 6881, 4)), select(t, peer("2001:db8::2", 6881), false, 50));
    }

    @Test
    void selectedPeersCarryTheirAnnouncedIdentity() {
        InfoHash t = torrent(1);
        Peer v4 = peer("203.0.113.250", 65535, 11);
        Peer v6 = peer("fe80::ffff:1", 1, 12); // high bit set: address order is unsigned
        put(t, v4, true);
        put(t, v6, true);
        assertEquals(List.of(v4), select(t, peer("10.0.0.1", 0), false, 5));
        assertEquals(List.of(v6), select(t, peer("2001:db8::1", 0), false, 5));
    }

    @Test
    void sinkGetsWhatTheListGets() {
        InfoHash t = torrent(1);
        Set<Peer> seeders4 = new HashSet<>();
        Set<Peer> leechers4 = new HashSet<>();
        Set<Peer> leechers6 = new HashSet<>();
        for (int i = 1; i <= 8; i++) {
            Peer s = peer("10.0.0." + i, 6881);
            Peer l = peer("10.0.1." + i, 6881);
            Peer l6 = peer("2001:db8::" + i, 6881);
            put(t, s, true);
            put(t, l, false);
            put(t, l6, false);
            seeders4.add(s);
            leechers4.add(l);
            leechers6.add(l6);
        }
        Peer me = peer("10.0.1.1", 6881); // stored above as a leecher: never its own peer
        leechers4.removeIf(p -> p.ip().equals(me.ip()));

        // a numWant above the swarm: everyone but me, seeders first, with their peer_ids, as the list has them
        List<Peer> all = select(t, me, false, 50, PeerPreference.NONE);
        assertEquals(8 + 7, all.size());
        assertEquals(seeders4, Set.copyOf(all.subList(0, 8)));
        assertEquals(leechers4, Set.copyOf(all.subList(8, 15)));
        assertEquals(Set.copyOf(select(t, me, false, 50)), Set.copyOf(all));
        // cut to numWant; a seeder gets leechers only; IPv6 is its own swarm with 18-byte addresses
        assertEquals(5, select(t, me, false, 5, PeerPreference.NONE).size());
        assertTrue(seeders4.containsAll(select(t, me, false, 5, PeerPreference.NONE)));
        assertEquals(leechers4, Set.copyOf(select(t, me, true, 50, PeerPreference.NONE)));
        assertEquals(leechers6, Set.copyOf(select(t, peer("2001:db8::99", 1), false, 50, RACK6)));
        // nothing to hand over
        assertEquals(List.of(), select(t, me, false, 0, PeerPreference.NONE));
        assertEquals(List.of(), select(torrent(2), me, false, 50, PeerPreference.NONE));
    }

    @Test
    void sinkGetsTheRackSeederLast() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        for (int i = 1; i <= 12; i++) {
            put(t, peer("10.1.1." + i, 6881), false);
        }
        put(t, peer("172.16.0.1", 6881), true);
        for (int draw = 0; draw < 10; draw++) {
            List<Peer> peers = select(t, me, false, 10, RACK4);
            assertEquals(10, peers.size());
            assertEquals("172.16.0.1:6881", peers.get(9).toString(), peers::toString);
            assertTrue(peers.subList(0, 9).stream().allMatch(p -> shares(p, me, 24)), peers::toString);
        }
    }

    // ---- expiry ----------------------------------------------------------------------------------------------

    @Test
    void peersExpireAfterTheirLifetime() {
        InfoHash t = torrent(1);
        Peer early = peer("10.0.0.1", 6881);
        Peer late = peer("10.0.0.2", 6881);
        put(t, early, true);
        clock.advance(Duration.ofMinutes(20));
        put(t, late, false);
        clock.advance(LIFETIME.minusMinutes(20).minusSeconds(1));
        assertEquals(0, store.collectGarbage(), "not yet past its lifetime");
        assertEquals(new SwarmStats(1, 1, 0), store.stats(t));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, store.collectGarbage());
        assertEquals(new SwarmStats(0, 1, 0), store.stats(t));
        assertEquals(List.of(late.toString()),
                select(t, peer("10.0.0.3", 6881), false, 50).stream().map(Peer::toString).toList());
        assertEquals(new StoreTotals(1, 0, 2, 0, 0), store.totals(), "the announcer is stored by its announce");
        clock.advance(Duration.ofMinutes(20));
        assertEquals(1, store.collectGarbage(), "late expires; the announcer of 20 minutes ago does not");
        assertEquals(new StoreTotals(1, 0, 1, 0, 0), store.totals());
        clock.advance(Duration.ofMinutes(12));
        assertEquals(1, store.collectGarbage());
        assertEquals(new StoreTotals(0, 0, 0, 0, 0), store.totals(), "an empty swarm is gone after GC");
        assertEquals(0, store.stats(t).complete() + store.stats(t).incomplete());
    }

    @Test
    void reannouncingKeepsAPeerAlive() {
        InfoHash t = torrent(1);
        Peer p = peer("2001:db8::1", 6881);
        put(t, p, false);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(30));
            put(t, p, false);
            assertEquals(0, store.collectGarbage());
        }
        clock.advance(Duration.ofMinutes(30));
        complete(t, p);
        clock.advance(Duration.ofMinutes(30));
        assertEquals(0, store.collectGarbage());
        assertEquals(new SwarmStats(1, 0, 1), store.stats(t));
    }

    @Test
    void garbageCollectionRemovesEmptySwarmsFromTotals() {
        for (int n = 1; n <= 3; n++) {
            put(torrent(n), peer("10.0.0.1", 6881), false);
            put(torrent(n), peer("2001:db8::1", 6881), true);
        }
        stop(torrent(2), peer("10.0.0.1", 6881));
        stop(torrent(2), peer("2001:db8::1", 6881));
        assertEquals(0, store.collectGarbage());
        assertEquals(new StoreTotals(2, 0, 2, 2, 0), store.totals());
        clock.advance(LIFETIME.plusSeconds(1));
        assertEquals(4, store.collectGarbage());
        assertEquals(new StoreTotals(0, 0, 0, 0, 0), store.totals());
    }

    // ---- locality tiers --------------------------------------------------------------------------------------

    /** Asserts that peers come tier by tier and, for a leecher, seeders before leechers within a tier. */
    private static void assertTierOrder(List<Peer> peers, Peer me, List<Integer> prefixes, Set<String> seeders,
                                        boolean meIsSeeder) {
        int previousRank = -1;
        for (Peer p : peers) {
            int tier = prefixes.size();
            for (int k = prefixes.size() - 1; k >= 0; k--) {
                if (shares(p, me, prefixes.get(k))) {
                    tier = k;
                }
            }
            int rank = tier * 2 + (seeders.contains(p.toString()) ? 0 : 1);
            if (meIsSeeder) {
                assertFalse(seeders.contains(p.toString()), "a seeder got a seeder: " + peers);
            }
            assertTrue(rank >= previousRank, "out of tier order at " + p + ": " + peers);
            previousRank = rank;
        }
    }

    @Test
    void ipv4TiersComeNearestFirst() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Set<String> seeders = new HashSet<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            addresses.add("10.1.1." + (i * 50));      // my /24 (the rack), around my own address
            addresses.add("10.1." + (i * 60) + ".1"); // my /16, another /24
            addresses.add("10." + (i * 2) + ".1.1");  // elsewhere in 10/8, sorting on both sides of me
            addresses.add("192.0.2." + i);
        }
        addresses.add("10.1.0.255");
        addresses.add("10.1.2.0");
        for (int i = 0; i < addresses.size(); i++) {
            Peer p = peer(addresses.get(i), 6881);
            put(t, p, i % 3 == 0);
            if (i % 3 == 0) {
                seeders.add(p.toString());
            }
        }
        for (int round = 0; round < 30; round++) {
            List<Peer> asLeecher = select(t, me, false, 100, RACK4);
            assertEquals(addresses.size(), asLeecher.size());
            assertTierOrder(asLeecher, me, List.of(24, 16), seeders, false);
            assertEquals(4, asLeecher.stream().takeWhile(p -> shares(p, me, 24)).count(), asLeecher::toString);
            List<Peer> asSeeder = select(t, me, true, 100, RACK4);
            assertEquals(addresses.size() - seeders.size(), asSeeder.size());
            assertTierOrder(asSeeder, me, List.of(24, 16), seeders, true);
        }
    }

    @Test
    void ipv6TiersComeNearestFirst() {
        InfoHash t = torrent(1);
        Peer me = peer("2001:db8:1:1::101", 6881);
        Set<String> seeders = new HashSet<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            addresses.add("2001:db8:1:1::" + (i * 100));         // my /64
            addresses.add("2001:db8:1:" + (i * 1000) + "::1");   // my /48
            addresses.add("2001:db8:" + (i * 2) + ":1::1");      // elsewhere in 2001:db8::/32
            addresses.add("fd00::" + i);                         // far away, high bit set
        }
        addresses.add("2001:db8:1::ffff");
        addresses.add("2001:db8:1:2::");
        addresses.add("2001:db8:1:1:ffff:ffff:ffff:ffff");
        for (int i = 0; i < addresses.size(); i++) {
            Peer p = peer(addresses.get(i), 6881);
            put(t, p, i % 2 == 0);
            if (i % 2 == 0) {
                seeders.add(p.toString());
            }
        }
        for (int round = 0; round < 30; round++) {
            List<Peer> peers = select(t, me, false, 100, RACK6);
            assertEquals(addresses.size(), peers.size());
            assertTierOrder(peers, me, List.of(64, 48), seeders, false);
            assertEquals(5, peers.stream().takeWhile(p -> shares(p, me, 64)).count(), peers::toString);
            assertTierOrder(select(t, me, true, 100, RACK6), me, List.of(64, 48), seeders, true);
        }
    }

    @Test
    void selectionIsRandomWithinATier() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Set<String> rack = new HashSet<>();
        for (int i = 1; i <= 10; i++) {
            Peer p = peer("10.1.1." + (i * 20), 6881);
            put(t, p, true);
            rack.add(p.toString());
        }
        for (int i = 1; i <= 50; i++) {
            put(t, peer("10." + i + ".0.1", 6881), true);
        }
        Set<String> seen = new HashSet<>();
        for (int draw = 0; draw < 200; draw++) {
            List<Peer> peers = select(t, me, false, 3, RACK4);
            assertTrue(rack.containsAll(endpoints(peers)), "only rack-mates while the rack has enough: " + peers);
            seen.addAll(endpoints(peers));
        }
        assertEquals(rack, seen, "every rack-mate turns up");
    }

    @Test
    void numWantCutsAfterTierOrdering() {
        InfoHash t = torrent(1);
        SplittableRandom rnd = new SplittableRandom(42);
        Peer me = peer("10.77.7.200", 6881);
        int added = 0;
        while (added < 5_000 - 12) {
            int address = rnd.nextInt();
            if ((address >>> 8) == (10 << 16 | 77 << 8 | 7)) {
                continue; // keep the rack to the 12 below
            }
            put(t, new Peer(new PeerId(1, added, 0), IpAddress.ipv4(address), 6881), added % 4 == 0);
            added++;
        }
        Set<String> rack = new HashSet<>();
        for (int i = 1; i <= 12; i++) {
            Peer p = peer("10.77.7." + (i * 10), 6881);
            put(t, p, i <= 3);
            rack.add(p.toString());
        }
        assertEquals(5_000, store.stats(t).complete() + store.stats(t).incomplete());
        for (boolean meIsSeeder : new boolean[] {false, true}) {
            for (int draw = 0; draw < 20; draw++) {
                List<Peer> peers = select(t, me, meIsSeeder, 10, RACK4);
                assertEquals(10, peers.size());
                int rackMates = (int) peers.stream().filter(p -> rack.contains(p.toString())).count();
                // as a seeder it gets the rack's 9 leechers, then one from further away
                assertEquals(meIsSeeder ? 9 : 10, rackMates, peers::toString);
            }
        }
    }

    @Test
    void aRackWithoutSeedersStillGetsOne() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        for (int i = 1; i <= 12; i++) {
            put(t, peer("10.1.1." + i, 6881), false);
        }
        for (int i = 1; i <= 5; i++) {
            put(t, peer("10.1." + (10 + i) + ".1", 6881), false);
        }
        for (int i = 1; i <= 20; i++) {
            put(t, peer("172.16." + i + ".1", 6881), true);
        }
        Predicate<Peer> rack = p -> shares(p, me, 24);
        for (int draw = 0; draw < 20; draw++) {
            List<Peer> peers = select(t, me, false, 10, RACK4);
            assertEquals(10, peers.size());
            assertEquals(9, peers.stream().filter(rack).count(), peers::toString);
            assertTrue(peers.get(9).toString().startsWith("172.16."), "the seeder is from the rest: " + peers);
        }
        // a seeder in my /16: the nearest tier that has one gives it
        Peer near = peer("10.1.200.200", 6881);
        put(t, near, true);
        for (int draw = 0; draw < 20; draw++) {
            List<Peer> peers = select(t, me, false, 10, RACK4);
            assertEquals(9, peers.stream().filter(rack).count(), peers::toString);
            assertEquals(near, peers.get(9));
        }
        // no seeder anywhere: leechers of the rack only, nothing to replace
        stop(t, near);
        for (int i = 1; i <= 20; i++) {
            stop(t, peer("172.16." + i + ".1", 6881));
        }
        List<Peer> peers = select(t, me, false, 10, RACK4);
        assertEquals(10, peers.stream().filter(rack).count(), peers::toString);
        // a seeder in the rack is ordinary tier order
        put(t, peer("10.1.1.99", 6881), true);
        peers = select(t, me, false, 10, RACK4);
        assertEquals("10.1.1.99:6881", peers.get(0).toString());
        assertEquals(10, peers.stream().filter(rack).count(), peers::toString);
    }

    @Test
    void noPreferenceMeansNoTiers() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Set<String> far = new HashSet<>();
        for (int i = 1; i <= 20; i++) {
            put(t, peer("10.1.1." + i, 6881), true);
            Peer p = peer("192.0.2." + i, 6881);
            put(t, p, true);
            far.add(p.toString());
        }
        Set<String> seen = new HashSet<>();
        for (int draw = 0; draw < 50; draw++) {
            seen.addAll(endpoints(select(t, me, false, 3)));
        }
        seen.retainAll(far);
        assertNotEquals(Set.of(), seen, "without a preference, far peers are as likely as near ones");
    }

    // ---- the bridge rule: racks served from within ------------------------------------------------------------

    /** The default of subnet-preference: [24, 16], a rack of 2 peers is served from within, else 2 bridges. */
    private static final PeerPreference BRIDGED4 = new PeerPreference(List.of(24, 16), 2, 2);

    @Test
    void aRackWithAQuorumGetsRackMatesOnly() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Set<String> rack = new HashSet<>();
        for (int i = 1; i <= 3; i++) {
            Peer p = peer("10.1.1." + i, 6881);
            put(t, p, false);
            rack.add(p.toString());
        }
        for (int i = 1; i <= 10; i++) {
            put(t, peer("10.1." + (10 + i) + ".1", 6881), i % 2 == 0); // my /16, seeders among them
            put(t, peer("172.16." + i + ".1", 6881), true);
        }
        for (int draw = 0; draw < 20; draw++) {
            // no seeder in the rack, yet none from outside: the rack's first peers carry its bridges
            Handout h = handout(t, me, false, 50, BRIDGED4);
            assertEquals(rack, endpoints(h.peers()));
            assertEquals(3, h.result().peersInTier(0));
            assertEquals(0, h.result().peersInTier(1) + h.result().peersInTier(2));
        }
        // as a seeder too (it gets leechers only, and the rack has three)
        assertEquals(rack, endpoints(select(t, me, true, 50, BRIDGED4)));
        // numwant still cuts
        assertEquals(2, select(t, me, false, 2, BRIDGED4).size());
    }

    /** A seeder in 10.1.1.0/24, ten leechers elsewhere in 10.1.0.0/16 and ten seeders far away. */
    private void putSeededRack(InfoHash t, Peer rackSeeder) {
        put(t, rackSeeder, true);
        for (int i = 1; i <= 10; i++) {
            put(t, peer("10.1." + (10 + i) + ".1", 6881), false); // leechers in my /16
            put(t, peer("172.16." + i + ".1", 6881), true);     // seeders far away
        }
    }

    @Test
    void aRackHoldingASeederGetsRackMatesOnly() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Peer rackSeeder = peer("10.1.1.5", 6881);
        putSeededRack(t, rackSeeder);
        for (int draw = 0; draw < 20; draw++) {
            // one peer in the rack, below the quorum of 2, but a seeder: the content is in the rack already
            Handout h = handout(t, me, false, 50, BRIDGED4);
            assertEquals(List.of(rackSeeder), h.peers());
            assertEquals(1, h.result().peersInTier(0));
            assertEquals(0, h.result().peersInTier(1) + h.result().peersInTier(2));
        }
        // a seeder announcer is given leechers only: its rack holds none, so it gets the two bridges
        List<Peer> asSeeder = select(t, me, true, 50, BRIDGED4);
        assertEquals(2, asSeeder.size(), asSeeder::toString);
        assertTrue(asSeeder.stream().allMatch(p -> shares(p, me, 16)), asSeeder::toString);
        // with the rule off the seeder comes first, then everyone else
        assertEquals(rackSeeder, select(t, me, false, 50, RACK4).get(0));
        assertEquals(21, select(t, me, false, 50, RACK4).size());
    }

    @Test
    void seededRackBridgesLetARackHoldingASeederTakeThatManyNearestFirst() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Peer rackSeeder = peer("10.1.1.5", 6881);
        putSeededRack(t, rackSeeder);
        for (int bridges = 1; bridges <= 3; bridges++) {
            PeerPreference rule = BRIDGED4.withBridges(2, 2, bridges);
            for (int draw = 0; draw < 10; draw++) {
                Handout h = handout(t, me, false, 50, rule);
                assertEquals(rackSeeder, h.peers().get(0), h.peers()::toString);
                assertEquals(1 + bridges, h.peers().size(), h.peers()::toString);
                assertTrue(h.peers().subList(1, 1 + bridges).stream().allMatch(p -> shares(p, me, 16)),
                        "the bridges from the nearest tier: " + h.peers());
                assertEquals(1, h.result().peersInTier(0));
                assertEquals(bridges, h.result().peersInTier(1));
                assertEquals(0, h.result().peersInTier(2));
            }
        }
        // the quorum still closes the rack: with a second peer in it, no bridges at all
        put(t, peer("10.1.1.6", 6881), false);
        assertEquals(2, select(t, me, false, 50, BRIDGED4.withBridges(2, 2, 3)).size());
    }

    @Test
    void aLoneLeecherGetsTwoBridgesOneOfThemASeeder() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        for (int i = 1; i <= 10; i++) {
            put(t, peer("10.1." + (10 + i) + ".1", 6881), false); // leechers in my /16
        }
        Set<String> farSeeders = new HashSet<>();
        for (int i = 1; i <= 5; i++) {
            Peer p = peer("172.16." + i + ".1", 6881);
            put(t, p, true);
            farSeeders.add(p.toString());
        }
        for (int draw = 0; draw < 20; draw++) {
            Handout h = handout(t, me, false, 50, BRIDGED4);
            List<Peer> peers = h.peers();
            assertEquals(2, peers.size(), peers::toString);
            assertTrue(shares(peers.get(0), me, 16), "the nearest tier first: " + peers);
            assertTrue(farSeeders.contains(peers.get(1).toString()), "and a seeder from where there is one: " + peers);
            assertEquals(1, h.result().peersInTier(1));
            assertEquals(1, h.result().peersInTier(2));
        }
        // a seeder in my /16 is nearer: both bridges from there, the seeder first
        Peer near = peer("10.1.99.1", 6881);
        put(t, near, true);
        for (int draw = 0; draw < 20; draw++) {
            List<Peer> peers = select(t, me, false, 50, BRIDGED4);
            assertEquals(near, peers.get(0));
            assertTrue(shares(peers.get(1), me, 16), peers::toString);
        }
    }

    @Test
    void bridgesHoldOneSeederWhileLeechersCanFillTheRest() {
        // seeders in two racks of my /16, leechers in a third: a lone leecher's two bridges are one seeder and
        // one leecher, not both seeders (those would carry every rack's bridges)
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Set<Peer> seeders = Set.of(peer("10.1.20.1", 6881), peer("10.1.21.1", 6881));
        seeders.forEach(p -> put(t, p, true));
        for (int i = 1; i <= 4; i++) {
            put(t, peer("10.1.30." + i, 6881), false);
        }
        for (int draw = 0; draw < 20; draw++) {
            List<Peer> peers = select(t, me, false, 50, BRIDGED4);
            assertEquals(2, peers.size(), peers::toString);
            assertTrue(seeders.contains(peers.get(0)), "a seeder first: " + peers);
            assertFalse(seeders.contains(peers.get(1)), "then a leecher: " + peers);
            assertTrue(shares(peers.get(1), me, 16), peers::toString);
        }
        // a rack holding a seeder, with seeded-rack bridges: one far seeder among them too
        Peer rackSeeder = peer("10.1.1.5", 6881);
        put(t, rackSeeder, true);
        for (int draw = 0; draw < 20; draw++) {
            List<Peer> peers = select(t, me, false, 50, BRIDGED4.withBridges(2, 2, 3));
            assertEquals(4, peers.size(), peers::toString);
            assertEquals(rackSeeder, peers.get(0));
            assertEquals(1, peers.stream().filter(seeders::contains).count(), "one far seeder: " + peers);
        }
        // no leechers beyond the rack: the bridges are seeders after all, never fewer than allowed
        InfoHash u = torrent(2);
        seeders.forEach(p -> put(u, p, true));
        for (int draw = 0; draw < 5; draw++) {
            assertEquals(seeders, Set.copyOf(select(u, me, false, 50, BRIDGED4)));
        }
    }

    @Test
    void aRackBelowItsQuorumGetsItsRackMatesAndTheBridges() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        Peer mate = peer("10.1.1.7", 6881);
        put(t, mate, false);
        for (int i = 1; i <= 10; i++) {
            put(t, peer("10.1." + (10 + i) + ".1", 6881), true);
        }
        for (int draw = 0; draw < 20; draw++) {
            List<Peer> peers = select(t, me, false, 50, BRIDGED4);
            assertEquals(3, peers.size(), peers::toString);
            assertEquals(1, peers.stream().filter(p -> p.equals(mate)).count(), peers::toString);
        }
        // numwant 1: the rack-mate is a leecher and the rack has no seeder, so the one place goes to a seeder
        List<Peer> one = select(t, me, false, 1, BRIDGED4);
        assertEquals(1, one.size());
        assertTrue(shares(one.get(0), me, 16) && !one.get(0).equals(mate), one::toString);
    }

    @Test
    void theRuleOffFillsNumWantFromFartherTiers() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        for (int i = 1; i <= 3; i++) {
            put(t, peer("10.1.1." + i, 6881), false);
            put(t, peer("10.1." + (10 + i) + ".1", 6881), false);
        }
        assertEquals(3, select(t, me, false, 50, BRIDGED4).size());
        assertEquals(6, select(t, me, false, 50, new PeerPreference(List.of(24, 16), 0, 2)).size());
        assertEquals(6, select(t, me, false, 50, RACK4).size(), "tiers alone are the rule off");
        // a larger quorum: a rack of 3 is below it, so 3 rack-mates and (up to) 2 bridges
        assertEquals(5, select(t, me, false, 50, new PeerPreference(List.of(24, 16), 4, 2)).size());
    }

    @Test
    void peersAreCountedByTier() {
        InfoHash t = torrent(1);
        Peer me = peer("10.1.1.101", 6881);
        for (int i = 1; i <= 4; i++) {
            put(t, peer("10.1.1." + i, 6881), true);
            put(t, peer("10.1." + (10 + i) + ".1", 6881), false);
            put(t, peer("172.16." + i + ".1", 6881), false);
        }
        AnnounceResult r = handout(t, me, false, 50, RACK4).result();
        assertEquals(12, r.peers());
        assertEquals(List.of(4, 4, 4), List.of(r.peersInTier(0), r.peersInTier(1), r.peersInTier(2)));
        r = handout(t, me, false, 6, RACK4).result();
        assertEquals(List.of(4, 2, 0), List.of(r.peersInTier(0), r.peersInTier(1), r.peersInTier(2)));
        r = handout(t, me, false, 50, PeerPreference.NONE).result();
        assertEquals(12, r.peers());
        assertEquals(0, r.peersInTier(0), "without a preference nothing is split by tier");
    }

    /**
     * A rollout as the tracker sees it: racks of leechers announcing one after another (alternating racks), a
     * seeder in one rack. Every leecher must be able to reach a seeder through the peers it was handed and those
     * handed the peers it was given (connections go both ways), and each rack needs only a few links outside.
     */
    @Test
    void aRolloutKeepsEveryLeecherConnectedToASeederWithFewCrossRackLinks() {
        for (int racks : new int[] {1, 2, 3, 4}) {
            for (int perRack : new int[] {1, 2, 3, 8, 30}) {
                for (int numWant : new int[] {6, 50}) {
                    InfoHash t = torrent(racks * 1000 + perRack * 10 + (numWant > 6 ? 1 : 0));
                    Peer seeder = peer("10.9.1.250", 6881);
                    select(t, seeder, true, numWant, BRIDGED4);
                    Map<Peer, Set<Peer>> links = new HashMap<>();
                    int crossRack = 0;
                    for (int i = 0; i < perRack; i++) {
                        for (int r = 1; r <= racks; r++) {
                            Peer p = peer("10.9." + r + "." + (i + 1), 6881);
                            for (Peer q : select(t, p, false, numWant, BRIDGED4)) {
                                link(links, p, q);
                                crossRack += shares(p, q, 24) ? 0 : 1;
                            }
                        }
                    }
                    String shape = racks + " racks x " + perRack + ", numwant " + numWant;
                    assertEquals(racks * perRack, reachable(links, seeder).size() - 1,
                            "every leecher reaches the seeder: " + shape);
                    assertTrue(crossRack <= racks * 2 * 2, crossRack + " cross-rack links: " + shape);
                }
            }
        }
    }

    /** A connection goes both ways, whoever was handed whom. */
    private static void link(Map<Peer, Set<Peer>> links, Peer a, Peer b) {
        links.computeIfAbsent(a, k -> new HashSet<>()).add(b);
        links.computeIfAbsent(b, k -> new HashSet<>()).add(a);
    }

    private static Set<Peer> reachable(Map<Peer, Set<Peer>> links, Peer from) {
        Set<Peer> seen = new HashSet<>(List.of(from));
        List<Peer> todo = new ArrayList<>(List.of(from));
        while (!todo.isEmpty()) {
            for (Peer next : links.getOrDefault(todo.removeLast(), Set.of())) {
                if (seen.add(next)) {
                    todo.add(next);
                }
            }
        }
        return seen;
    }

    @Test
    void aSmallSwarmOfLonePeersStaysConnected() {
        InfoHash t = torrent(1);
        Peer seeder = peer("10.2.200.1", 6881);
        select(t, seeder, true, 50, BRIDGED4);
        Map<Peer, Set<Peer>> links = new HashMap<>();
        List<Peer> leechers = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            // every leecher alone in its rack, some in the seeder's /16 and some elsewhere
            Peer p = peer((i % 2 == 0 ? "10.2." : "10." + (20 + i) + ".") + i + ".1", 6881);
            leechers.add(p);
            List<Peer> got = select(t, p, false, 50, BRIDGED4);
            assertEquals(Math.min(2, i), got.size(), "a lone peer gets the bridges: " + got);
            for (Peer q : got) {
                link(links, p, q);
            }
        }
        assertTrue(reachable(links, seeder).containsAll(leechers), links::toString);
    }

    // ---- group tiers (a topology map places the peers) -------------------------------------------------------

    /** Group keys as subnet-preference's topology map makes them from a path, nearest first. */
    private static PeerPreference at(int quorum, String... path) {
        List<String> keys = new ArrayList<>();
        for (int k = path.length; k >= 1; k--) {
            keys.add(String.join("/", List.of(path).subList(0, k)));
        }
        return PeerPreference.ofGroups(keys, quorum, 2);
    }

    /** An announce that only stores the peer, placed by {@code pref}. */
    private void putAt(InfoHash t, Peer p, boolean seeder, PeerPreference pref) {
        store.announce(t, p, Event.NONE, seeder, 0, pref, DISCARD);
    }

    private static Set<String> endpointsOf(Peer... peers) {
        return endpoints(List.of(peers));
    }

    @Test
    void groupTiersComeNearestFirstWhateverTheAddresses() {
        InfoHash t = torrent(1);
        // rack17 is two networks far apart; its neighbour by address (10.1.0.6) is not placed at all
        Peer mate1 = peer("10.1.0.5", 6881);
        Peer mate2 = peer("10.9.3.7", 6881);
        Peer podMate = peer("172.16.0.9", 6881);
        Peer dcMate = peer("192.168.4.4", 6881);
        Peer otherDc = peer("10.1.0.7", 6881);
        Peer unplaced = peer("10.1.0.6", 6881);
        putAt(t, mate1, false, at(0, "dc1", "pod3", "rack17"));
        putAt(t, mate2, true, at(0, "dc1", "pod3", "rack17"));
        putAt(t, podMate, true, at(0, "dc1", "pod3", "rack18"));
        putAt(t, dcMate, false, at(0, "dc1", "pod4", "rack40"));
        putAt(t, otherDc, true, at(0, "dc2", "pod3", "rack17"));
        putAt(t, unplaced, true, RACK4);
        Peer me = peer("10.200.0.1", 6881);
        for (int draw = 0; draw < 10; draw++) {
            Handout h = handout(t, me, false, 50, at(0, "dc1", "pod3", "rack17"));
            List<Peer> peers = h.peers();
            assertEquals(6, peers.size(), peers::toString);
            assertEquals(endpointsOf(mate1, mate2), endpoints(peers.subList(0, 2)), "the rack first: " + peers);
            assertEquals(mate2, peers.get(0), "a seeder first within the rack");
            assertEquals(podMate, peers.get(2));
            assertEquals(dcMate, peers.get(3));
            assertEquals(endpointsOf(otherDc, unplaced), endpoints(peers.subList(4, 6)),
                    "labels count from the root: dc2's rack17 is not my rack");
            AnnounceResult r = h.result();
            assertEquals(List.of(2, 1, 1, 2),
                    List.of(r.peersInTier(0), r.peersInTier(1), r.peersInTier(2), r.peersInTier(3)));
        }
        // a seeder announcer gets the leechers only, by the same tiers
        assertEquals(List.of(mate1, dcMate), select(t, me, true, 50, at(0, "dc1", "pod3", "rack17")));
        // and an announcer the map does not place gets prefix tiers over the same peers
        List<Peer> byPrefix = select(t, peer("10.1.0.200", 6881), false, 3, RACK4);
        assertEquals(endpointsOf(mate1, otherDc, unplaced), endpoints(byPrefix));
    }

    @Test
    void theBridgeRuleCountsTheRackGroup() {
        InfoHash t = torrent(1);
        PeerPreference rack17 = at(2, "dc1", "pod3", "rack17");
        Set<String> farSeeders = new HashSet<>();
        for (int i = 1; i <= 5; i++) {
            putAt(t, peer("10.2." + i + ".1", 6881), false, at(2, "dc1", "pod3", "rack" + (20 + i))); // pod mates
            Peer s = peer("10.3." + i + ".1", 6881);
            putAt(t, s, true, at(2, "dc2", "pod1", "rack1"));
            farSeeders.add(s.toString());
        }
        Peer me = peer("10.1.0.1", 6881);
        for (int draw = 0; draw < 10; draw++) {
            // alone in the rack: two bridges, the nearest tier first and a seeder from where there is one
            Handout h = handout(t, me, false, 50, rack17);
            assertEquals(2, h.peers().size(), h.peers()::toString);
            assertEquals(1, h.result().peersInTier(1), "a pod mate");
            assertTrue(farSeeders.contains(h.peers().get(1).toString()), h.peers()::toString);
        }
        Peer mate1 = peer("10.77.0.1", 6881);
        Peer mate2 = peer("10.88.0.1", 6881);
        putAt(t, mate1, false, rack17);
        putAt(t, mate2, false, rack17);
        for (int draw = 0; draw < 10; draw++) {
            // the rack group holds the quorum: rack-mates only, though none of them seeds
            assertEquals(endpointsOf(mate1, mate2), endpoints(select(t, me, false, 50, rack17)));
        }
    }

    @Test
    void aPeerIsFoundUnderTheGroupsItLastAnnouncedWith() {
        InfoHash t = torrent(1);
        PeerPreference rack17 = at(0, "dc1", "pod3", "rack17");
        Peer me = peer("10.1.0.1", 6881);
        Peer x = peer("10.1.0.2", 6881);
        putAt(t, x, false, rack17);
        putAt(t, peer("10.5.0.1", 6881), false, at(0, "dc1", "pod3", "rack18"));
        putAt(t, peer("10.6.0.1", 6881), false, RACK4);
        assertEquals(x, select(t, me, false, 50, rack17).get(0));
        // the map changed: x is now in rack18 of the same pod
        putAt(t, x, false, at(0, "dc1", "pod3", "rack18"));
        Handout h = handout(t, me, false, 50, rack17);
        assertEquals(0, h.result().peersInTier(0), "x left my rack: " + h.peers());
        assertEquals(2, h.result().peersInTier(1));
        // then the map stopped placing x at all
        putAt(t, x, false, RACK4);
        h = handout(t, me, false, 50, rack17);
        assertEquals(List.of(0, 1, 0, 2), List.of(h.result().peersInTier(0), h.result().peersInTier(1),
                h.result().peersInTier(2), h.result().peersInTier(3)));
        // back in rack17, now as a seeder: a seeder announcer there no longer gets it
        putAt(t, x, true, rack17);
        assertEquals(x, select(t, me, false, 1, rack17).get(0));
        assertFalse(select(t, me, true, 50, rack17).contains(x));
        // stopped: gone from every tier
        stop(t, x);
        h = handout(t, me, false, 50, rack17);
        assertFalse(h.peers().contains(x));
        assertEquals(2, h.peers().size());
        assertEquals(new SwarmStats(0, 3, 0), store.stats(t));
    }

    @Test
    void groupedPeersExpireWithTheirSwarm() {
        InfoHash t = torrent(1);
        PeerPreference rack17 = at(0, "dc1", "pod3", "rack17");
        Peer old = peer("10.1.0.2", 6881);
        putAt(t, old, true, rack17);
        putAt(t, peer("fd00::2", 6881), true, rack17);
        clock.advance(LIFETIME.plusSeconds(1));
        Peer fresh = peer("10.1.0.3", 6881);
        putAt(t, fresh, false, rack17);
        store.collectGarbage();
        Peer me = peer("10.1.0.1", 6881);
        Handout h = handout(t, me, false, 50, rack17);
        assertEquals(List.of(fresh), h.peers(), "the expired seeder is in no tier any more");
        assertEquals(1, h.result().peersInTier(0));
        assertEquals(List.of(), select(t, peer("fd00::1", 6881), false, 50, rack17), "nor the IPv6 one");
        // the expired peer comes back: indexed again like any new peer
        putAt(t, old, true, rack17);
        assertEquals(old, select(t, me, false, 50, rack17).get(0));
    }

    // ---- concurrency -----------------------------------------------------------------------------------------

    @Test
    void concurrentAnnouncesKeepCountsRight() throws Exception {
        int threads = 4;
        int perThread = 3_000;
        InfoHash[] torrents = {torrent(1), torrent(2), torrent(3)};
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int thread = th;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        InfoHash t = torrents[i % torrents.length];
                        String address = thread % 2 == 0
                                ? "10." + thread + "." + (i >>> 8) + "." + (i & 0xff)
                                : "2001:db8:" + thread + "::" + Integer.toHexString(i);
                        Peer p = peer(address, 6881, i);
                        put(t, p, i % 3 == 0);
                        put(t, p, i % 3 == 0); // refresh
                        if (i % 5 == 0) {
                            put(t, p, i % 3 != 0); // move
                        }
                        boolean seeder = (i % 3 == 0) != (i % 5 == 0);
                        List<Peer> peers = select(t, p, seeder, 20, i % 4 == 0 ? RACK4 : PeerPreference.NONE);
                        assertDistinct(peers);
                        assertFalse(endpoints(peers).contains(p.toString()));
                        if (i % 7 == 0) {
                            stop(t, p);
                        }
                        if (i % 50 == 0) {
                            store.totals();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        long seeders = 0;
        long leechers = 0;
        for (int i = 0; i < perThread; i++) {
            if (i % 7 == 0) {
                continue;
            }
            boolean seeder = (i % 3 == 0) != (i % 5 == 0);
            seeders += seeder ? threads : 0;
            leechers += seeder ? 0 : threads;
        }
        long statSeeders = 0;
        long statLeechers = 0;
        for (InfoHash t : torrents) {
            statSeeders += store.stats(t).complete();
            statLeechers += store.stats(t).incomplete();
        }
        assertEquals(seeders, statSeeders);
        assertEquals(leechers, statLeechers);
        StoreTotals totals = store.totals();
        assertEquals(3, totals.swarms());
        assertEquals(seeders, totals.seeders4() + totals.seeders6());
        assertEquals(leechers, totals.leechers4() + totals.leechers6());
        assertEquals(seeders / 2, totals.seeders4(), "threads 0 and 2 announce IPv4, 1 and 3 IPv6");
    }

    // ---- the operator's view of one swarm (GET /swarms/<hex>) ---------------------------------------------------

    private static SwarmDetail.Group group(String network, int prefix, int seeders, int leechers) {
        return new SwarmDetail.Group(IpAddress.parse(network), prefix, seeders, leechers);
    }

    @Test
    void aSwarmDetailGroupsPeersByRackWithTheirSeederLeecherSplit() {
        InfoHash t = torrent(1);
        put(t, peer("10.1.2.9", 1), false);
        put(t, peer("10.1.1.200", 1), true);
        put(t, peer("10.1.1.7", 1), false);
        put(t, peer("10.1.1.7", 2), false); // a second client on the same host
        put(t, peer("10.1.2.1", 1), false);
        put(t, peer("10.1.2.255", 1), false);
        put(t, peer("10.2.0.5", 1), true);
        put(t, peer("2001:db8:1:2::1", 1), false);
        put(t, peer("2001:db8:1:2:ffff::1", 1), true);
        put(t, peer("2001:db8:1:3::1", 1), false);
        complete(t, peer("10.1.2.1", 1));

        SwarmDetail d = store.detail(t, 24, 64, 100).orElseThrow();
        assertEquals(4, d.seeders());
        assertEquals(6, d.leechers());
        assertEquals(1, d.downloaded());
        assertEquals(List.of(group("10.1.1.0", 24, 1, 2), group("10.1.2.0", 24, 1, 2), group("10.2.0.0", 24, 1, 0),
                group("2001:db8:1:2::", 64, 1, 1), group("2001:db8:1:3::", 64, 0, 1)), d.groups());
        assertFalse(d.groupsTruncated());

        // racks are whatever prefix is asked for: /16 puts both 10.1 racks in one
        assertEquals(List.of(group("10.1.0.0", 16, 2, 4), group("10.2.0.0", 16, 1, 0), group("2001:db8::", 32, 1, 2)),
                store.detail(t, 16, 32, 100).orElseThrow().groups());
    }

    @Test
    void aSwarmDetailListsAtMostTheRacksAskedForAndSaysSo() {
        InfoHash t = torrent(1);
        for (int rack = 1; rack <= 5; rack++) {
            put(t, peer("10.0." + rack + ".1", 1), rack == 3);
        }
        put(t, peer("2001:db8::1", 1), false);
        SwarmDetail three = store.detail(t, 24, 64, 3).orElseThrow();
        assertEquals(List.of(group("10.0.1.0", 24, 0, 1), group("10.0.2.0", 24, 0, 1), group("10.0.3.0", 24, 1, 0)),
                three.groups());
        assertTrue(three.groupsTruncated());
        assertEquals(1, three.seeders(), "the counts cover the whole swarm, listed or not");
        assertEquals(5, three.leechers());
        assertTrue(store.detail(t, 24, 64, 5).orElseThrow().groupsTruncated(), "the IPv6 rack was left out");
        SwarmDetail all = store.detail(t, 24, 64, 6).orElseThrow();
        assertEquals(6, all.groups().size());
        assertFalse(all.groupsTruncated());
    }

    @Test
    void anUnknownSwarmHasNoDetail() {
        put(torrent(1), peer("10.0.0.1", 1), true);
        assertTrue(store.detail(torrent(2), 24, 64, 100).isEmpty());
    }

    @Test
    void theTimelineMarksWhenHalfNinetyAndAllOfTheLeechersSeenCompleted() {
        InfoHash t = torrent(1);
        Instant t0 = clock.instant();
        put(t, peer("10.0.0.200", 1), true);
        clock.advance(Duration.ofSeconds(1));
        List<Peer> leechers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Peer p = peer("10.0.0." + i, 1);
            leechers.add(p);
            put(t, p, false);
            put(t, p, false); // a re-announce is not a new leecher
        }
        SwarmDetail.Timeline start = store.detail(t, 24, 64, 10).orElseThrow().timeline();
        assertEquals(new SwarmDetail.Timeline(t0, 4, 0, Optional.empty(), Optional.empty(), Optional.empty()), start);

        clock.advance(Duration.ofSeconds(9));
        complete(t, leechers.get(0));                       // t0+10: 1 of 4
        clock.advance(Duration.ofSeconds(10));
        put(t, leechers.get(1), true);                      // t0+20: 2 of 4, by left=0 without event=completed
        clock.advance(Duration.ofSeconds(10));
        complete(t, leechers.get(2));                       // t0+30: 3 of 4
        clock.advance(Duration.ofSeconds(5));
        Peer late = peer("10.0.0.5", 1);
        put(t, late, false);                                // t0+35: 3 of 5, still over half
        clock.advance(Duration.ofSeconds(5));
        complete(t, leechers.get(3));                       // t0+40: 4 of 5
        complete(t, leechers.get(3));                       // a seeder completing again changes nothing
        clock.advance(Duration.ofSeconds(10));
        complete(t, late);                                  // t0+50: 5 of 5
        SwarmDetail.Timeline done = store.detail(t, 24, 64, 10).orElseThrow().timeline();
        assertEquals(new SwarmDetail.Timeline(t0, 5, 5, Optional.of(t0.plusSeconds(20)),
                Optional.of(t0.plusSeconds(50)), Optional.of(t0.plusSeconds(50))), done);

        clock.advance(Duration.ofSeconds(10));
        put(t, peer("10.0.0.6", 1), false);                 // t0+60: 5 of 6: under 90% again
        complete(t, peer("10.0.0.7", 1));                   // a seeder new to the swarm was never a leecher here
        SwarmDetail.Timeline again = store.detail(t, 24, 64, 10).orElseThrow().timeline();
        assertEquals(new SwarmDetail.Timeline(t0, 6, 5, Optional.of(t0.plusSeconds(20)), Optional.empty(),
                Optional.empty()), again);
    }

    @Test
    void theTimelineCountsEveryLeecherSeenWhateverBecameOfIt() {
        InfoHash t = torrent(1);
        Instant t0 = clock.instant();
        Optional<Instant> none = Optional.empty();
        Peer seeder = peer("10.0.0.100", 1);
        put(t, seeder, true);
        Peer quitter = peer("10.0.0.1", 1);
        put(t, quitter, false);
        stop(t, quitter);
        SwarmDetail afterStop = store.detail(t, 24, 64, 10).orElseThrow();
        assertEquals(0, afterStop.leechers());
        assertEquals(new SwarmDetail.Timeline(t0, 1, 0, none, none, none), afterStop.timeline(),
                "a leecher that stopped was seen");
        put(t, seeder, false); // left > 0 again (a failed recheck): a leecher, but not a new one
        assertEquals(new SwarmDetail.Timeline(t0, 1, 0, none, none, none),
                store.detail(t, 24, 64, 10).orElseThrow().timeline(), "a seeder turned leecher is not seen anew");

        clock.advance(Duration.ofMinutes(20));
        Peer v6 = peer("2001:db8::1", 1);
        put(t, v6, false);
        Peer v4 = peer("10.0.0.2", 1);
        put(t, v4, false);
        clock.advance(LIFETIME.minusMinutes(10)); // the first peer is past its lifetime, the last two are not
        store.collectGarbage();
        SwarmDetail afterExpiry = store.detail(t, 24, 64, 10).orElseThrow();
        assertEquals(2, afterExpiry.leechers());
        assertEquals(new SwarmDetail.Timeline(t0, 3, 0, none, none, none), afterExpiry.timeline(),
                "leechers of both families count, and one that expired was seen");

        complete(t, v6);
        complete(t, v4);                                    // 2 of 3
        SwarmDetail done = store.detail(t, 24, 64, 10).orElseThrow();
        assertEquals(2, done.downloaded());
        assertEquals(new SwarmDetail.Timeline(t0, 3, 2, Optional.of(clock.instant()), none, none), done.timeline());

        InfoHash u = torrent(2);
        put(u, peer("2001:db8::2", 1), false);
        put(u, peer("10.0.0.3", 1), false);
        put(u, peer("10.0.0.4", 1), true);
        assertEquals(new SwarmDetail.Timeline(clock.instant(), 2, 0, none, none, none),
                store.detail(u, 24, 64, 10).orElseThrow().timeline(), "an IPv6 leecher first, then IPv4 ones");

        InfoHash w = torrent(3);
        Peer relapsed = peer("10.0.0.5", 1);
        put(w, relapsed, true);
        put(w, relapsed, false);
        put(w, peer("10.0.0.6", 1), false);
        assertEquals(new SwarmDetail.Timeline(clock.instant(), 1, 0, none, none, none),
                store.detail(w, 24, 64, 10).orElseThrow().timeline(), "a swarm's only seeder turned leecher");
    }

    @Test
    void theTimelineGoesWithTheSwarm() {
        InfoHash t = torrent(1);
        Peer p = peer("10.0.0.1", 1);
        put(t, p, false);
        complete(t, p);
        clock.advance(LIFETIME.plusMinutes(1));
        store.collectGarbage();
        assertTrue(store.detail(t, 24, 64, 10).isEmpty(), "an expired swarm is unknown");
        Instant later = clock.instant();
        put(t, peer("10.0.0.2", 1), false);
        assertEquals(new SwarmDetail.Timeline(later, 1, 0, Optional.empty(), Optional.empty(), Optional.empty()),
                store.detail(t, 24, 64, 10).orElseThrow().timeline(), "a new swarm starts a new timeline");
    }
}
