package io.swarmgate.frontend.http;

import io.swarmgate.bencode.Bencode;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.ScrapeResponse;
import io.swarmgate.bittorrent.SwarmStats;

import java.io.ByteArrayOutputStream;
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
    private ResponseWriter() {
    }

    /**
     * Compact (BEP 23 / BEP 7): {@code peers} is always present (empty for an IPv6 announcer), {@code peers6}
     * only when the announcer is IPv6. The peers are the first {@code peers.length()} bytes of the buffer the
     * store wrote them into.
     */
    static byte[] announceCompact(AnnounceResponse r, AddressFamily family, CompactPeerBuffer peers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96 + peers.length());
        out.write('d');
        key(out, "complete");
        Bencode.writeInt(out, r.complete());
        key(out, "incomplete");
        Bencode.writeInt(out, r.incomplete());
        key(out, "interval");
        Bencode.writeInt(out, r.interval());
        key(out, "min interval");
        Bencode.writeInt(out, r.minInterval());
        key(out, "peers");
        if (family == AddressFamily.IPV4) {
            Bencode.writeBytes(out, peers.array(), peers.length());
        } else {
            Bencode.writeBytes(out, new byte[0], 0);
            key(out, "peers6");
            Bencode.writeBytes(out, peers.array(), peers.length());
        }
        out.write('e');
        return out.toByteArray();
    }

    /** Dict mode: a list of {ip, peer id, port}, with peer id left out for no_peer_id. */
    static byte[] announceDict(AnnounceResponse r, boolean noPeerId) {
        List<Object> peers = new ArrayList<>(r.peers().size());
        for (Peer p : r.peers()) {
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

    private static void key(ByteArrayOutputStream out, String key) {
        byte[] b = key.getBytes(StandardCharsets.US_ASCII);
        Bencode.writeBytes(out, b, b.length);
    }
}
