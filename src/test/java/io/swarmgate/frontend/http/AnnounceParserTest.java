package io.swarmgate.frontend.http;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.frontend.QueryString;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnnounceParserTest {
    static final String HASH = "%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A";
    static final String PEER = "-qB4650-abcdefghijkl";
    private static final IpAddress CLIENT = IpAddress.parse("192.0.2.7");

    private static AnnounceRequest parse(String query) throws ClientError {
        return AnnounceParser.announce(QueryString.parse(query), CLIENT, false, "");
    }

    private static String reason(String query) {
        return assertThrows(ClientError.class, () -> parse(query)).reason();
    }

    private static String base() {
        return "info_hash=" + HASH + "&peer_id=" + PEER + "&port=6881&uploaded=0&downloaded=0&left=100";
    }

    @Test
    void parsesBinaryInfoHashAndDefaults() throws Exception {
        AnnounceRequest r = parse(base() + "&event=started&jwt=abc.def.ghi");
        assertEquals("123456789abcdef123456789abcdef123456789a", r.infoHash().hex());
        assertEquals(6881, r.peer().port());
        assertEquals(CLIENT, r.peer().ip());
        assertEquals(Event.STARTED, r.event());
        assertEquals(-1, r.numWant(), "not given: the tracker's logic picks the default");
        assertTrue(r.compact());
        assertFalse(r.isSeeder());
        assertEquals("abc.def.ghi", r.meta().params().get("jwt"));
        assertFalse(r.meta().params().containsKey("info_hash"));
    }

    @Test
    void numwantIsPassedOnAsAsked() throws Exception {
        assertEquals(100000, parse(base() + "&numwant=100000").numWant());
        assertEquals(-1, parse(base() + "&numwant=-1").numWant());
        assertEquals(-1, parse(base() + "&numwant=-7").numWant());
        assertEquals(12, parse(base() + "&num_want=12").numWant());
        assertEquals(7, parse(base() + "&numwant=7").numWant());
        assertEquals(0, parse(base() + "&numwant=0").numWant());
        assertFalse(parse(base() + "&compact=0").compact());
        assertTrue(parse(base() + "&compact=0&no_peer_id=1").noPeerId());
    }

    @Test
    void everyMistakeSaysWhatWasWrong() {
        assertEquals("missing info_hash", reason("peer_id=" + PEER + "&port=1&left=0"));
        assertEquals("invalid info_hash: must be 20 bytes, got 3", reason("info_hash=abc&peer_id=" + PEER + "&port=1&left=0"));
        assertEquals("missing peer_id", reason("info_hash=" + HASH + "&port=1&left=0"));
        assertEquals("missing port", reason("info_hash=" + HASH + "&peer_id=" + PEER + "&left=0"));
        assertEquals("invalid port: must be 1-65535", reason(base().replace("port=6881", "port=0")));
        assertEquals("invalid port: must be 1-65535", reason(base().replace("port=6881", "port=65536")));
        assertEquals("invalid port: not a number", reason(base().replace("port=6881", "port=http")));
        assertEquals("invalid left: must not be negative", reason(base().replace("left=100", "left=-1")));
        assertEquals("invalid uploaded: must not be negative", reason(base().replace("uploaded=0", "uploaded=-5")));
        assertEquals("missing left", reason(base().replace("&left=100", "")));
        assertTrue(reason(base() + "&event=finished").startsWith("invalid event"));
        assertEquals("invalid numwant: not a number", reason(base() + "&numwant=many"));
        assertEquals("malformed percent-encoding in query", reason(base() + "&x=%G1"));
        assertEquals("malformed percent-encoding in query", reason(base() + "&x=%1"));
    }

    @Test
    void theFirstValueOfARepeatedParameterWinsAndOnlyUnknownParametersReachHooks() throws Exception {
        AnnounceRequest r = parse(base().replace("port=6881", "port=6881&port=7000") + "&left=5&numwant=3&num_want=9"
                + "&key=abc&supportcrypto=1&trackerid=t&jwt=first&jwt=second&note=x");
        assertEquals(6881, r.peer().port());
        assertFalse(r.isSeeder(), "left=100 came first");
        assertEquals(3, r.numWant(), "numwant is read before num_want");
        assertEquals(java.util.Map.of("jwt", "first", "note", "x"), r.meta().params(),
                "protocol parameters the tracker ignores (key, supportcrypto, trackerid) are not for hooks");
        assertEquals(java.util.Map.of(), parse(base() + "&key=abc&corrupt=0").meta().params());
    }

    @Test
    void ipParameterOnlyWhenAllowed() throws Exception {
        QueryString q = QueryString.parse(base() + "&ip=10.9.8.7");
        assertEquals(CLIENT, AnnounceParser.announce(q, CLIENT, false, "").peer().ip());
        assertEquals(IpAddress.parse("10.9.8.7"),
                AnnounceParser.announce(q, CLIENT, true, "").peer().ip());
        QueryString bad = QueryString.parse(base() + "&ip=example.com");
        assertEquals("invalid ip: not an IP address", assertThrows(ClientError.class,
                () -> AnnounceParser.announce(bad, CLIENT, true, "")).reason());
        QueryString v6 = QueryString.parse(base() + "&ip=&ipv6=nope&ipv4=10.1.2.3");
        assertEquals(IpAddress.parse("10.1.2.3"), AnnounceParser.announce(v6, CLIENT, true, "").peer().ip(),
                "an empty ip is skipped; ipv4 is tried before ipv6");
        assertEquals("invalid ipv6: not an IP address", assertThrows(ClientError.class,
                () -> AnnounceParser.announce(QueryString.parse(base() + "&ipv6=nope"), CLIENT, true, "")).reason());
    }

    @Test
    void scrapeValidatesHashes() throws Exception {
        assertEquals(2, AnnounceParser.scrape(QueryString.parse("info_hash=" + HASH + "&info_hash=" + HASH),
                CLIENT, "").infoHashes().size());
        assertTrue(assertThrows(ClientError.class, () -> AnnounceParser.scrape(QueryString.parse(""), CLIENT, ""))
                .reason().startsWith("missing info_hash"));
        assertEquals("invalid info_hash: must be 20 bytes, got 3", assertThrows(ClientError.class,
                () -> AnnounceParser.scrape(QueryString.parse("info_hash=abc"), CLIENT, "")).reason());
    }
}
