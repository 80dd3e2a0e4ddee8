package io.swarmgate.hook.interval;

import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static io.swarmgate.testing.HookFixtures.announce;
import static io.swarmgate.testing.HookFixtures.hookConfig;
import static io.swarmgate.testing.HookFixtures.infoHash;
import static io.swarmgate.testing.HookFixtures.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntervalVariationHookTest {
    private static final int INTERVAL = 1800;
    private static final int MIN_INTERVAL = 900;

    /** Draws what the test says: {@code nextDouble} and {@code nextInt(bound)} at fixed points of their range. */
    private record FixedRandom(double fraction, boolean topOfRange) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("the hook should draw a double and a bounded int only");
        }

        @Override
        public double nextDouble() {
            return fraction;
        }

        @Override
        public int nextInt(int bound) {
            return topOfRange ? bound - 1 : 0;
        }
    }

    private static Hook hook(String yaml, RandomGenerator random) throws Exception {
        return IntervalVariationHook.FACTORY.create(hookConfig(yaml), services(random, null));
    }

    private static AnnounceContext announceThrough(Hook hook) throws Exception {
        AnnounceContext ctx = new AnnounceContext(announce(infoHash(1), "-qB4650-", "10.0.0.1"), INTERVAL,
                MIN_INTERVAL);
        hook.announce(ctx);
        return ctx;
    }

    @Test
    void probabilityOneAlwaysAddsBetweenOneAndMaxSeconds() throws Exception {
        Hook hook = hook("probability: 1\nmax-increase: 60s", new SplittableRandom(7));
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (int i = 0; i < 5000; i++) {
            AnnounceContext ctx = announceThrough(hook);
            int added = ctx.interval() - INTERVAL;
            assertTrue(added >= 1 && added <= 60, "added " + added);
            assertEquals(MIN_INTERVAL, ctx.minInterval(), "min interval untouched by default");
            smallest = Math.min(smallest, added);
            largest = Math.max(largest, added);
        }
        assertEquals(1, smallest, "the whole range is used");
        assertEquals(60, largest, "the whole range is used");
    }

    @Test
    void probabilityZeroNeverChangesTheInterval() throws Exception {
        Hook hook = hook("probability: 0\nmax-increase: 60s", new FixedRandom(0.0, true));
        for (int i = 0; i < 100; i++) {
            AnnounceContext ctx = announceThrough(hook);
            assertEquals(INTERVAL, ctx.interval());
            assertEquals(MIN_INTERVAL, ctx.minInterval());
        }
    }

    @Test
    void theEdgesOfTheRandomSourceGiveTheEdgesOfTheIncrease() throws Exception {
        assertEquals(INTERVAL + 1, announceThrough(hook("probability: 1\nmax-increase: 90s",
                new FixedRandom(0.0, false))).interval());
        assertEquals(INTERVAL + 90, announceThrough(hook("probability: 1\nmax-increase: 90s",
                new FixedRandom(0.0, true))).interval());
        assertEquals(INTERVAL + 1, announceThrough(hook("probability: 1\nmax-increase: 1s",
                new FixedRandom(0.0, true))).interval());
    }

    @Test
    void probabilityIsTheFractionOfAnnouncesVaried() throws Exception {
        String yaml = "probability: 0.25\nmax-increase: 2m";
        assertEquals(INTERVAL + 120, announceThrough(hook(yaml, new FixedRandom(0.2499, true))).interval());
        assertEquals(INTERVAL, announceThrough(hook(yaml, new FixedRandom(0.25, true))).interval());
        assertEquals(INTERVAL, announceThrough(hook(yaml, new FixedRandom(0.9999, true))).interval());

        Hook seeded = hook(yaml, new SplittableRandom(42));
        int varied = 0;
        for (int i = 0; i < 10_000; i++) {
            if (announceThrough(seeded).interval() != INTERVAL) {
                varied++;
            }
        }
        assertTrue(varied > 2300 && varied < 2700, varied + " of 10000 varied");
    }

    @Test
    void modifyMinIntervalAddsTheSameAmountToBoth() throws Exception {
        Hook hook = hook("probability: 1\nmax-increase: 60s\nmodify-min-interval: true", new SplittableRandom(3));
        for (int i = 0; i < 1000; i++) {
            AnnounceContext ctx = announceThrough(hook);
            int added = ctx.interval() - INTERVAL;
            assertTrue(added >= 1 && added <= 60, "added " + added);
            assertEquals(MIN_INTERVAL + added, ctx.minInterval());
        }
    }

    @Test
    void defaultsAreAFifthOfAnnouncesUpToAMinute() throws Exception {
        Hook hook = hook("", new FixedRandom(0.19, true));
        AnnounceContext ctx = announceThrough(hook);
        assertEquals(INTERVAL + 60, ctx.interval());
        assertEquals(MIN_INTERVAL, ctx.minInterval());
        assertEquals(INTERVAL, announceThrough(hook("", new FixedRandom(0.2, true))).interval());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            probability: 1.5           | prehooks.0.config.probability
            probability: often         | prehooks.0.config.probability
            max-increase: 1500ms       | prehooks.0.config.max-increase
            max-increase: 2h           | prehooks.0.config.max-increase
            max-increase: 0s           | prehooks.0.config.max-increase
            modify-min-interval: maybe | prehooks.0.config.modify-min-interval
            max-increse: 60s           | prehooks.0.config.max-increse
            """)
    void badValuesAreStartUpErrorsNamingTheKey(String yaml, String key) {
        assertEquals(key, assertThrows(ConfigException.class, () -> hook(yaml, null)).key());
    }
}
