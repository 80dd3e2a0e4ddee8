package io.swarmgate.frontend.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.frontend.QueryString;

import java.nio.charset.StandardCharsets;

/**
 * The query parser and the announce and scrape parsers never throw anything but {@link ClientError} (a failure
 * reason the client reads), whatever the query string. The bytes are read as ISO-8859-1, as a request target
 * arrives. Regression mode replays {@code src/test/resources/.../AnnounceParserFuzzTestInputs}; JAZZER_FUZZ=1 fuzzes.
 */
class AnnounceParserFuzzTest {
    private static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");

    @FuzzTest(maxDuration = "30s")
    void parsersThrowOnlyClientError(byte[] raw) {
        String query = new String(raw, StandardCharsets.ISO_8859_1);
        try {
            QueryString q = QueryString.parse(query);
            try {
                AnnounceParser.announce(q, CLIENT, true, "");
            } catch (ClientError expected) {
                // a failure reason
            }
            AnnounceParser.scrape(q, CLIENT, "");
        } catch (ClientError expected) {
            // a failure reason
        }
    }
}
