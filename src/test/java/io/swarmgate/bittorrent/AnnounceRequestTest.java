package io.swarmgate.bittorrent;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link AnnounceRequest#of} decides, for every frontend, which announce a client may make. */
class AnnounceRequestTest {
    private static final InfoHash TORRENT = InfoHash.fromHex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    private static final PeerId PEER = new PeerId(1, 2, 3);
    private static final IpAddress IP = IpAddress.parse("10.1.2.3");

    private static AnnounceRequest of(long port, long uploaded, long downloaded, long left, long numWant)
            throws ClientError {
        return AnnounceRequest.of(TORRENT, PEER, IP, port, uploaded, downloaded, left, Event.NONE, numWant, true,
                false, RequestMeta.of(Frontend.UDP));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0          | 0  | 0  | 0  | invalid port: must be 1-65535
            65536      | 0  | 0  | 0  | invalid port: must be 1-65535
            -1         | 0  | 0  | 0  | invalid port: must be 1-65535
            6881       | 0  | 0  | -1 | invalid left: must not be negative
            6881       | -1 | 0  | 0  | invalid uploaded: must not be negative
            6881       | 0  | -1 | 0  | invalid downloaded: must not be negative
            0          | -1 | -1 | -1 | invalid port: must be 1-65535
            6881       | -1 | -1 | -1 | invalid left: must not be negative
            """)
    void invalidFieldsAreAClientErrorNamingTheFirst(long port, long uploaded, long downloaded, long left,
                                                     String reason) {
        ClientError e = assertThrows(ClientError.class, () -> of(port, uploaded, downloaded, left, -1));
        assertEquals(ClientError.Kind.BAD_REQUEST, e.kind());
        assertEquals(reason, e.reason());
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "65535, 65535"})
    void portsOneTo65535AreValid(long port, int stored) throws ClientError {
        assertEquals(stored, of(port, 0, 0, 0, -1).peer().port());
    }

    @ParameterizedTest
    @CsvSource({"-1, -1", "-7, -1", "-9223372036854775808, -1", "0, 0", "50, 50", "2147483647, 2147483647",
            "2147483648, 2147483647", "9223372036854775807, 2147483647"})
    void aNegativeNumWantAsksForTheDefaultAndHugeOnesAreCapped(long sent, int kept) throws ClientError {
        assertEquals(kept, of(6881, 0, 0, 0, sent).numWant());
    }

    @ParameterizedTest
    @CsvSource({"0, true", "1, false"})
    void nothingLeftIsASeeder(long left, boolean seeder) throws ClientError {
        assertEquals(seeder, of(6881, 0, 0, left, -1).isSeeder());
    }
}
