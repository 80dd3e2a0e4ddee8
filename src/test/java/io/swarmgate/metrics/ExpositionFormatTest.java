package io.swarmgate.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Prometheus itself says about our /metrics: promtool's parser and its naming lints. */
class ExpositionFormatTest {

    @Test
    void promtoolAcceptsTheExpositionOfARunningTracker() throws Exception {
        Promtool.require();
        try (ObservedTracker tracker = new ObservedTracker()) {
            String body = tracker.scrape();
            assertTrue(body.contains("swarmgate_requests_seconds_bucket{"), "requests histogram present");
            assertTrue(body.contains("swarmgate_gc_expired_peers_total"), "expiry counter present");
            Promtool.Result r = Promtool.run(body, "check", "metrics");
            assertEquals(0, r.exitCode(), "promtool check metrics:\n" + r.output());
        }
    }
}
