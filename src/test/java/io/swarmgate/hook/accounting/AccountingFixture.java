package io.swarmgate.hook.accounting;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.HookServices;
import io.swarmgate.testing.Wire;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;

/** Hooks on a real database, announces as the tracker hands them to posthooks, and what the tables say. */
final class AccountingFixture {
    private AccountingFixture() {
    }

    static AccountingHook hook(String jdbcUrl, InstantSource clock, SimpleMeterRegistry meters, int maxPending,
                               Duration flushInterval) {
        AccountingConfig config = new AccountingConfig(jdbcUrl, flushInterval, maxPending, "sub");
        return AccountingHook.unstarted(config,
                new HookServices(clock, () -> null, meters, null, Duration.ofMinutes(31)));
    }

    static PeerId peer(String label) {
        return PeerId.of(Wire.id20(label));
    }

    static InfoHash torrent(int n) {
        return InfoHash.fromHex(String.format("%040x", n + 1));
    }

    /** One announce reaching the posthook, with the claims a prehook verified (empty: none). */
    static void announce(AccountingHook hook, InfoHash infoHash, PeerId peer, long uploaded, long downloaded,
                         Event event, Map<String, Object> claims) {
        AnnounceRequest r = new AnnounceRequest(infoHash, new Peer(peer, IpAddress.parse("127.0.0.1"), 6881),
                uploaded, downloaded, event == Event.COMPLETED ? 0 : 1000, event, 50, true, false,
                RequestMeta.of(Frontend.HTTP));
        AnnounceContext ctx = new AnnounceContext(r, 1800, 900);
        ctx.verifiedClaims(claims);
        hook.announce(ctx);
    }

    static void announce(AccountingHook hook, InfoHash infoHash, PeerId peer, long uploaded, long downloaded,
                         Event event) {
        announce(hook, infoHash, peer, uploaded, downloaded, event, Map.of());
    }

    /** {uploaded, downloaded, completed, announces} of a torrent in the database, all days; null: no row. */
    static long[] stored(String jdbcUrl, InfoHash infoHash) throws SQLException {
        return sums(jdbcUrl, "FROM accounting_torrent_day WHERE info_hash = ?", infoHash, null);
    }

    static long[] storedForSubject(String jdbcUrl, String subject, InfoHash infoHash) throws SQLException {
        return sums(jdbcUrl, "FROM accounting_subject_torrent_day WHERE info_hash = ? AND subject = ?", infoHash,
                subject);
    }

    private static long[] sums(String jdbcUrl, String from, InfoHash infoHash, String subject) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("SELECT count(*), sum(uploaded), sum(downloaded), "
                     + "sum(completed), sum(announces) " + from)) {
            ps.setBytes(1, infoHash.bytes());
            if (subject != null) {
                ps.setString(2, subject);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return null;
                }
                return new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)};
            }
        }
    }

    static long count(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
