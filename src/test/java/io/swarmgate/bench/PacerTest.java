package io.swarmgate.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** --rate: the workers' open-loop schedules together send evenly spaced requests at the rate asked for. */
class PacerTest {

    @Test
    void fourWorkersAt1000PerSecondSendOneRequestPerMillisecondBetweenThem() {
        long begin = 5_000_000_000L;
        List<Pacer> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workers.add(new Pacer(begin, 1000, 4, i));
        }
        TreeSet<Long> due = new TreeSet<>();
        for (Pacer p : workers) {
            for (int k = 0; k < 250; k++) { // one second's worth
                due.add(p.due());
                p.sent();
            }
        }
        assertEquals(1000, due.size(), "no two requests due at once");
        long expected = begin;
        for (long t : due) {
            assertEquals(expected, t);
            expected += 1_000_000; // 1 ms apart
        }
    }

    @Test
    void aRequestStaysDueUntilItIsSent() {
        Pacer p = new Pacer(0, 10, 1, 0);
        assertEquals(0, p.due());
        assertEquals(0, p.due(), "a late request is not skipped: open loop, it goes as soon as it can");
        p.sent();
        assertEquals(100_000_000L, p.due());
    }

    @Test
    void aNegativeRateIsAUsageError() {
        assertThrows(IllegalArgumentException.class, () -> new Pacer(0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(0, 10, 2, 2));
    }
}
