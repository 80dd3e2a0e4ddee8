package io.swarmgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry a tracker without a metrics listener gets: its own meters count, no JVM binder is bound. */
class MetersTest {

    private static boolean anyJvmOrProcessMeter(Meters meters) {
        return meters.registry().getMeters().stream().map(m -> m.getId().getName())
                .anyMatch(n -> n.startsWith("jvm.") || n.startsWith("process.") || n.startsWith("system."));
    }

    @Test
    void withoutJvmMetersBindsNoJvmOrProcessMeterButCountsOwnOnes() {
        try (Meters full = Meters.create(); Meters bare = Meters.withoutJvmMeters()) {
            assertTrue(anyJvmOrProcessMeter(full), "the scraped registry has the JVM and process meters");
            assertFalse(anyJvmOrProcessMeter(bare), bare.registry().getMeters().stream()
                    .map(Meter::getId).toList().toString());
            Counter own = Counter.builder("swarmgate.test").register(bare.registry());
            own.increment(3);
            assertEquals(3, bare.registry().get("swarmgate.test").counter().count());
        }
    }
}
