package io.swarmgate.bencode;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DecimalTest {
    @Test
    void writesWhatLongToStringWritesAndSaysHowLong() {
        long[] values = {0, 1, 9, 10, 99, 100, 999_999, 1_000_000, -1, -9, -10, -12_345, Long.MAX_VALUE,
                Long.MIN_VALUE, Long.MIN_VALUE + 1};
        for (long v : values) {
            String text = Long.toString(v);
            byte[] dst = new byte[24];
            dst[0] = 'x';
            int end = Decimal.put(dst, 1, v);
            assertEquals(text.length(), Decimal.length(v), text);
            assertEquals(1 + text.length(), end, text);
            assertEquals("x" + text, new String(dst, 0, end, StandardCharsets.US_ASCII));
        }
    }
}
