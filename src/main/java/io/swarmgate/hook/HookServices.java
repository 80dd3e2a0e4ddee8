package io.swarmgate.hook;

import io.micrometer.core.instrument.MeterRegistry;
import io.swarmgate.config.StorageConfig;

import java.time.Duration;

import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import java.util.function.Supplier;

/**
 * What the tracker lends its hooks: time and randomness (injected so tests need no sleeping and no luck), the
 * meter registry, a scheduler for background work (refreshes, file watching) that the tracker shuts down, and
 * {@code storage.peer-lifetime}, for hooks that keep something per peer and must forget it when the store does.
 */
public record HookServices(InstantSource clock, Supplier<RandomGenerator> random, MeterRegistry meters,
                           ScheduledExecutorService scheduler, Duration peerLifetime) {

    /** With the default {@code storage.peer-lifetime}. */
    public HookServices(InstantSource clock, Supplier<RandomGenerator> random, MeterRegistry meters,
                        ScheduledExecutorService scheduler) {
        this(clock, random, meters, scheduler, StorageConfig.DEFAULTS.peerLifetime());
    }
}
