package io.swarmgate.hook.accounting;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.swarmgate.bittorrent.InfoHash;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The PostgreSQL side: a small HikariCP pool, the schema migrated by Flyway from
 * {@code src/main/resources/db/accounting} (its own history table, so it shares a database with anything),
 * one transaction per flush, and the read-back queries. Every method may throw {@link SQLException} while the
 * database is away; the caller decides what that means.
 */
final class AccountingDatabase implements AutoCloseable {
    static final String MIGRATIONS = "classpath:db/accounting";
    static final String HISTORY_TABLE = "accounting_schema_history";

    /**
     * Adds, never overwrites, so instances share rows. Sums saturate at the bigint maximum instead of failing:
     * the totals are what clients report, and one absurd report must not make every later flush fail.
     */
    private static final String ADD = """
            uploaded = least(t.uploaded::numeric + EXCLUDED.uploaded, 9223372036854775807)::bigint,
            downloaded = least(t.downloaded::numeric + EXCLUDED.downloaded, 9223372036854775807)::bigint,
            completed = least(t.completed::numeric + EXCLUDED.completed, 9223372036854775807)::bigint,
            announces = least(t.announces::numeric + EXCLUDED.announces, 9223372036854775807)::bigint""";
    private static final String UPSERT_TORRENT = """
            INSERT INTO accounting_torrent_day AS t (info_hash, day, uploaded, downloaded, completed, announces)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (info_hash, day) DO UPDATE SET
            """ + ADD;
    private static final String UPSERT_SUBJECT = """
            INSERT INTO accounting_subject_torrent_day AS t
              (subject, info_hash, day, uploaded, downloaded, completed, announces)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (subject, info_hash, day) DO UPDATE SET
            """ + ADD;
    /** Applied (1 row) only when this sequence number is new for this instance; 0 rows: it already committed. */
    private static final String MARK_FLUSH = """
            INSERT INTO accounting_flushes AS f (instance, seq) VALUES (?, ?)
            ON CONFLICT (instance) DO UPDATE SET seq = EXCLUDED.seq, flushed_at = now()
            WHERE f.seq < EXCLUDED.seq""";

    private final HikariDataSource pool;
    private final String jdbcUrl;

    AccountingDatabase(String jdbcUrl, Duration timeout) {
        this.jdbcUrl = jdbcUrl;
        HikariConfig c = new HikariConfig();
        c.setPoolName("swarmgate-accounting");
        c.setJdbcUrl(jdbcUrl);
        // the flusher and an operator's read: two connections are plenty, and none is kept open while idle
        // for long, so a database restart costs nothing but the next attempt
        c.setMaximumPoolSize(2);
        c.setMinimumIdle(0);
        c.setIdleTimeout(Math.max(10_000, 3 * timeout.toMillis()));
        c.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        c.setValidationTimeout(Math.max(250, Math.min(timeout.toMillis(), 5_000)));
        // start even when the database is down: the tracker serves without it and the flusher keeps trying
        c.setInitializationFailTimeout(-1);
        c.setAutoCommit(false);
        c.addDataSourceProperty("connectTimeout", Math.max(1, timeout.toSeconds()));
        c.addDataSourceProperty("socketTimeout", Math.max(5, 3 * timeout.toSeconds()));
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        c.addDataSourceProperty("ApplicationName", "swarmgate");
        this.pool = new HikariDataSource(c);
    }

    /** The JDBC URL without its password, for log lines. */
    String displayUrl() {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*:[^/@]*@", "//***@");
    }

    /** Creates or upgrades the schema; safe to run from several instances at once (Flyway takes a lock). */
    void migrate() {
        Flyway.configure()
                .dataSource(pool)
                .locations(MIGRATIONS)
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }

    /**
     * Adds {@code rows} in one transaction, marked with {@code seq}: when a previous attempt with the same
     * {@code seq} did commit (its COMMIT's answer was lost), nothing is added again.
     *
     * @return false when this flush had already been committed
     */
    boolean write(UUID instance, long seq, List<PendingRows.Row> rows) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                boolean fresh;
                try (PreparedStatement mark = c.prepareStatement(MARK_FLUSH)) {
                    mark.setObject(1, instance);
                    mark.setLong(2, seq);
                    fresh = mark.executeUpdate() == 1;
                }
                if (fresh) {
                    upsert(c, rows);
                }
                c.commit();
                return fresh;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    private static void upsert(Connection c, List<PendingRows.Row> rows) throws SQLException {
        try (PreparedStatement torrents = c.prepareStatement(UPSERT_TORRENT);
             PreparedStatement subjects = c.prepareStatement(UPSERT_SUBJECT)) {
            int nt = 0;
            int ns = 0;
            for (PendingRows.Row r : rows) {
                RowKey k = r.key;
                PreparedStatement ps = k.subject() == null ? torrents : subjects;
                int i = 1;
                if (k.subject() != null) {
                    ps.setString(i++, k.subject());
                    ns++;
                } else {
                    nt++;
                }
                ps.setBytes(i++, k.infoHash().bytes());
                ps.setObject(i++, LocalDate.ofEpochDay(k.epochDay()));
                ps.setLong(i++, r.claimedUploaded);
                ps.setLong(i++, r.claimedDownloaded);
                ps.setLong(i++, r.claimedCompleted);
                ps.setLong(i, r.claimedAnnounces);
                ps.addBatch();
            }
            if (nt > 0) {
                torrents.executeBatch();
            }
            if (ns > 0) {
                subjects.executeBatch();
            }
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** One torrent's committed totals, all days summed; empty when the database has no row for it. */
    Optional<Totals> torrent(InfoHash infoHash) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT count(*), coalesce(sum(uploaded), 0), coalesce(sum(downloaded), 0),
                            coalesce(sum(completed), 0), coalesce(sum(announces), 0)
                     FROM accounting_torrent_day WHERE info_hash = ?""")) {
            ps.setBytes(1, infoHash.bytes());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Optional<Totals> out = rs.getLong(1) == 0 ? Optional.empty()
                        : Optional.of(new Totals(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                c.rollback();
                return out;
            }
        }
    }

    /** One subject's committed totals per torrent, all days summed; empty when it has none. */
    Map<InfoHash, Totals> subject(String subject) throws SQLException {
        Map<InfoHash, Totals> out = new TreeMap<>(RowKey.ORDER_OF_HASHES);
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT info_hash, sum(uploaded), sum(downloaded), sum(completed), sum(announces)
                     FROM accounting_subject_torrent_day WHERE subject = ? GROUP BY info_hash""")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(InfoHash.of(rs.getBytes(1)),
                            new Totals(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
            c.rollback();
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
    }
}
