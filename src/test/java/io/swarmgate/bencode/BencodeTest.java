package io.swarmgate.bencode;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BencodeTest {

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void dictionaryKeysAreSortedAsRawBytesWhateverTheInsertionOrder() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("peers6", "");
        m.put("min interval", 900);
        m.put("peers", "");
        m.put("interval", 1800);
        m.put("complete", 1);
        m.put("incomplete", 2);
        assertEquals("d8:completei1e10:incompletei2e8:intervali1800e12:min intervali900e5:peers0:6:peers60:e",
                s(Bencode.encode(m)));
    }

    @Test
    void binaryKeysSortUnsignedSoHighBytesComeLast() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put(new byte[] {(byte) 0xff}, 1);
        m.put(new byte[] {0x01}, 2);
        m.put(new byte[] {(byte) 0x80}, 3);
        assertEquals("d1:\u0001i2e1:\u0080i3e1:\u00ffi1ee", s(Bencode.encode(m)));
    }

    @Test
    void roundTripsNestedValues() {
        Map<String, Object> m = Map.of("a", List.of(1L, "x".getBytes(StandardCharsets.UTF_8), List.of()),
                "b", -42L, "c", Map.of("z", 0L));
        Map<String, Object> back = Bencode.decodeDict(Bencode.encode(m));
        assertEquals(-42L, back.get("b"));
        assertEquals(Map.of("z", 0L), back.get("c"));
        List<?> a = (List<?>) back.get("a");
        assertEquals(1L, a.get(0));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), (byte[]) a.get(1));
    }

    @Test
    void rejectsMalformedAndUnsortedInput() {
        for (String bad : new String[] {"", "i12", "5:abc", "d1:ai1e", "d1:bi1e1:ai2ee", "x", "i1ei2e", "l",
                "d1:ai1e1:ai2ee", "di1ei2ee", "99999999999999999999999:"}) {
            assertThrows(BencodeException.class, () -> Bencode.decode(bad.getBytes(StandardCharsets.ISO_8859_1)),
                    bad);
        }
    }

    @Test
    void decoderNeverThrowsAnythingElseForAnyInput() {
        Random random = new Random(7);
        byte[] alphabet = "ide0123456789:lx-".getBytes(StandardCharsets.US_ASCII);
        for (int len = 0; len < 512; len++) {
            for (int round = 0; round < 20; round++) {
                byte[] b = new byte[len];
                for (int i = 0; i < len; i++) {
                    b[i] = round % 2 == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt();
                }
                try {
                    Bencode.decode(b);
                } catch (BencodeException expected) {
                    // the codec's own error type is the only allowed failure
                }
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 1, 9, 10, 99, 100, 1800, -1, -10, 2147483647L,
            Long.MAX_VALUE, Long.MIN_VALUE, -9223372036854775807L})
    void anIntegerWrittenIntoAnArrayIsItsBencodedText(long v) {
        byte[] out = new byte[Bencode.intLength(v) + 2];
        int end = Bencode.putInt(out, 1, v);
        assertEquals(out.length - 1, end, "intLength is what putInt writes");
        assertEquals("i" + v + "e", s(java.util.Arrays.copyOfRange(out, 1, end)));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 6, 9, 10, 300, 1000})
    void aByteStringWrittenIntoAnArrayIsLengthColonBytes(int length) {
        byte[] src = new byte[length + 3];
        java.util.Arrays.fill(src, (byte) 'x');
        byte[] out = new byte[Bencode.bytesLength(length)];
        assertEquals(out.length, Bencode.putBytes(out, 0, src, length));
        assertEquals(length + ":" + "x".repeat(length), s(out));
    }
}
