package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delta rules and the table that holds the baselines (open addressing with backward-shift deletion),
 * without a database: what AccountingHookIT checks end to end, here for many peers, growth, removal and expiry.
 */
class PeerBaselinesTest {
    private static final RequestMeta META = RequestMeta.of(Frontend.UDP);

    /** What one announce handed to the rows. */
    private record Delta(long uploaded, long downloaded, boolean completed) {
    }

    private static Delta apply(PeerBaselines b, AnnounceRequest request, long nowMs) {
        Delta[] out = new Delta[1];
        b.apply(request, nowMs, null, 0, (h, subject, day, up, down, completed) -> out[0] = new Delta(up, down, completed));
        return out[0];
    }

    private static AnnounceRequest announce(InfoHash h, PeerId p, long up, long down, Event event) {
        return new AnnounceRequest(h, new Peer(p, IpAddress.ipv4(0x0a000001), 6881), up, down, 100, event, 50,
                true, true, META);
    }

    @Test
    void aRestartedClientCountsFromZeroAndNeverNegative() {
        PeerBaselines b = new PeerBaselines(60_000);
        InfoHash h = new InfoHash(1, 2, 3);
        PeerId p = new PeerId(4, 5, 6);
        long down = 0;
        long[] reported = {0, 100, 250, 50, 80};
        for (int i = 0; i < reported.length; i++) {
            down += apply(b, announce(h, p, 0, reported[i], i == 0 ? Event.STARTED : Event.NONE), i).downloaded();
        }
        assertEquals(250 + 80, down);
    }

    @Test
    void completedCountsOncePerSessionAndStoppedForgets() {
        PeerBaselines b = new PeerBaselines(60_000);
        InfoHash h = new InfoHash(1, 2, 3);
        PeerId p = new PeerId(4, 5, 6);
        apply(b, announce(h, p, 0, 0, Event.STARTED), 0);
        assertTrue(apply(b, announce(h, p, 0, 10, Event.COMPLETED), 1).completed());
        assertFalse(apply(b, announce(h, p, 0, 10, Event.COMPLETED), 2).completed(), "a repeated completed");
        assertEquals(5, apply(b, announce(h, p, 0, 15, Event.STOPPED), 3).downloaded());
        assertEquals(0, b.size());
        assertEquals(0, apply(b, announce(h, p, 0, 20, Event.NONE), 4).downloaded(),
                "a peer first seen mid-session only sets its baseline");
    }

    /** Random announces of 20,000 peers (growth, stops, restarts, expiry) give what a plain map model gives. */
    @Test
    void manyPeersGiveTheSameDeltasAsAMapOfTheRules() {
        PeerBaselines b = new PeerBaselines(1_000);
        Map<List<Long>, long[]> model = new HashMap<>(); // key -> {up, down, seenMs, completed}
        SplittableRandom random = new SplittableRandom(7);
        int peers = 20_000;
        long sumTable = 0;
        long sumModel = 0;
        long now = 0;
        for (int step = 0; step < 200_000; step++) {
            if (step % 25_000 == 24_999) {
                now += 600;
                long cutoff = now - 1_000;
                int expected = (int) model.values().stream().filter(v -> v[2] < cutoff).count();
                model.values().removeIf(v -> v[2] < cutoff);
                assertEquals(expected, b.expire(now));
                assertEquals(model.size(), b.size());
            }
            int i = random.nextInt(peers);
            // few swarms and peer ids that differ only in their last words, like real client prefixes
            InfoHash h = new InfoHash(i % 7, 42, i % 3);
            PeerId p = new PeerId(0x2d71423435303030L, i / 21, i);
            Event event = switch (random.nextInt(10)) {
                case 0 -> Event.STARTED;
                case 1 -> Event.STOPPED;
                case 2 -> Event.COMPLETED;
                default -> Event.NONE;
            };
            List<Long> key = List.of((long) (i % 7), (long) (i % 3), (long) i);
            long[] prev = model.get(key);
            long up = random.nextInt(4) == 0 || prev == null ? random.nextLong(1_000) : prev[0] + random.nextLong(1_000);
            long down = prev == null ? random.nextLong(1_000) : prev[1] + random.nextLong(1_000);
            Delta d = apply(b, announce(h, p, up, down, event), now);
            long[] expected = modelApply(model, key, up, down, event, now);
            assertEquals(expected[0], d.uploaded(), "uploaded at step " + step);
            assertEquals(expected[1], d.downloaded(), "downloaded at step " + step);
            assertEquals(expected[2] == 1, d.completed(), "completed at step " + step);
            sumTable += d.downloaded();
            sumModel += expected[1];
        }
        assertEquals(sumModel, sumTable);
        assertEquals(model.size(), b.size());
        model.clear();
        assertEquals(b.size(), b.expire(Long.MAX_VALUE / 8));
        assertEquals(0, b.size());
        assertTrue(b.capacity() <= PeerBaselines.STRIPES * PeerBaselines.Stripe.MIN_CAPACITY,
                "an emptied table shrinks back: " + b.capacity() + " slots");
    }

    /** The rules as the class Javadoc states them, on a plain map. */
    private static long[] modelApply(Map<List<Long>, long[]> model, List<Long> key, long up, long down, Event event,
                                     long now) {
        long[] e = model.get(key);
        long du;
        long dd;
        boolean completedBefore;
        if (e == null) {
            du = event == Event.STARTED ? up : 0;
            dd = event == Event.STARTED ? down : 0;
            completedBefore = false;
        } else {
            boolean restarted = event == Event.STARTED || up < e[0] || down < e[1];
            du = restarted ? up : up - e[0];
            dd = restarted ? down : down - e[1];
            completedBefore = e[3] == 1 && !restarted;
        }
        boolean count = event == Event.COMPLETED && !completedBefore;
        if (event == Event.STOPPED) {
            model.remove(key);
        } else {
            model.put(key, new long[] {up, down, now, completedBefore || count ? 1 : 0});
        }
        return new long[] {du, dd, count ? 1 : 0};
    }

    /** Announces from several threads at once lose no delta (the stripes' locks). */
    @Test
    void concurrentAnnouncesOfDistinctPeersAddUp() throws Exception {
        PeerBaselines b = new PeerBaselines(60_000);
        int threads = 4;
        int peersEach = 5_000;
        int rounds = 5;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> sums = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                sums.add(pool.submit(() -> {
                    long sum = 0;
                    for (int r = 0; r < rounds; r++) {
                        for (int i = 0; i < peersEach; i++) {
                            PeerId p = new PeerId(thread, i, 9);
                            sum += apply(b, announce(new InfoHash(i % 10, 1, 1), p, 0, r * 100L,
                                    r == 0 ? Event.STARTED : Event.NONE), 0).downloaded();
                        }
                    }
                    return sum;
                }));
            }
            for (Future<Long> f : sums) {
                assertEquals((rounds - 1) * 100L * peersEach, f.get());
            }
            assertEquals(threads * peersEach, b.size());
        } finally {
            pool.shutdownNow();
        }
    }
}
