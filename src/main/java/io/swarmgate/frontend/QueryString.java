package io.swarmgate.frontend;

import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.RequestMeta;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A URL query split into parameters whose values are raw bytes after percent-decoding, because info_hash and
 * peer_id are binary (BEP 3): decoding them as UTF-8 text would corrupt them. Shared by the HTTP frontend and
 * BEP 41 URL data in UDP announces, so both follow the same rules: {@code +} is a space, names are case
 * sensitive, a name without {@code =} has an empty value, and a malformed escape is a client error.
 */
public final class QueryString {
    private static final String[] NO_NAMES = {};
    private static final int[] NO_SPANS = {};
    /** An announce has about ten parameters; BEP 41 URL data and scrapes usually fewer. */
    private static final int INITIAL_PARAMS = 16;

    /** The query itself (after {@code ?}); values are decoded from it only when asked for. */
    private final String s;
    /** Parameter names in order of appearance, decoded (a name without escapes is a plain substring). */
    private final String[] names;
    /** Per parameter: where its raw value starts and ends in {@link #s} (from == to: empty value). */
    private final int[] spans;
    private final int count;

    private QueryString(String s, String[] names, int[] spans, int count) {
        this.s = s;
        this.names = names;
        this.spans = spans;
        this.count = count;
    }

    /**
     * Parses the part after {@code ?} (a leading {@code ?} or a path before it is skipped). Every escape is
     * checked here, so a malformed one is refused whichever parameter carries it; values are decoded only
     * when read (an announce reads a dozen small ones and needs bytes only for info_hash and peer_id).
     *
     * @throws ClientError on a malformed percent escape
     */
    public static QueryString parse(String raw) throws ClientError {
        if (raw == null) {
            return new QueryString("", NO_NAMES, NO_SPANS, 0);
        }
        int q = raw.indexOf('?');
        return parseQuery(q >= 0 ? raw.substring(q + 1) : raw);
    }

    /**
     * Parses a query that is already only the part after {@code ?} (an HTTP request target's raw query). Unlike
     * {@link #parse}, a {@code ?} inside it is an ordinary character (RFC 3986 allows it in a query): skipping to
     * it would drop every parameter before it, a {@code jwt} or {@code info_hash} among them.
     *
     * @throws ClientError on a malformed percent escape
     */
    public static QueryString parseQuery(String s) throws ClientError {
        if (s == null) {
            return new QueryString("", NO_NAMES, NO_SPANS, 0);
        }
        int n = s.length();
        // room for a typical announce; grown for a longer query (no first pass just to count the '&'s)
        String[] names = new String[INITIAL_PARAMS];
        int[] spans = new int[2 * INITIAL_PARAMS];
        int count = 0;
        // String.indexOf (vectorised) finds the delimiters; escapes are checked in the same pass as they are met
        int i = 0;
        while (i < n) {
            int end = s.indexOf('&', i);
            if (end < 0) {
                end = n;
            }
            for (int k = i; k < end; k++) {
                if (s.charAt(k) == '%') {
                    checkEscape(s, k);
                    k += 2;
                }
            }
            if (end > i) {
                if (count == names.length) {
                    names = Arrays.copyOf(names, 2 * count);
                    spans = Arrays.copyOf(spans, 4 * count);
                }
                int eq = s.indexOf('=', i, end);
                int nameEnd = eq < 0 ? end : eq;
                names[count] = plain(s, i, nameEnd) ? s.substring(i, nameEnd)
                        : new String(decode(s, i, nameEnd), StandardCharsets.UTF_8);
                spans[2 * count] = eq < 0 ? end : eq + 1;
                spans[2 * count + 1] = end;
                count++;
            }
            i = end + 1;
        }
        return new QueryString(s, names, spans, count);
    }

    /** The escape at {@code at} must be {@code %} and two hex digits (neither {@code =} nor {@code &} is one). */
    private static void checkEscape(String s, int at) throws ClientError {
        if (at + 2 >= s.length() || hex(s.charAt(at + 1)) < 0 || hex(s.charAt(at + 2)) < 0) {
            throw ClientError.badRequest("malformed percent-encoding in query");
        }
    }

    /** {@link Character#digit(char, int)} in base 16, with a table for ASCII (every escape a client sends). */
    private static int hex(char c) {
        return c < HEX.length ? HEX[c] : Character.digit(c, 16);
    }

    private static final byte[] HEX = new byte[128];

    static {
        for (int c = 0; c < HEX.length; c++) {
            HEX[c] = (byte) Character.digit(c, 16);
        }
    }

