package io.swarmgate.hook.accounting;

import io.helidon.config.Config;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;

import java.time.Duration;

/**
 * {@code config:} of {@code accounting}: where the totals go ({@code jdbc-url}, required; user and password in
 * the URL, or the whole URL from {@code SWARMGATE_POSTHOOKS__<n>__CONFIG__JDBC_URL}), how often they are written
 * ({@code flush-interval}), how many aggregated rows are held while the database cannot take them
 * ({@code max-pending}), and which claim of the verified JWT names the subject ({@code subject-claim}).
 */
record AccountingConfig(String jdbcUrl, Duration flushInterval, int maxPending, String subjectClaim) {
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(10);
    static final int MAX_PENDING = 100_000;
    static final String SUBJECT_CLAIM = "sub";

    static AccountingConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, node.key().toString());
        String url = r.string("jdbc-url", "").strip();
        Duration interval = r.duration("flush-interval", FLUSH_INTERVAL);
        int maxPending = r.integer("max-pending", MAX_PENDING, 1, 100_000_000);
        String claim = r.string("subject-claim", SUBJECT_CLAIM).strip();
        r.finish();
        if (url.isEmpty()) {
            throw new ConfigException(r.key("jdbc-url"), "is required, e.g. jdbc:postgresql://127.0.0.1:5432/swarmgate");
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(r.key("jdbc-url"), "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)");
        }
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException(r.key("flush-interval"), "must be at least 100ms");
        }
        if (claim.isEmpty()) {
            throw new ConfigException(r.key("subject-claim"), "must name a claim, e.g. sub");
        }
        return new AccountingConfig(url, interval, maxPending, claim);
    }
}
