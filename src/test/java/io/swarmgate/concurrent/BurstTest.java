package io.swarmgate.concurrent;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BurstTest {
    private final List<String> log = new ArrayList<>();

    @Test
    void outsideABurstDeferredWorkRunsAtOnce() {
        Burst.once(() -> log.add("once"));
        Burst.after(() -> log.add("after"));
        assertEquals(List.of("once", "after"), log);
        assertFalse(Burst.active());
    }

    @Test
    void inABurstItRunsAtTheEndInOrderEachOnceActionOnce() {
        Runnable send = () -> log.add("send");
        Burst.run(() -> {
            assertTrue(Burst.active());
            log.add("answer 1");
            Burst.once(send);
            Burst.after(() -> log.add("posthook 1"));
            log.add("answer 2");
            Burst.once(send); // already deferred: the one send carries both answers
            Burst.after(() -> log.add("posthook 2"));
        });
        // every posthook after the send of its answer
        assertEquals(List.of("answer 1", "answer 2", "send", "posthook 1", "posthook 2"), log);
        assertFalse(Burst.active());
    }

    @Test
    void drainNowRunsWhatWasDeferredSoFarAndTheBurstGoesOn() {
        Runnable write = () -> log.add("write");
        Burst.run(() -> {
            Burst.once(write);
            Burst.after(() -> log.add("posthook 1"));
            Burst.drainNow(); // about to wait for what the write's replies free
            log.add("waited");
            assertTrue(Burst.active());
            Burst.once(write); // ran already: deferred again, it runs again at the end
            Burst.after(() -> log.add("posthook 2"));
        });
        assertEquals(List.of("write", "posthook 1", "waited", "write", "posthook 2"), log);
        Burst.drainNow(); // outside a burst: nothing deferred, nothing to do
        assertFalse(Burst.active());
    }

    @Test
    void aNestedBurstIsPartOfTheOuterOne() {
        Burst.run(() -> {
            Burst.run(() -> Burst.after(() -> log.add("inner")));
            log.add("outer body");
        });
        assertEquals(List.of("outer body", "inner"), log);
    }

    @Test
    void aOnceActionDeferredAgainAfterItRanRunsAgain() {
        Runnable send = () -> log.add("send");
        Burst.run(() -> {
            Burst.once(send);
            Burst.after(() -> {
                log.add("posthook queues more");
                Burst.once(send);
            });
        });
        assertEquals(List.of("send", "posthook queues more", "send"), log);
    }

    @Test
    void aFailingActionIsLoggedAndTheRestStillRun() {
        Burst.run(() -> {
            Burst.after(() -> {
                throw new IllegalStateException("boom");
            });
            Burst.after(() -> log.add("still runs"));
        });
        assertEquals(List.of("still runs"), log);
        assertFalse(Burst.active());
    }

    @Test
    void aBodyThatThrowsStillRunsWhatItDeferredAndEndsTheBurst() {
        try {
            Burst.run(() -> {
                Burst.after(() -> log.add("deferred"));
                throw new IllegalArgumentException("body");
            });
        } catch (IllegalArgumentException expected) {
            log.add("thrown");
        }
        assertEquals(List.of("deferred", "thrown"), log);
        assertFalse(Burst.active());
    }
}
