package io.swarmgate.frontend;

import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.RequestMeta;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryStringTest {
    /** Found by AnnounceParserFuzzTest: raw non-ASCII characters followed by ASCII overran the value's buffer. */
    @Test
    void rawNonAsciiCharactersAreTheirUtf8BytesWhateverFollows() throws Exception {
        QueryString q = QueryString.parse("port=\u00fe\u00ff\u00ff\u00ff6881&x=\u00e9a%41");
        assertArrayEquals("\u00fe\u00ff\u00ff\u00ff6881".getBytes(StandardCharsets.UTF_8), q.bytes("port"));
        assertArrayEquals("\u00e9aA".getBytes(StandardCharsets.UTF_8), q.bytes("x"));
    }

    @Test
    void aQuestionMarkInsideAnHttpQueryIsAnOrdinaryCharacter() throws Exception {
        // regression (found writing TokenExtractionFuzzTest): the HTTP frontend's raw query went through parse(),
        // which skips to the first '?', so "jwt=T&note=a?b" lost jwt and everything else before the '?'
        QueryString http = QueryString.parseQuery("jwt=T&info_hash=x&note=a?b&z=1");
        assertEquals("T", http.string("jwt"));
        assertEquals("x", http.string("info_hash"));
        assertEquals("a?b", http.string("note"));
        // BEP 41 URL data is a path and a query: there the first '?' ends the path
        QueryString udp = QueryString.parse("/announce?jwt=T&note=a?b");
        assertEquals("T", udp.string("jwt"));
        assertEquals("a?b", udp.string("note"));
    }

    @Test
    void valuesArePercentDecodedBytesAndPlusIsASpace() throws Exception {
        QueryString q = QueryString.parse("/announce?info_hash=%00%ff%7Fa&key=a+b%20c&flag&=empty-name&e=");
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x7f, 'a'}, q.bytes("info_hash"));
        assertEquals("a b c", q.string("key"));
        assertTrue(q.has("flag"));
        assertArrayEquals(new byte[0], q.bytes("flag"));
        assertEquals("empty-name", q.string(""));
        assertEquals("", q.string("e"));
        assertFalse(q.has("missing"));
        assertNull(q.bytes("missing"));
        assertNull(q.string("missing"));
    }

    @Test
    void theIndexFormsReadTheParametersInOrderAsTheNameFormsDo() throws Exception {
        QueryString q = QueryString.parse("a=1&b=%41+B&a=2&n%5Fm=99&bad=x1");
        assertEquals(5, q.size());
        assertEquals(List.of("a", "b", "a", "n_m", "bad"),
                java.util.stream.IntStream.range(0, q.size()).mapToObj(q::name).toList());
        assertEquals("A B", q.string(1));
        assertArrayEquals(new byte[] {'A', ' ', 'B'}, q.bytes(1));
        assertEquals(2, q.number(2));
        assertEquals(99, q.number(3));
        assertEquals("invalid bad: not a number", assertThrows(ClientError.class, () -> q.number(4)).reason());
        assertThrows(IndexOutOfBoundsException.class, () -> q.name(5));
    }

    @Test
    void aQueryWithManyParametersKeepsThemAll() throws Exception {
        String query = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "p" + i + "=" + i)
                .collect(java.util.stream.Collectors.joining("&"));
        QueryString q = QueryString.parseQuery(query + "&last=%41");
        assertEquals(41, q.size());
        assertEquals(39, q.number("p39", -1));
        assertEquals("A", q.string("last"));
    }

    @Test
    void namesAreDecodedAndCaseSensitive() throws Exception {
        QueryString q = QueryString.parse("info%5Fhash=a&Port=1&n+m=2");
        assertEquals("a", q.string("info_hash"));
        assertNull(q.string("port"));
        assertEquals("1", q.string("Port"));
        assertEquals("2", q.string("n m"));
    }

    @Test
    void aRepeatedParameterKeepsEveryValueInOrderAndTheFirstWins() throws Exception {
        QueryString q = QueryString.parse("info_hash=a&x=1&info_hash=b&info_hash=%63&x=2");
        assertEquals(List.of("a", "b", "c"),
                q.all("info_hash").stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        assertEquals("1", q.string("x"));
        assertEquals(List.of(), q.all("nothing"));
        RequestMeta meta = q.meta(Frontend.HTTP, Set.of("info_hash"), null);
        assertEquals(Map.of("x", "1"), meta.params());
    }

    @Test
    void metaCarriesOnlyWhatNobodyConsumed() throws Exception {
        QueryString q = QueryString.parse("port=1&jwt=abc.def&left=0&trackerid=%41");
        RequestMeta meta = q.meta(Frontend.UDP, Set.of("port", "left"), "tok");
        assertEquals(Map.of("jwt", "abc.def", "trackerid", "A"), meta.params());
        assertEquals("tok", meta.bearerToken());
        assertEquals(Map.of(), QueryString.parse("port=1").meta(Frontend.HTTP, Set.of("port"), "").params());
    }

    /** Every malformed escape is refused, wherever it is and whether or not anybody reads that parameter. */
    @ParameterizedTest
    @ValueSource(strings = {"a=%", "a=%4", "a=%4g", "a=%g4", "x=1&unused=%zz", "%=1", "a%4=1", "a=%4&b=1",
            "a=%%41", "n%2=v"})
    void malformedEscapesAreClientErrors(String query) {
        ClientError e = assertThrows(ClientError.class, () -> QueryString.parse(query));
        assertEquals("malformed percent-encoding in query", e.reason());
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0", "7, 7", "007, 7", "6881, 6881", "123456789012345678, 123456789012345678",
            // past the digit fast path: a 19-digit number, a space around it, an escaped digit
            "1234567890123456789, 1234567890123456789", "+42, 42", "42+, 42", "%34%32, 42",
            "9223372036854775807, 9223372036854775807",
            // a sign is the request type's business (AnnounceRequest.of refuses negative counts), not the query's
            "-1, -1", "%2D5, -5"})
    void numbersAreParsedWhateverTheirSpelling(String raw, long expected) throws Exception {
        assertEquals(expected, QueryString.parse("n=" + raw).number("n", -1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "12a | invalid n: not a number",
            "'' | invalid n: not a number",
            "9223372036854775808 | invalid n: not a number",
            "1.5 | invalid n: not a number"})
    void badNumbersNameTheParameter(String raw, String reason) {
        ClientError e = assertThrows(ClientError.class, () -> QueryString.parse("n=" + raw).number("n", 0));
        assertEquals(reason, e.reason());
    }

    @Test
    void anAbsentNumberIsTheDefault() throws Exception {
        assertEquals(50, QueryString.parse("a=1").number("n", 50));
        assertEquals(0, QueryString.parse(null).number("n", 0));
    }
}
