package io.swarmgate.hook.approval;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The one counter both approval hooks share, told apart by the {@code hook} tag. */
final class ApprovalMetrics {
    static final String REJECTED = "swarmgate.approval.rejected";

    private ApprovalMetrics() {
    }

    static Counter rejected(MeterRegistry meters, String hook) {
        return Counter.builder(REJECTED)
                .description("Announces and scrapes refused by an approval hook")
                .tag("hook", hook)
                .register(meters);
    }
}
