package io.swarmgate.frontend;

import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.RequestMeta;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A URL query split into parameters whose values are raw bytes after percent-decoding, because info_hash and
 * peer_id are binary (BEP 3): decoding them as UTF-8 text would corrupt them. Shared by the HTTP frontend and
 * BEP 41 URL data in UDP announces, so both follow the same rules: {@code +} is a space, names are case
 * sensitive, a name without {@code =} has an empty value, and a malformed escape is a client error.
 */
public final class QueryString {
    private final Map<String, List<byte[]>> params;

    private QueryString(Map<String, List<byte[]>> params) {
        this.params = params;
    }

    /**
     * Parses the part after {@code ?} (a leading {@code ?} or a path before it is skipped).
     *
     * @throws ClientError on a malformed percent escape
     */
    public static QueryString parse(String raw) throws ClientError {
        Map<String, List<byte[]>> params = new LinkedHashMap<>();
        if (raw == null) {
            return new QueryString(params);
        }
        int q = raw.indexOf('?');
        String s = q >= 0 ? raw.substring(q + 1) : raw;
        int i = 0;
        int n = s.length();
        while (i < n) {
            int amp = s.indexOf('&', i);
            int end = amp < 0 ? n : amp;
            if (end > i) {
                int eq = s.indexOf('=', i);
                String name;
                byte[] value;
                if (eq < 0 || eq > end) {
                    name = new String(decode(s, i, end), StandardCharsets.UTF_8);
                    value = new byte[0];
                } else {
                    name = new String(decode(s, i, eq), StandardCharsets.UTF_8);
                    value = decode(s, eq + 1, end);
                }
                params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            i = end + 1;
        }
        return new QueryString(params);
    }

    private static byte[] decode(String s, int from, int to) throws ClientError {
        byte[] out = new byte[to - from];
        int len = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= to) {
                    throw ClientError.badRequest("malformed percent-encoding in query");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ClientError.badRequest("malformed percent-encoding in query");
                }
                out[len++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                out[len++] = ' ';
            } else if (c < 0x80) {
                out[len++] = (byte) c;
            } else {
                // a raw non-ASCII character (not allowed in URLs, but be lenient): its UTF-8 bytes
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                // keep room for every character still to come (each takes at most one byte but this kind)
                int need = len + utf8.length + (to - i - 1);
                if (need > out.length) {
                    out = java.util.Arrays.copyOf(out, need);
                }
                System.arraycopy(utf8, 0, out, len, utf8.length);
                len += utf8.length;
            }
        }
        return len == out.length ? out : java.util.Arrays.copyOf(out, len);
    }

    public boolean has(String name) {
        return params.containsKey(name);
    }

    /** The first value, raw bytes, or null. */
    public byte[] bytes(String name) {
        List<byte[]> v = params.get(name);
        return v == null ? null : v.get(0);
    }

    /** Every value of a repeated parameter (e.g. scrape's info_hash), in order; empty when absent. */
    public List<byte[]> all(String name) {
        return params.getOrDefault(name, List.of());
    }

    /** The first value as UTF-8 text, or null. */
    public String string(String name) {
        byte[] b = bytes(name);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * A whole number, or {@code def} when absent. Which values are valid is the request type's rule
     * ({@code AnnounceRequest.of}), not the query's.
     *
     * @throws ClientError naming the parameter when it is not a number
     */
    public long number(String name, long def) throws ClientError {
        String s = string(name);
        if (s == null) {
            return def;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw ClientError.badRequest("invalid " + name + ": not a number");
        }
    }

    /**
     * The parameters nobody consumed, for hooks (first value, as UTF-8 text). {@code jwt} reaches the JWT
     * hook this way whichever frontend carried it.
     */
    public RequestMeta meta(Frontend frontend, Set<String> consumed, String bearerToken) {
        Map<String, String> rest = new LinkedHashMap<>();
        params.forEach((name, values) -> {
            if (!consumed.contains(name)) {
                rest.put(name, new String(values.get(0), StandardCharsets.UTF_8));
            }
        });
        return new RequestMeta(frontend, rest, bearerToken);
    }
}
