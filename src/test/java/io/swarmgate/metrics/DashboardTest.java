package io.swarmgate.metrics;

import io.swarmgate.testing.Exposition;
import com.sun.management.GarbageCollectionNotificationInfo;
import io.helidon.metadata.hson.Hson;
import io.swarmgate.config.MetricsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped Grafana dashboard and Prometheus config against what swarmgate really exports: every metric a
 * panel queries exists in a live /metrics, and every query is valid PromQL.
 */
class DashboardTest {
    private static final Path DASHBOARD = Path.of("deploy/grafana/swarmgate.json");
    private static final Path PROMETHEUS = Path.of("deploy/prometheus/prometheus.yml");
    private static final Path ALERTS = Path.of("deploy/prometheus/alerts.yml");
    private static final Pattern METRIC = Pattern.compile("\\b(?:swarmgate|jvm|process|system)_[A-Za-z0-9_]*");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

    /** Panel queries and template variable queries (Grafana's label_values(...), not PromQL). */
    static List<String> queries() throws IOException {
        return strings(Set.of("expr", "definition"));
    }

    /** Panel queries only: PromQL. */
    static List<String> panelQueries() throws IOException {
        return strings(Set.of("expr"));
    }

    private static List<String> strings(Set<String> keys) throws IOException {
        Hson.Struct root;
        try (InputStream in = Files.newInputStream(DASHBOARD)) {
            root = Hson.parse(in).asStruct();
        }
        List<String> out = new ArrayList<>();
        collect(root, keys, out);
        return out;
    }

    /** Every string under one of {@code keys}, at any depth. */
    private static void collect(Hson.Value<?> value, Set<String> keys, List<String> out) {
        switch (value.type()) {
            case STRUCT -> {
                Hson.Struct s = value.asStruct();
                for (String key : s.keys()) {
                    Hson.Value<?> child = s.value(key).orElseThrow();
                    if (keys.contains(key) && child.type() == Hson.Type.STRING) {
                        out.add((String) child.value());
                    } else {
                        collect(child, keys, out);
                    }
                }
            }
            case ARRAY -> value.asArray().value().forEach(v -> collect(v, keys, out));
            default -> {
            }
        }
    }

    static Set<String> metricNames(List<String> queries) {
        Set<String> names = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(QUOTED.matcher(q).replaceAll("\"\""));
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        List<String> queries = queries();
        assertTrue(queries.size() >= 20, "panel queries found: " + queries.size());
        Set<String> used = metricNames(queries);
        for (String expected : List.of("swarmgate_requests_seconds_bucket", "swarmgate_requests_seconds_count",
                "swarmgate_swarms", "swarmgate_seeders", "swarmgate_leechers", "swarmgate_gc_expired_peers_total",
                "swarmgate_jwt_verifications_total", "swarmgate_jwt_jwks_last_success_age_seconds",
                "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum")) {
            assertTrue(used.contains(expected), "the dashboard shows " + expected + "; used: " + used);
        }

        try (ObservedTracker tracker = new ObservedTracker()) {
            Set<String> live = gcHasRun(tracker);
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(live);
            assertEquals(Set.of(), missing, "queried by the dashboard but not in /metrics");
        }
    }

    @Test
    void everyMetricTheAlertsUseIsExported() throws Exception {
        List<String> lines = Files.readAllLines(ALERTS).stream().filter(l -> !l.strip().startsWith("#")).toList();
        Set<String> used = metricNames(lines);
        assertTrue(used.contains("swarmgate_gc_seconds_count"), "alerts use: " + used);
        try (ObservedTracker tracker = new ObservedTracker()) {
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(Exposition.parse(tracker.scrape()).names());
            assertEquals(Set.of(), missing, "used by alerts.yml but not in /metrics");
        }
    }

    /** jvm_gc_pause_seconds only appears after a collection: ask for one and wait for its notification. */
    private static Set<String> gcHasRun(ObservedTracker tracker) throws Exception {
        Set<String> live = Exposition.parse(tracker.scrape()).names();
        for (int i = 0; i < 10 && !live.contains("jvm_gc_pause_seconds_count"); i++) {
            collectAndAwaitNotification();
            live = Exposition.parse(tracker.scrape()).names();
        }
        return live;
    }

    /**
     * Runs a collection and waits until the JVM has announced it. The JVM hands one notification to its listeners
     * in turn on one thread, so once ours (added last) has it, the tracker's GC meter has usually recorded it too;
     * the caller looks again after another collection if not.
     */
    private static void collectAndAwaitNotification() throws InterruptedException, ListenerNotFoundException {
        Semaphore announced = new Semaphore(0);
        NotificationListener listener = (n, handback) -> {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                announced.release();
            }
        };
        List<NotificationEmitter> emitters = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(NotificationEmitter.class::isInstance).map(NotificationEmitter.class::cast).toList();
        emitters.forEach(e -> e.addNotificationListener(listener, null, null));
        try {
            System.gc();
            assertTrue(announced.tryAcquire(10, TimeUnit.SECONDS), "no GC notification within 10 s of System.gc()");
        } finally {
            for (NotificationEmitter e : emitters) {
                e.removeNotificationListener(listener);
            }
        }
    }

    @Test
    void everyQueryIsValidPromql(@TempDir Path dir) throws Exception {
        Promtool.require();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String q : panelQueries()) {
            // Grafana's variables become what they stand for at query time
            String promql = q.replace("$__rate_interval", "5m").replace("$instance", ".*");
            assertFalse(promql.contains("$"), "unknown variable in " + q);
            rules.append("      - record: dashboard:query").append(i++).append("\n        expr: '")
                    .append(promql.replace("'", "''")).append("'\n");
        }
        Path file = dir.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        Promtool.Result r = Promtool.run(null, "check", "rules", file.toString());
        assertEquals(0, r.exitCode(), "promtool check rules:\n" + r.output() + "\n" + rules);
    }

    @Test
    void prometheusConfigIsValidAndScrapesTheDefaultMetricsPort() throws Exception {
        String yml = Files.readString(PROMETHEUS);
        assertTrue(yml.contains("\"localhost:" + MetricsConfig.DEFAULTS.port() + "\""), yml);
        Promtool.require();
        // also checks the rule files it loads (alerts.yml)
        Promtool.Result r = Promtool.run(null, "check", "config", PROMETHEUS.toString());
        assertEquals(0, r.exitCode(), "promtool check config:\n" + r.output());
        assertTrue(r.output().contains("1 rule files found"), r.output());
    }
}
