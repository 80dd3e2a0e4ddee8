package io.swarmgate.e2e;

import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.metrics.Meters;
import io.swarmgate.testing.AccountingYaml;
import io.swarmgate.testing.PostgresExtension;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmgate.testing.Wire.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clients with the accounting posthook: a libtorrent seeder and leecher share a 4 MiB payload through the
 * tracker, and the totals the tracker wrote to PostgreSQL say that the payload was downloaded (by the leecher)
 * and uploaded (by the seeder) once, within the clients' reporting granularity, with one completed download.
 */
class AccountingRealClientIT {
    private static final long PAYLOAD = Swarm.PAYLOAD_MIB * 1024L * 1024L;
    /**
     * libtorrent reports payload bytes; a piece requested twice near the end (end-game mode) or a piece that
     * failed its hash check may be counted again, so up to one 256 KiB piece more than the payload is allowed.
     */
    private static final long GRANULARITY = 256 * 1024L;
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(\\d+)");

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void needsLibtorrent() throws Exception {
        Swarm.requireLibtorrent();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theRecordedTransferIsThePayload(@TempDir Path dir) throws Exception {
        String yaml = """
                http: {port: 0, host: 127.0.0.1}
                udp: {enabled: false}
                metrics: {port: 0, host: 127.0.0.1}
                """ + AccountingYaml.posthook(PG.jdbcUrl(), "1s", 100_000);
        String infoHash;
        try (Meters meters = Meters.create();
             Swarmgate tracker = Swarmgate.start(SwarmgateConfig.fromYaml(yaml), meters.registry(),
                     InstantSource.system());
             Swarm swarm = Swarm.start(dir)) {
            infoHash = swarm.expect("info_hash ", 60);
            swarm.send("http://127.0.0.1:" + tracker.httpPort() + "/announce");
            swarm.expect("complete", Swarm.EXCHANGE_SECONDS + 30);
            swarm.send(""); // both clients stop, and announce their final totals with "stopped"
            swarm.expect("stopped", 60);
            int status = swarm.exit(60);
            assertEquals(0, status, () -> "swarm_e2e.py exited with " + status + "\n" + swarm.log());
            // the posthook runs after each answer: wait until the final announces are counted
            eventually("the leecher's final totals accounted", () -> {
                String json = totals(tracker, infoHash);
                return json != null && value(json, "downloaded") >= PAYLOAD && value(json, "uploaded") >= PAYLOAD;
            });
        } // SIGTERM's path: the tracker flushes what is pending
        try (Connection c = PG.server().connect();
             PreparedStatement ps = c.prepareStatement("SELECT sum(uploaded), sum(downloaded), sum(completed) "
                     + "FROM accounting_torrent_day WHERE info_hash = ?")) {
            ps.setBytes(1, HexFormat.of().parseHex(infoHash));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long uploaded = rs.getLong(1);
                long downloaded = rs.getLong(2);
                assertTrue(downloaded >= PAYLOAD && downloaded <= PAYLOAD + GRANULARITY,
                        "downloaded " + downloaded + " for a payload of " + PAYLOAD);
                assertTrue(uploaded >= PAYLOAD && uploaded <= PAYLOAD + GRANULARITY,
                        "uploaded " + uploaded + " for a payload of " + PAYLOAD);
                assertEquals(1, rs.getLong(3), "one completed download");
            }
        }
    }

    /** The operator endpoint's JSON for the torrent, or null while it knows nothing of it. */
    private static String totals(Swarmgate tracker, String infoHash) {
        try {
            RawHttp.Response r = RawHttp.get(null, "127.0.0.1", tracker.metricsPort(), "/accounting/torrents/" + infoHash);
            return r.status() == 200 ? r.text() : null;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long value(String json, String key) {
        Matcher m = NUMBER.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(key)) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("no " + key + " in " + json);
    }
}
