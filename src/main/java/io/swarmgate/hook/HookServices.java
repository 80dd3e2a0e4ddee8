package io.swarmgate.hook;

import io.micrometer.core.instrument.MeterRegistry;

import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import java.util.function.Supplier;

/**
 * What the tracker lends its hooks: time and randomness (injected so tests need no sleeping and no luck), the
 * meter registry, and a scheduler for background work (refreshes, file watching) that the tracker shuts down.
 */
public record HookServices(InstantSource clock, Supplier<RandomGenerator> random, MeterRegistry meters,
                           ScheduledExecutorService scheduler) {
}
