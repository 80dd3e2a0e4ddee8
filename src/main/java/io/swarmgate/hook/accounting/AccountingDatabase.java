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
import java.util.Arrays;
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
    /**
     * One statement per table and chunk of rows, its columns sent as arrays ({@code unnest}), instead of one
     * batched upsert per row: per row the flusher only fills arrays that the driver encodes in a loop of its
     * own. A batch of ~1,000 upserts (the driver's rewritten multi-row INSERTs) spent 5-20 ms of CPU per flush
     * in the driver and kept the JIT compiling that path for the first minute or two (every flush ran it only
     * once, so C2 reached it late), all on the core the announces run on. Rows are processed in array order,
     * which is {@link RowKey#ORDER}: the lock order that keeps two instances from deadlocking.
     */
    private static final String UPSERT_TORRENTS = """
            INSERT INTO accounting_torrent_day AS t (info_hash, day, uploaded, downloaded, completed, announces)
            SELECT h, date '1970-01-01' + d, u, dl, c, a
            FROM unnest(?::bytea[], ?::int4[], ?::int8[], ?::int8[], ?::int8[], ?::int8[]) AS r(h, d, u, dl, c, a)
            ON CONFLICT (info_hash, day) DO UPDATE SET
            """ + ADD;
    private static final String UPSERT_SUBJECTS = """
            INSERT INTO accounting_subject_torrent_day AS t
              (subject, info_hash, day, uploaded, downloaded, completed, announces)
            SELECT s, h, date '1970-01-01' + d, u, dl, c, a
            FROM unnest(?::text[], ?::bytea[], ?::int4[], ?::int8[], ?::int8[], ?::int8[], ?::int8[])
              AS r(s, h, d, u, dl, c, a)
            ON CONFLICT (subject, info_hash, day) DO UPDATE SET
            """ + ADD;
    /** Rows per statement: bounds the arrays, the bind message and each statement's time in PostgreSQL. */
    static final int ROWS_PER_STATEMENT = PendingRows.CHUNK;
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
        // not "swarmgate-accounting...": Linux keeps 15 characters of a thread name, and the pool's threads
        // (accounting-pool:housekeeper, ...) should not look like the flusher in top, perf or /proc
        c.setPoolName("accounting-pool");
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
        try (PreparedStatement torrents = c.prepareStatement(UPSERT_TORRENTS);
             PreparedStatement subjects = c.prepareStatement(UPSERT_SUBJECTS)) {
            Columns torrentRows = new Columns(torrents, false);
            Columns subjectRows = new Columns(subjects, true);
            for (PendingRows.Row r : rows) {
                (r.key.subject() == null ? torrentRows : subjectRows).add(r);
            }
            torrentRows.execute();
            subjectRows.execute();
        }
    }

    /** The columns of up to {@link #ROWS_PER_STATEMENT} rows of one table, executed when full and at the end. */
    private static final class Columns {
        private final PreparedStatement statement;
        private final String[] subjects;
        private final byte[][] hashes = new byte[ROWS_PER_STATEMENT][];
        private final int[] days = new int[ROWS_PER_STATEMENT];
        private final long[] uploaded = new long[ROWS_PER_STATEMENT];
        private final long[] downloaded = new long[ROWS_PER_STATEMENT];
        private final long[] completed = new long[ROWS_PER_STATEMENT];
        private final long[] announces = new long[ROWS_PER_STATEMENT];
        private int n;

        Columns(PreparedStatement statement, boolean withSubject) {
            this.statement = statement;
            this.subjects = withSubject ? new String[ROWS_PER_STATEMENT] : null;
        }

        void add(PendingRows.Row r) throws SQLException {
            if (subjects != null) {
                subjects[n] = r.key.subject();
            }
            hashes[n] = r.key.infoHash().bytes();
            days[n] = r.key.epochDay();
            uploaded[n] = r.claimedUploaded;
            downloaded[n] = r.claimedDownloaded;
            completed[n] = r.claimedCompleted;
            announces[n] = r.claimedAnnounces;
            if (++n == ROWS_PER_STATEMENT) {
                execute();
            }
        }

        void execute() throws SQLException {
            if (n == 0) {
                return;
            }
            int i = 1;
            if (subjects != null) {
                statement.setObject(i++, Arrays.copyOf(subjects, n));
            }
            statement.setObject(i++, Arrays.copyOf(hashes, n));
            statement.setObject(i++, Arrays.copyOf(days, n));
            statement.setObject(i++, Arrays.copyOf(uploaded, n));
            statement.setObject(i++, Arrays.copyOf(downloaded, n));
            statement.setObject(i++, Arrays.copyOf(completed, n));
            statement.setObject(i, Arrays.copyOf(announces, n));
            statement.executeUpdate();
            n = 0;
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
