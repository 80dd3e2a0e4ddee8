package io.swarmgate.bittorrent;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as two longs: IPv4 in the low 32 bits of {@code lo} with {@code hi == 0}; IPv6 as its
 * high and low 64 bits. Comparing {@code (hi, lo)} unsigned is address order, and "same /N" is a mask, so
 * stores can keep peers sorted by address and find a subnet as a contiguous range.
 * IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) are always normalised to IPv4.
 */
public record IpAddress(AddressFamily family, long hi, long lo) implements Comparable<IpAddress> {

    public IpAddress {
        if (family == AddressFamily.IPV4 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address must fit in 32 bits");
        }
    }

    public static IpAddress ipv4(int address) {
        return new IpAddress(AddressFamily.IPV4, 0, address & 0xffffffffL);
    }

    /** 4 or 16 bytes at {@code off}; a 16-byte IPv4-mapped address becomes IPv4. */
    public static IpAddress of(byte[] b, int off, int len) {
        if (len == 4) {
            return ipv4((b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff));
        }
        if (len != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + len);
        }
        long hi = Id20.readLong(b, off);
        long lo = Id20.readLong(b, off + 8);
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return ipv4((int) lo);
        }
        return new IpAddress(AddressFamily.IPV6, hi, lo);
    }

    public static IpAddress of(byte[] b) {
        return of(b, 0, b.length);
    }

    public static IpAddress of(InetAddress address) {
        return of(address.getAddress());
    }

    /**
     * Parses a numeric IPv4 or IPv6 literal (brackets allowed), never doing a DNS lookup.
     *
     * @throws IllegalArgumentException when the text is not an IP literal
     */
    public static IpAddress parse(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty IP address");
        }
        if (s.indexOf(':') < 0) {
            return parseIpv4(s, text);
        }
        int pct = s.indexOf('%');
        if (pct >= 0) {
            s = s.substring(0, pct);
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch == ':' || ch == '.' || Character.digit(ch, 16) >= 0)) {
                throw new IllegalArgumentException("not an IP address: " + text);
            }
        }
        try {
            // only hex digits, colons and dots remain: InetAddress treats that as a literal, no lookup
            return of(InetAddress.getByName(s));
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
    }

    private static IpAddress parseIpv4(String s, String original) {
        int value = 0;
        int parts = 0;
        int i = 0;
        while (i <= s.length()) {
            int start = i;
            int octet = 0;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || octet > 255 || ++parts > 4) {
                throw new IllegalArgumentException("not an IP address: " + original);
            }
            value = value << 8 | octet;
            if (i == s.length()) {
                break;
            }
            if (s.charAt(i) != '.') {
                throw new IllegalArgumentException("not an IP address: " + original);
            }
            i++;
        }
        if (parts != 4) {
            throw new IllegalArgumentException("not an IP address: " + original);
        }
        return ipv4(value);
    }

    public boolean isIpv4() {
        return family == AddressFamily.IPV4;
    }

    /** Wire bytes: 4 for IPv4, 16 for IPv6. */
    public byte[] bytes() {
        byte[] out = new byte[family.addressLength()];
        writeTo(out, 0);
        return out;
    }

    /** Writes the 4 or 16 wire bytes at {@code off}; returns the offset after them. */
    public int writeTo(byte[] dst, int off) {
        if (isIpv4()) {
            for (int i = 0; i < 4; i++) {
                dst[off + i] = (byte) (lo >>> (24 - 8 * i));
            }
            return off + 4;
        }
        for (int i = 0; i < 8; i++) {
            dst[off + i] = (byte) (hi >>> (56 - 8 * i));
            dst[off + 8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return off + 16;
    }

    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    /** Number of address bits: 32 or 128. */
    public int bits() {
        return family.addressLength() * 8;
    }

    /**
     * This address with all but the first {@code prefix} bits cleared: the network of its /prefix.
     */
    public IpAddress network(int prefix) {
        if (prefix < 0 || prefix > bits()) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range for " + family.label());
        }
        if (isIpv4()) {
            long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            return new IpAddress(family, 0, lo & mask);
        }
        long hiMask = prefix >= 64 ? -1L : (prefix == 0 ? 0 : -1L << (64 - prefix));
        long loMask = prefix <= 64 ? 0 : (prefix == 128 ? -1L : -1L << (128 - prefix));
        return new IpAddress(family, hi & hiMask, lo & loMask);
    }

    /** The last address of this address's /prefix. */
    public IpAddress lastInNetwork(int prefix) {
        IpAddress net = network(prefix);
        if (isIpv4()) {
            long host = prefix == 32 ? 0 : (0xffffffffL >>> prefix);
            return new IpAddress(family, 0, net.lo | host);
        }
        long hiHost = prefix >= 64 ? 0 : (prefix == 0 ? -1L : -1L >>> prefix);
        long loHost = prefix <= 64 ? -1L : (prefix == 128 ? 0 : -1L >>> (prefix - 64));
        return new IpAddress(family, net.hi | hiHost, net.lo | loHost);
    }

    public boolean sharesPrefix(IpAddress other, int prefix) {
        return family == other.family && network(prefix).equals(other.network(prefix));
    }

    /** Address order within a family; IPv4 sorts before IPv6. */
    @Override
    public int compareTo(IpAddress o) {
        if (family != o.family) {
            return family.compareTo(o.family);
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        if (isIpv4()) {
            return (lo >>> 24 & 0xff) + "." + (lo >>> 16 & 0xff) + "." + (lo >>> 8 & 0xff) + "." + (lo & 0xff);
        }
        return toInetAddress().getHostAddress();
    }
}
