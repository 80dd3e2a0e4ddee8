package io.swarmgate.frontend;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class QueryStringTest {
    /** Found by AnnounceParserFuzzTest: raw non-ASCII characters followed by ASCII overran the value's buffer. */
    @Test
    void rawNonAsciiCharactersAreTheirUtf8BytesWhateverFollows() throws Exception {
        QueryString q = QueryString.parse("port=\u00fe\u00ff\u00ff\u00ff6881&x=\u00e9a%41");
        assertArrayEquals("\u00fe\u00ff\u00ff\u00ff6881".getBytes(StandardCharsets.UTF_8), q.bytes("port"));
        assertArrayEquals("\u00e9aA".getBytes(StandardCharsets.UTF_8), q.bytes("x"));
    }
}
