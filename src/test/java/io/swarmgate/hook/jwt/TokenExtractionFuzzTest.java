package io.swarmgate.hook.jwt;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.frontend.QueryString;
import io.swarmgate.frontend.http.HttpAnnounceParsing;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpCodecException;
import io.swarmgate.protocol.udp.UdpRequest;
import io.swarmgate.protocol.udp.UdpRequests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import static io.swarmgate.hook.jwt.JwtFixture.ED;
import static io.swarmgate.hook.jwt.JwtFixture.HASH;

/**
 * The jwt token as the hook gets it from an HTTP query ({@code jwt=}, else {@code Authorization: Bearer}) and
 * from BEP 41 URL data over UDP, whatever the client sent. Properties, per input:
 * <ul>
 * <li>a token placed as {@code jwt=<percent-encoded>} among other parameters (whose values may hold any
 *     printable character a URL allows in a query, {@code ?} and {@code /} included) reaches the hook exactly, over
 *     HTTP and over UDP (URL data split into 255-byte options and reassembled);</li>
 * <li>any query or URL data: parsing and the hook throw nothing but {@link ClientError}, and an announce is
 *     admitted only when the token it carried is exactly the registry's token (a changed character is never
 *     admitted, however it decodes).</li>
 * </ul>
 * The first byte picks the case, the rest is split at zero bytes into the parts the case needs. The UDP side is
 * the codec's decoder followed by {@code QueryString.parse(urlData).meta(UDP)}, which is all the UDP frontend
 * does with URL data. Regression mode replays {@code src/test/resources/.../TokenExtractionFuzzTestInputs};
 * JAZZER_FUZZ=1 fuzzes.
 */
class TokenExtractionFuzzTest {
    private static final String BASE = "info_hash=" + percent(HASH.bytes()) + "&peer_id=-XX0001-000000000001"
            + "&port=6881&uploaded=0&downloaded=0&left=10";
    private static final JwtFixture FIXTURE = new JwtFixture();
    private static final JwtHook HOOK = start();
    /** The one token the registry issued for {@link JwtFixture#HASH}. */
    private static final String VALID = FIXTURE.token(ED);

