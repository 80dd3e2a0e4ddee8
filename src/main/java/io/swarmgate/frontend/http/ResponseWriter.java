package io.swarmgate.frontend.http;

import io.swarmgate.bencode.Bencode;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.ScrapeResponse;
import io.swarmgate.bittorrent.SwarmStats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bencodes tracker answers. Dictionary keys are written in raw byte order, as BEP 3 requires (chihaya writes
 * them unsorted, which strict clients reject). The compact announce, the hot path, is written directly in
 * that order: complete, incomplete, interval, min interval, peers, peers6.
 */
final class ResponseWriter {
    private static final byte[] COMPLETE = key("complete");
    private static final byte[] INCOMPLETE = key("incomplete");
    private static final byte[] INTERVAL = key("interval");
    private static final byte[] MIN_INTERVAL = key("min interval");
    private static final byte[] PEERS = key("peers");
    private static final byte[] PEERS6 = key("peers6");

    private ResponseWriter() {
    }

    /**
     * Compact (BEP 23 / BEP 7): {@code peers} is always present (empty for an IPv6 announcer), {@code peers6}
     * only when the announcer is IPv6. The peers are the first {@code peers.length()} bytes of the buffer the
     * store wrote them into.
     */
    static byte[] announceCompact(AnnounceResponse r, AddressFamily family, CompactPeerBuffer peers) {
        // the exact size first, then one array written front to back: no stream, no copy, no key encoding
        boolean v4 = family == AddressFamily.IPV4;
        int n = peers.length();
        int size = 1 + COMPLETE.length + Bencode.intLength(r.complete()) + INCOMPLETE.length
                + Bencode.intLength(r.incomplete()) + INTERVAL.length + Bencode.intLength(r.interval())
                + MIN_INTERVAL.length + Bencode.intLength(r.minInterval()) + PEERS.length
                + (v4 ? Bencode.bytesLength(n) : Bencode.bytesLength(0) + PEERS6.length + Bencode.bytesLength(n)) + 1;
        byte[] out = new byte[size];
        out[0] = 'd';
        int pos = put(out, 1, COMPLETE);
        pos = Bencode.putInt(out, pos, r.complete());
        pos = put(out, pos, INCOMPLETE);
        pos = Bencode.putInt(out, pos, r.incomplete());
        pos = put(out, pos, INTERVAL);
        pos = Bencode.putInt(out, pos, r.interval());
        pos = put(out, pos, MIN_INTERVAL);
        pos = Bencode.putInt(out, pos, r.minInterval());
        pos = put(out, pos, PEERS);
        if (v4) {
            pos = Bencode.putBytes(out, pos, peers.array(), n);
        } else {
            pos = Bencode.putBytes(out, pos, peers.array(), 0);
            pos = put(out, pos, PEERS6);
            pos = Bencode.putBytes(out, pos, peers.array(), n);
        }
        out[pos] = 'e';
        return out;
    }

    /** A dictionary key, bencoded once: {@code 8:complete}. */
    private static byte[] key(String key) {
        byte[] b = key.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[Bencode.bytesLength(b.length)];
        Bencode.putBytes(out, 0, b, b.length);
        return out;
    }

    private static int put(byte[] dst, int pos, byte[] src) {
        System.arraycopy(src, 0, dst, pos, src.length);
        return pos + src.length;
    }

    /** Dict mode: a list of {ip, peer id, port}, with peer id left out for no_peer_id. */
    static byte[] announceDict(AnnounceResponse r, List<Peer> selected, boolean noPeerId) {
        List<Object> peers = new ArrayList<>(selected.size());
        for (Peer p : selected) {
            Map<String, Object> d = new HashMap<>();
            d.put("ip", p.ip().toString());
            d.put("port", p.port());
            if (!noPeerId) {
                d.put("peer id", p.id().bytes());
            }
            peers.add(d);
        }
        Map<String, Object> m = new HashMap<>();
        m.put("complete", r.complete());
        m.put("incomplete", r.incomplete());
        m.put("interval", r.interval());
        m.put("min interval", r.minInterval());
        m.put("peers", peers);
        return Bencode.encode(m);
    }

    /** BEP 48: files keyed by the raw 20-byte info_hash (sorted as bytes by the encoder). */
    static byte[] scrape(ScrapeResponse r) {
        Map<byte[], Object> files = new HashMap<>();
        for (Map.Entry<InfoHash, SwarmStats> e : r.files().entrySet()) {
            SwarmStats s = e.getValue();
            files.put(e.getKey().bytes(), Map.of("complete", s.complete(), "incomplete", s.incomplete(),
                    "downloaded", s.downloaded()));
        }
        return Bencode.encode(Map.of("files", files));
    }

    static byte[] failure(String reason) {
        return Bencode.encode(Map.of("failure reason", reason));
    }
}
