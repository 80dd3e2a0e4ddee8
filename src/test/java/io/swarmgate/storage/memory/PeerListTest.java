package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerSink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A list's entries against a sorted map of the same peers, through inserts, re-announces, removals, expiry
 * sweeps, growth and shrinking: every address stays paired with its own peer id and last-seen time, in order.
 */
class PeerListTest {

    /** Address and port as the model's sort key: the same order as the list's. */
    private record Key(long hi, long lo, int port) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compareUnsigned(hi, o.hi);
            if (c == 0) {
                c = Long.compareUnsigned(lo, o.lo);
            }
            return c != 0 ? c : Integer.compare(port, o.port);
        }
    }

    private record Payload(PeerId id, int lastSeen) {
    }

    @ParameterizedTest
    @EnumSource(AddressFamily.class)
    void everyAddressKeepsItsOwnPeerIdAndLastSeenThroughGrowthShrinkAndExpiry(AddressFamily family) {
        SplittableRandom rnd = new SplittableRandom(7);
        PeerList list = new PeerList(family);
        TreeMap<Key, Payload> model = new TreeMap<>();
        int now = 1_000;
        for (int round = 0; round < 20_000; round++) {
            int op = rnd.nextInt(100);
            // addresses from a small space, so re-announces and removals hit existing peers
            Key k = new Key(family == AddressFamily.IPV6 ? 0x2001_0db8L << 32 : 0,
                    family == AddressFamily.IPV4 ? 0x0a00_0000L | rnd.nextInt(400) : rnd.nextInt(400),
                    6881 + rnd.nextInt(3));
            if (op < 60) {
                PeerId id = new PeerId(rnd.nextLong(), rnd.nextLong(), rnd.nextInt());
                int at = list.lowerBound(k.hi, k.lo, k.port);
                if (list.matches(at, k.hi, k.lo, k.port)) {
                    list.update(at, id, now);
                } else {
                    list.insert(at, k.hi, k.lo, k.port, id, now);
                }
                model.put(k, new Payload(id, now));
            } else if (op < 85) {
                int at = list.indexOf(k.hi, k.lo, k.port);
                assertEquals(model.containsKey(k), at >= 0);
                if (at >= 0) {
                    list.remove(at);
                    model.remove(k);
                }
            } else if (op < 88) {
                int cutoff = now - rnd.nextInt(200);
                int removed = list.expire(cutoff);
                int before = model.size();
                model.values().removeIf(p -> p.lastSeen < cutoff);
                assertEquals(before - model.size(), removed);
            } else {
                now += rnd.nextInt(5);
            }
            if (round % 97 == 0 || op >= 85 && op < 88) {
                assertMatches(list, model, family);
            }
        }
        assertMatches(list, model, family);
        // empty it entirely: the array is given back
        for (Key k : List.copyOf(model.keySet())) {
            list.remove(list.indexOf(k.hi, k.lo, k.port));
        }
        assertEquals(0, list.size());
        assertSame(PeerList.NONE, list.data());
    }

    private static void assertMatches(PeerList list, TreeMap<Key, Payload> model, AddressFamily family) {
        assertEquals(model.size(), list.size());
        List<Map.Entry<Key, Payload>> emitted = new ArrayList<>();
        PeerSink sink = (f, hi, lo, port, a, b, c) -> emitted.add(Map.entry(new Key(hi, lo, port),
                new Payload(new PeerId(a, b, c), 0)));
        for (int i = 0; i < list.size(); i++) {
            list.emit(i, sink);
            Key k = emitted.get(i).getKey();
            assertEquals(model.get(k).id(), emitted.get(i).getValue().id(), () -> "peer id of " + k);
            int at = i;
            assertEquals(model.get(k).lastSeen(), list.lastSeen(at), () -> "last seen of " + k);
            assertEquals(family, list.address(i).family());
        }
        assertEquals(List.copyOf(model.keySet()), emitted.stream().map(Map.Entry::getKey).toList());
    }
}