    private static JwtHook start() {
        try {
            Path dir = Files.createTempDirectory("token-fuzz");
            dir.toFile().deleteOnExit();
            Path jwks = Files.writeString(dir.resolve("jwks.json"), JwtFixture.jwks(ED));
            jwks.toFile().deleteOnExit();
            return FIXTURE.start(jwks.toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void theHookSeesExactlyTheTokenSent(byte[] input) throws ClientError {
        if (input.length == 0) {
            return;
        }
        byte[][] parts = split(Arrays.copyOfRange(input, 1, input.length));
        switch (input[0] & 3) {
            case 0 -> embedded(new String(parts[0], StandardCharsets.UTF_8), junk(parts[1]), junk(parts[2]),
                    new String(parts[3], StandardCharsets.ISO_8859_1));
            case 1 -> rawHttp(new String(parts[0], StandardCharsets.ISO_8859_1), new String(parts[1], StandardCharsets.ISO_8859_1));
            case 2 -> rawUdp(parts[0]);
            default -> mutated(parts[0]);
        }
    }

    /** A well-formed placement: the token must arrive unchanged on both frontends. */
    private static void embedded(String token, String before, String after, String bearer) throws ClientError {
        String param = "jwt=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        String query = BASE + "&a=" + before + "&" + param + "&z=" + after;
        String expectedHttp = token.isEmpty() ? bearer : token; // an empty jwt= leaves the bearer token
        AnnounceRequest http = HttpAnnounceParsing.announce(query, bearer);
        check(JwtHook.token(http.meta()).equals(expectedHttp), "HTTP token", query, JwtHook.token(http.meta()));
        decide(http);

        UdpAnnounceRequest sent = udpAnnounce("/announce?" + query);
        ByteBuffer packet = ByteBuffer.allocate(UdpRequests.ANNOUNCE_LENGTH + 3 * sent.urlData().length() + 16);
        UdpRequests.encode(packet, sent);
        packet.flip();
        UdpAnnounceRequest received;
        try {
            received = (UdpAnnounceRequest) UdpRequests.decode(packet);
        } catch (UdpCodecException e) {
            throw new AssertionError("our own announce did not decode: " + e.getMessage(), e);
        }
        check(received.urlData().equals(sent.urlData()), "URL data", sent.urlData(), received.urlData());
        String udpToken = JwtHook.token(udpMeta(received.urlData()));
        check(udpToken.equals(token), "UDP token", query, udpToken);
        decide(announce(udpMeta(received.urlData()), Frontend.UDP));
    }

    private static void rawHttp(String query, String bearer) {
        try {
            decide(HttpAnnounceParsing.announce(BASE + "&" + query, bearer));
        } catch (ClientError refused) {
            // a failure reason for the client
        }
    }

    private static void rawUdp(byte[] options) {
        byte[] head = new byte[UdpRequests.ANNOUNCE_LENGTH];
        ByteBuffer b = ByteBuffer.allocate(UdpRequests.ANNOUNCE_LENGTH + 2 + 255);
        UdpRequests.encode(b, udpAnnounce(""));
        b.flip().get(head);
        byte[] packet = Arrays.copyOf(head, head.length + options.length);
        System.arraycopy(options, 0, packet, head.length, options.length);
        try {
            UdpRequest r = UdpRequests.decode(ByteBuffer.wrap(packet));
            decide(announce(udpMeta(((UdpAnnounceRequest) r).urlData()), Frontend.UDP));
        } catch (UdpCodecException | ClientError refused) {
            // no answer / an error packet
        }
    }

    /** The registry's token with bytes replaced, inserted or cut: admitted only if it is still exactly VALID. */
    private static void mutated(byte[] edits) {
        StringBuilder t = new StringBuilder(VALID);
        for (int i = 0; i + 2 < edits.length; i += 3) {
            int at = (edits[i + 1] & 0xff | (edits[i] & 0x7f) << 8) % (t.length() + 1);
            char c = (char) (edits[i + 2] & 0xff);
            switch (edits[i] >>> 7 & 1 | (edits[i + 2] & 0x80) >>> 6) {
                case 0, 2 -> t.insert(at, (char) (c & 0x7f));
                case 1 -> t.setCharAt(Math.min(at, t.length() - 1), (char) (c & 0x7f));
                default -> t.delete(at, Math.min(t.length(), at + (c & 0x0f) + 1));
            }
            if (t.isEmpty()) {
                return;
            }
        }
        decide(announce(new RequestMeta(Frontend.HTTP, java.util.Map.of("jwt", t.toString()), ""), Frontend.HTTP));
    }

    /** The hook's decision: a refusal is a ClientError; an admission only ever for the registry's token. */
    private static void decide(AnnounceRequest request) {
        try {
            JwtFixture.admit(HOOK, request);
        } catch (ClientError refused) {
            return;
        }
        String token = JwtHook.token(request.meta());
        check(token.equals(VALID), "admitted token", VALID, token);
    }

    private static AnnounceRequest announce(RequestMeta meta, Frontend frontend) {
        return new AnnounceRequest(HASH, new Peer(PeerId.of(new byte[20]), IpAddress.parse("10.1.2.3"), 6881),
                0, 0, 1000, Event.STARTED, 50, true, frontend == Frontend.UDP, meta);
    }

    /** What the UDP frontend makes of URL data: its query's parameters, no bearer token. */
    private static RequestMeta udpMeta(String urlData) throws ClientError {
        return urlData.indexOf('?') < 0 ? RequestMeta.of(Frontend.UDP)
                : QueryString.parse(urlData).meta(Frontend.UDP, Set.of(), "");
    }

    private static UdpAnnounceRequest udpAnnounce(String urlData) {
        return new UdpAnnounceRequest(0x1234, 7, HASH, PeerId.of(new byte[20]), 0, 10, 0, 2, 0, 0, -1, 6881, urlData);
    }

    /** A parameter value of printable ASCII (any of it, {@code ?}, {@code =}, {@code /} included) but no escape or {@code &}. */
    private static String junk(byte[] raw) {
        StringBuilder sb = new StringBuilder(raw.length);
        for (byte b : raw) {
            char c = (char) (b & 0x7f);
            sb.append(c < 0x21 || c == 0x7f || c == '%' || c == '&' ? '_' : c);
        }
        return sb.toString();
    }

    private static byte[][] split(byte[] rest) {
        byte[][] parts = new byte[4][];
        int from = 0;
        for (int p = 0; p < 4; p++) {
            int end = from;
            while (end < rest.length && (rest[end] != 0 || p == 3)) {
                end++;
            }
            parts[p] = Arrays.copyOfRange(rest, Math.min(from, rest.length), Math.min(end, rest.length));
            from = end + 1;
        }
        return parts;
    }

    private static String percent(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append('%').append(Character.forDigit(b >>> 4 & 15, 16)).append(Character.forDigit(b & 15, 16));
        }
        return sb.toString();
    }

    private static void check(boolean ok, String what, String expected, String actual) {
        if (!ok) {
            throw new AssertionError(what + ": expected from <" + expected + ">, got <" + actual + ">");
        }
    }
}
