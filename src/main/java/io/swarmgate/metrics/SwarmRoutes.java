package io.swarmgate.metrics;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.config.MetricsConfig;
import io.swarmgate.storage.PeerStore;
import io.swarmgate.storage.StoreUnavailableException;
import io.swarmgate.storage.SwarmDetail;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /swarms/<info_hash hex>} on the operator's listener: one swarm during a rollout, as JSON: its
 * counts, its peers per rack with their seeder/leecher split (at most {@link #MAX_GROUPS} racks, and it says
 * when there are more), and its completion timeline ({@link SwarmDetail.Timeline}). 404 for a swarm the store
 * does not know, 400 for a malformed info_hash, 503 when the store cannot be read.
 * <p>It shows where a swarm's peers are, which is more than /metrics tells, so it answers only on a
 * loopback-only listener unless {@code metrics.expose-swarms: true}; otherwise 403 naming that key.
 */
public final class SwarmRoutes implements OperatorRoutes {
    /** Racks listed at most: the answer stays a few KiB whatever the swarm. */
    public static final int MAX_GROUPS = 100;

    private final PeerStore store;
    private final RackPrefixes racks;
    private final MetricsConfig config;

    public SwarmRoutes(PeerStore store, RackPrefixes racks, MetricsConfig config) {
        this.store = Objects.requireNonNull(store);
        this.racks = Objects.requireNonNull(racks);
        this.config = Objects.requireNonNull(config);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/swarms/{hex}", this::swarm);
    }

    private void swarm(ServerRequest req, ServerResponse res) {
        if (!config.exposeSwarms() && !config.loopbackOnly()) {
            OperatorRoutes.error(res, Status.FORBIDDEN_403, "swarm details are served on a loopback-only metrics listener; this one"
                    + " listens on " + config.host() + " (metrics.host): set metrics.expose-swarms: true to serve"
                    + " them here");
            return;
        }
        InfoHash infoHash = OperatorRoutes.infoHash(req, res);
        if (infoHash == null) {
            return;
        }
        int v4 = racks.ipv4RackPrefix();
        int v6 = racks.ipv6RackPrefix();
        Optional<SwarmDetail> found;
        try {
            found = store.detail(infoHash, v4, v6, MAX_GROUPS);
        } catch (StoreUnavailableException e) {
            OperatorRoutes.error(res, Status.SERVICE_UNAVAILABLE_503, e.getMessage());
            return;
        }
        if (found.isEmpty()) {
            OperatorRoutes.error(res, Status.NOT_FOUND_404, "unknown swarm " + infoHash.hex());
            return;
        }
        OperatorRoutes.json(res, Status.OK_200, json(infoHash, found.get(), v4, v6));
    }

    static String json(InfoHash infoHash, SwarmDetail d, int ipv4Prefix, int ipv6Prefix) {
        StringBuilder b = new StringBuilder(256 + 64 * d.groups().size());
        b.append("{\"info_hash\":\"").append(infoHash.hex())
                .append("\",\"seeders\":").append(d.seeders())
                .append(",\"leechers\":").append(d.leechers())
                .append(",\"downloaded\":").append(d.downloaded())
                .append(",\"rack_prefix\":{\"ipv4\":").append(ipv4Prefix).append(",\"ipv6\":").append(ipv6Prefix)
                .append("},\"racks\":[");
        for (int i = 0; i < d.groups().size(); i++) {
            SwarmDetail.Group g = d.groups().get(i);
            b.append(i == 0 ? "" : ",").append("{\"network\":\"").append(g.network()).append('/').append(g.prefix())
                    .append("\",\"seeders\":").append(g.seeders())
                    .append(",\"leechers\":").append(g.leechers()).append('}');
        }
        SwarmDetail.Timeline t = d.timeline();
        b.append("],\"racks_listed\":").append(d.groups().size())
                .append(",\"racks_truncated\":").append(d.groupsTruncated())
                .append(",\"racks_max\":").append(MAX_GROUPS)
                .append(",\"timeline\":{\"first_announce\":\"").append(t.firstAnnounce())
                .append("\",\"leechers_seen\":").append(t.leechersSeen())
                .append(",\"leechers_completed\":").append(t.leechersCompleted());
        mark(b, "completed_50", t.half());
        mark(b, "completed_90", t.ninetyPercent());
        mark(b, "completed_100", t.all());
        return b.append("}}").toString();
    }

    private static void mark(StringBuilder b, String name, Optional<Instant> at) {
        b.append(",\"").append(name).append("\":");
        if (at.isPresent()) {
            b.append('"').append(at.get()).append('"');
        } else {
            b.append("null");
        }
    }


}
