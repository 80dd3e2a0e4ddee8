package io.swarmgate.frontend.udp;

import io.swarmgate.bittorrent.IpAddress;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Stateless BEP 15 connection ids. BEP 15 makes a client prove it receives packets at its source address before
 * the tracker acts on an announce; instead of remembering every id handed out, the id is a keyed MAC over the
 * client's address and the time it was issued, so any instance with the same secret can check it and
 * nothing is stored per client.
 *
 * <p>Layout (64 bits): the low 16 bits of the issue time in epoch seconds, then the first 48 bits of
 * HMAC-SHA256(secret, issue second || family || address). Carrying the issue second makes the lifetime
 * exact and checking costs one MAC: the full second is the latest one not after {@code now + maxClockSkew}
 * whose low 16 bits match (the 18-hour wrap is far beyond the lifetime). A forged id is accepted with
 * probability 2^-48 per try. The id is bound to the address, not the port, as in opentracker: libtorrent
 * keeps one id per tracker for the whole process and uses it from every session's socket, and NATs may move a
 * client to another port between connect and announce; the address is what BEP 15's round trip proves.
 *
 * <p>An id is valid from {@code maxClockSkew} before its issue second (another instance's clock may run ahead)
 * to {@link #LIFETIME} plus {@code maxClockSkew} after it: BEP 15 lets clients use an id for one minute and asks
 * trackers to accept it for two.
 *
 * <p>Not thread-safe: each worker owns one, so its {@link Mac} and scratch arrays are reused per packet.
 */
final class ConnectionIds {
    static final Duration LIFETIME = Duration.ofMinutes(2);
    /** Shorter secrets are refused: anyone who guesses the secret can forge ids for any address. */
    static final int MIN_SECRET_BYTES = io.swarmgate.config.UdpConfig.MIN_SECRET_BYTES;
    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;
    private final InstantSource clock;
    private final long lifetimeSeconds;
    private final long skewSeconds;
    private final byte[] input = new byte[8 + 1 + 16];
    private final byte[] output;

    ConnectionIds(byte[] secret, Duration maxClockSkew, InstantSource clock) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("connection id secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        try {
            this.mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e); // every JDK ships it
        }
        this.output = new byte[mac.getMacLength()];
        this.clock = clock;
        this.lifetimeSeconds = LIFETIME.toSeconds();
        this.skewSeconds = ceilSeconds(maxClockSkew);
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    /** A fresh id for a client at this address. */
    long issue(IpAddress ip) {
        long now = nowSecond();
        return (now & 0xffff) << 48 | tag(now, ip);
    }

    /** Whether the id was issued (by any instance with this secret) to this address, and is unexpired. */
    boolean isValid(long id, IpAddress ip) {
        long now = nowSecond();
        long latest = now + skewSeconds;
        long issued = latest - ((latest - (id >>> 48)) & 0xffff);
        if (now - issued > lifetimeSeconds + skewSeconds) {
            return false; // expired: no need to spend a MAC on it
        }
        return tag(issued, ip) == (id & 0xffff_ffff_ffffL);
    }

    /** Epoch seconds; {@code millis()} rather than {@code instant()}: no {@code Instant} per packet. */
    private long nowSecond() {
        return Math.floorDiv(clock.millis(), 1000L);
    }

    /** The first 48 bits of the MAC over issue second, family and address. */
    private long tag(long issuedSecond, IpAddress ip) {
        putLong(input, 0, issuedSecond);
        input[8] = (byte) ip.family().ordinal();
        putLong(input, 9, ip.hi());
        putLong(input, 17, ip.lo());
        mac.update(input);
        try {
            mac.doFinal(output, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e); // output has the MAC's length
        }
        long t = 0;
        for (int i = 0; i < 6; i++) {
            t = t << 8 | (output[i] & 0xff);
        }
        return t;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
