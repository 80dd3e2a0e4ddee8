package io.swarmgate.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Why the tracker should not get traffic yet (or any more): an empty list means ready. Reasons are short
 * operator-facing sentences such as {@code "JWT key set not loaded yet"}; they are served on
 * {@code /health/ready}, so they must hold no secrets. Called on every readiness probe: keep it cheap.
 */
@FunctionalInterface
public interface Readiness {

    /** Always ready. */
    Readiness READY = List::of;

    List<String> notReadyReasons();

    /** Every reason of every part, in order. */
    static Readiness allOf(List<Readiness> parts) {
        List<Readiness> copy = List.copyOf(parts);
        return () -> {
            List<String> reasons = new ArrayList<>();
            for (Readiness part : copy) {
                reasons.addAll(part.notReadyReasons());
            }
            return reasons;
        };
    }
}
