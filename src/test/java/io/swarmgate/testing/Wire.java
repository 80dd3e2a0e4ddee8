package io.swarmgate.testing;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** Small helpers tests share: percent-encoding raw bytes, ids from text, bounded waiting. */
public final class Wire {
    private Wire() {
    }

    /** Percent-encodes every byte, as clients do for info_hash and peer_id. */
    public static String pct(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 3);
        for (byte x : b) {
            sb.append('%').append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    /** 20 bytes derived from a label, padded with the label's hash: readable in failures, distinct per label. */
    public static byte[] id20(String label) {
        byte[] out = new byte[20];
        byte[] l = label.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(l, 0, out, 0, Math.min(l.length, 20));
        int h = label.hashCode();
        for (int i = l.length; i < 20; i++) {
            out[i] = (byte) (h >>> ((i % 4) * 8) ^ i);
        }
        return out;
    }

    /**
     * Waits up to 5 s for a condition that the tracker makes true in the background on its own schedule (a JWK set
     * refresh), never for the effect of a request that was already answered.
     */
    public static void eventually(String what, BooleanSupplier condition) {
        eventually(what, java.time.Duration.ofSeconds(5), condition);
    }

    /** Like {@link #eventually(String, BooleanSupplier)}, for conditions that take longer (a store reconnecting). */
    public static void eventually(String what, java.time.Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