    private int index(String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private byte[] value(int i) throws ClientError {
        return decode(s, spans[2 * i], spans[2 * i + 1]);
    }

    /** Whether {@code s[from, to)} reads as it is: no escape, no {@code +}, no character beyond ASCII. */
    private static boolean plain(String s, int from, int to) {
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c == '%' || c == '+' || c >= 0x80) {
                return false;
            }
        }
        return true;
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
                int hi = hex(s.charAt(i + 1));
                int lo = hex(s.charAt(i + 2));
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
                    out = Arrays.copyOf(out, need);
                }
                System.arraycopy(utf8, 0, out, len, utf8.length);
                len += utf8.length;
            }
        }
        return len == out.length ? out : Arrays.copyOf(out, len);
    }

    public boolean has(String name) {
        return index(name) >= 0;
    }

    /** The first value, raw bytes, or null. */
    public byte[] bytes(String name) {
        int i = index(name);
        return i < 0 ? null : bytes(i);
    }

    /** Every value of a repeated parameter (e.g. scrape's info_hash), in order; empty when absent. */
    public List<byte[]> all(String name) {
        List<byte[]> out = null;
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                if (out == null) {
                    out = new ArrayList<>(4);
                }
                out.add(bytes(i));
            }
        }
        return out == null ? List.of() : out;
    }

    /** The first value as UTF-8 text, or null. */
    public String string(String name) {
        int i = index(name);
        return i < 0 ? null : string(i);
    }

    /**
     * A whole number, or {@code def} when absent. Which values are valid is the request type's rule
     * ({@code AnnounceRequest.of}), not the query's.
     *
     * @throws ClientError naming the parameter when it is not a number
     */
    public long number(String name, long def) throws ClientError {
        int i = index(name);
        return i < 0 ? def : number(i);
    }

    /**
     * How many parameters the query has, repeats included. With {@link #name(int)} and the index forms of the
     * getters, a caller that wants many parameters walks them once instead of searching for each by name.
     */
    public int size() {
        return count;
    }

    /** The {@code i}-th parameter's name, decoded. */
    public String name(int i) {
        return names[checkIndex(i)];
    }

    /** The {@code i}-th value, raw bytes. Escapes were checked by {@link #parse}, so decoding cannot fail. */
    public byte[] bytes(int i) {
        try {
            return value(checkIndex(i));
        } catch (ClientError e) {
            throw new IllegalStateException("escapes are checked when parsing", e);
        }
    }

    /** The {@code i}-th value as UTF-8 text. */
    public String string(int i) {
        int from = spans[2 * checkIndex(i)];
        int to = spans[2 * i + 1];
        return plain(s, from, to) ? s.substring(from, to) : new String(bytes(i), StandardCharsets.UTF_8);
    }

    /**
     * The {@code i}-th value as a whole number.
     *
     * @throws ClientError naming the parameter when it is not a number
     */
    public long number(int i) throws ClientError {
        int from = spans[2 * checkIndex(i)];
        int to = spans[2 * i + 1];
        if (to > from && to - from <= 18) { // the common case, plain digits: no String, no exception path
            long v = 0;
            int k = from;
            for (char c; k < to && (c = s.charAt(k)) >= '0' && c <= '9'; k++) {
                v = v * 10 + (c - '0');
            }
            if (k == to) {
                return v;
            }
        }
        try {
            return Long.parseLong(string(i).strip());
        } catch (NumberFormatException e) {
            throw ClientError.badRequest("invalid " + names[i] + ": not a number");
        }
    }

    private int checkIndex(int i) {
        return java.util.Objects.checkIndex(i, count);
    }

    /**
     * The parameters nobody consumed, for hooks (first value, as UTF-8 text). {@code jwt} reaches the JWT
     * hook this way whichever frontend carried it.
     */
    public RequestMeta meta(Frontend frontend, Set<String> consumed, String bearerToken) {
        return meta(frontend, (Predicate<String>) consumed::contains, bearerToken);
    }

    /** {@link #meta(Frontend, Set, String)} for a caller that tells its own parameters by a rule of its own. */
    public RequestMeta meta(Frontend frontend, Predicate<String> consumed, String bearerToken) {
        Map<String, String> rest = null;
        for (int i = 0; i < count; i++) {
            String name = names[i];
            if (!consumed.test(name)) {
                if (rest == null) {
                    rest = new LinkedHashMap<>();
                }
                if (!rest.containsKey(name)) { // the first value wins
                    rest.put(name, string(i));
                }
            }
        }
        return new RequestMeta(frontend, rest == null ? Map.of() : rest, bearerToken);
    }
}
