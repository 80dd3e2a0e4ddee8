package io.swarmgate.bencode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bencoding (BEP 3) in both directions. Values are {@code Long} (or any integral {@code Number}),
 * {@code byte[]} or {@code String} (UTF-8) for byte strings, {@code List} and {@code Map} with string or
 * byte[] keys. Dictionaries are always written with keys sorted as raw byte strings, as BEP 3 requires:
 * strict clients (libtorrent among them) refuse unsorted dictionaries. The decoder returns byte strings as
 * {@code byte[]} and dictionaries as a {@link TreeMap} keyed by {@link String} (ISO-8859-1, so any key
 * bytes round-trip).
 */
public final class Bencode {
    private static final int MAX_DEPTH = 64;

    private Bencode() {
    }

    public static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(out, value);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object value) {
        switch (value) {
            case byte[] b -> writeBytes(out, b);
            case String s -> writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
            case Integer i -> writeInt(out, i);
            case Long l -> writeInt(out, l);
            case Short s -> writeInt(out, s);
            case Byte b -> writeInt(out, b);
            case List<?> list -> {
                out.write('l');
                for (Object item : list) {
                    write(out, item);
                }
                out.write('e');
            }
            case Map<?, ?> map -> {
                TreeMap<byte[], Object> sorted = new TreeMap<>(Arrays::compareUnsigned);
                map.forEach((k, v) -> {
                    byte[] key = switch (k) {
                        case byte[] b -> b;
                        case String s -> s.getBytes(StandardCharsets.UTF_8);
                        default -> throw new IllegalArgumentException("dictionary keys must be strings");
                    };
                    if (sorted.put(key, v) != null) {
                        throw new IllegalArgumentException("duplicate dictionary key");
                    }
                });
                out.write('d');
                sorted.forEach((k, v) -> {
                    writeBytes(out, k);
                    write(out, v);
                });
                out.write('e');
            }
            default -> throw new IllegalArgumentException("cannot bencode " + value.getClass().getName());
        }
    }

    /** Writes {@code i<v>e}: for writers that emit a dictionary's keys in order themselves. */
    public static void writeInt(ByteArrayOutputStream out, long v) {
        out.write('i');
        out.writeBytes(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
        out.write('e');
    }

    /** Writes the first {@code length} bytes of {@code b} as a byte string, {@code <length>:<bytes>}. */
    public static void writeBytes(ByteArrayOutputStream out, byte[] b, int length) {
        out.writeBytes(Integer.toString(length).getBytes(StandardCharsets.US_ASCII));
        out.write(':');
        out.write(b, 0, length);
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        writeBytes(out, b, b.length);
    }

    /** How many bytes {@link #putInt} writes for {@code v}: {@code i<digits>e}. */
    public static int intLength(long v) {
        return 2 + Decimal.length(v);
    }

    /** How many bytes {@link #putBytes} writes for a byte string of {@code length} bytes. */
    public static int bytesLength(int length) {
        return Decimal.length(length) + 1 + length;
    }

    /** Writes {@code i<v>e} into {@code dst} at {@code pos}; returns the position after it. */
    public static int putInt(byte[] dst, int pos, long v) {
        dst[pos++] = 'i';
        pos = Decimal.put(dst, pos, v);
        dst[pos++] = 'e';
        return pos;
    }

    /** Writes {@code <length>:} and the first {@code length} bytes of {@code src}; returns the position after. */
    public static int putBytes(byte[] dst, int pos, byte[] src, int length) {
        pos = Decimal.put(dst, pos, length);
        dst[pos++] = ':';
        System.arraycopy(src, 0, dst, pos, length);
        return pos + length;
    }

    /**
     * Decodes exactly one value spanning all of {@code data}.
     *
     * @throws BencodeException for malformed or trailing input
     */
    public static Object decode(byte[] data) {
        Reader r = new Reader(data);
        Object v = r.value(0);
        if (r.pos != data.length) {
            throw new BencodeException("trailing bytes after value at offset " + r.pos);
        }
        return v;
    }

    /** Decodes a dictionary (the shape of every tracker response). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decodeDict(byte[] data) {
        Object v = decode(data);
        if (!(v instanceof Map)) {
            throw new BencodeException("not a dictionary");
        }
        return (Map<String, Object>) v;
    }

    private static final class Reader {
        private final byte[] data;
        private int pos;

        Reader(byte[] data) {
            this.data = data;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw new BencodeException("nested too deeply");
            }
            if (pos >= data.length) {
                throw new BencodeException("unexpected end of input");
            }
            byte c = data[pos];
            if (c == 'i') {
                pos++;
                long v = number('e');
                return v;
            }
            if (c == 'l') {
                pos++;
                List<Object> list = new ArrayList<>();
                while (peek() != 'e') {
                    list.add(value(depth + 1));
                }
                pos++;
                return list;
            }
            if (c == 'd') {
                pos++;
                TreeMap<String, Object> map = new TreeMap<>();
                String previous = null;
                while (peek() != 'e') {
                    if (!(peek() >= '0' && peek() <= '9')) {
                        throw new BencodeException("dictionary key must be a string at offset " + pos);
                    }
                    String key = new String(string(), StandardCharsets.ISO_8859_1);
                    if (previous != null && previous.compareTo(key) >= 0) {
                        throw new BencodeException("dictionary keys not sorted or duplicated at '" + key + "'");
                    }
                    previous = key;
                    map.put(key, value(depth + 1));
                }
                pos++;
                return map;
            }
            if (c >= '0' && c <= '9') {
                return string();
            }
            throw new BencodeException("unexpected byte '" + (char) c + "' at offset " + pos);
        }

        private byte peek() {
            if (pos >= data.length) {
                throw new BencodeException("unexpected end of input");
            }
            return data[pos];
        }

        private byte[] string() {
            long len = number(':');
            if (len < 0 || len > data.length - pos) {
                throw new BencodeException("string length " + len + " exceeds input");
            }
            byte[] b = Arrays.copyOfRange(data, pos, pos + (int) len);
            pos += (int) len;
            return b;
        }

        private long number(char end) {
            int start = pos;
            while (pos < data.length && data[pos] != end) {
                pos++;
            }
            if (pos >= data.length || pos == start || pos - start > 20) {
                throw new BencodeException("malformed number at offset " + start);
            }
            String s = new String(data, start, pos - start, StandardCharsets.US_ASCII);
            pos++;
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new BencodeException("malformed number '" + s + "'");
            }
        }
    }
}
