package io.swarmgate.hook.approval;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookServices;
import io.swarmgate.hook.ScrapeContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.swarmgate.testing.HookFixtures.announce;
import static io.swarmgate.testing.HookFixtures.hookConfig;
import static io.swarmgate.testing.HookFixtures.infoHash;
import static io.swarmgate.testing.HookFixtures.peerId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ClientApprovalHookTest {
    private final MeterRegistry meters = new SimpleMeterRegistry();

    private Hook hook(String yaml) {
        return ClientApprovalHook.FACTORY.create(hookConfig(yaml),
                new HookServices(InstantSource.system(), () -> null, meters, null));
    }

    private static void announceAs(Hook hook, String peerIdPrefix) throws ClientError {
        hook.announce(new AnnounceContext(announce(infoHash(1), peerIdPrefix, "10.0.0.1"), 1800, 900));
    }

    private double rejected() {
        return meters.counter("swarmgate.approval.rejected", "hook", "client-approval").count();
    }

    @Test
    void allowListAdmitsOnlyListedClients() throws Exception {
        Hook hook = hook("allow: [-qB, -TR4050-]");
        announceAs(hook, "-qB4650-");
        announceAs(hook, "-qB5010-");
        announceAs(hook, "-TR4050-");
        ClientError e = assertThrows(ClientError.class, () -> announceAs(hook, "-TR4060-"));
        assertEquals(ClientError.Kind.UNAPPROVED, e.kind());
        assertEquals("unapproved client", e.reason());
        assertThrows(ClientError.class, () -> announceAs(hook, "-UT3550-"));
        assertEquals(2, rejected());
    }

    @Test
    void denyListRefusesOnlyListedClients() throws Exception {
        Hook hook = hook("deny:\n  - -UT\n  - M7-");
        ClientError e = assertThrows(ClientError.class, () -> announceAs(hook, "-UT3550-"));
        assertEquals("unapproved client", e.reason());
        // Mainline style "M7-1-2--": not Azureus style, so its client id is the first 6 bytes
        assertThrows(ClientError.class, () -> announceAs(hook, "M7-1-2--"));
        announceAs(hook, "-qB4650-");
        announceAs(hook, "-TR4050-");
        assertEquals(2, rejected());
    }

    private static final List<String> ENTRIES = List.of("-qB4650-", "-qB", "-qB465", "-qB4650", "S58B", "S58B--",
            "S58B---", "-", "-qB46", "M7-1-2", "x");

    /**
     * The truth table of which entries list a peer: peer_id (padded with 'x' to 20 bytes) | its client id (8 bytes
     * for the Azureus style {@code -XX1234-}, else 6) | the entries of {@link #ENTRIES} that list it, which are
     * exactly those that are a prefix of the client id. Note "-qB4650x": its bytes start with the entry "-qB4650",
     * but its client id is only "-qB465".
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            -qB4650-   | -qB4650- | -qB4650- -qB -qB465 -qB4650 - -qB46
            -qB4651-   | -qB4651- | -qB -qB465 - -qB46
            -qB465xx   | -qB465   | -qB -qB465 - -qB46
            -qB4650x   | -qB465   | -qB -qB465 - -qB46
            S58B-----  | S58B--   | S58B S58B--
            S58B--x    | S58B--   | S58B S58B--
            M7-1-2--   | M7-1-2   | M7-1-2
            -xxxxxx-   | -xxxxxx- | -
            -qB4650-zz | -qB4650- | -qB4650- -qB -qB465 -qB4650 - -qB46
            xxxxxxxx   | xxxxxx   | x
            --------   | -------- | -
            """)
    void anEntryListsAPeerExactlyWhenItIsAPrefixOfTheClientId(String peerIdPrefix, String clientId,
                                                               String listedBy) {
        PeerId id = peerId(peerIdPrefix);
        assertEquals(clientId, id.clientId());
        Set<String> expected = Set.of(listedBy.split(" "));
        for (String entry : ENTRIES) {
            ClientApprovalHook hook = new ClientApprovalHook(
                    new ClientApprovalConfig(ListMode.ALLOW, List.of(entry)), meters.counter("unused"));
            assertEquals(expected.contains(entry), hook.listed(id), "entry '" + entry + "' against '" + clientId + "'");
        }
    }

    @Test
    void scrapesAreNotCheckedButAnnouncesAre() throws Exception {
        Hook hook = hook("allow: [-qB]");
        ScrapeRequest scrape = new ScrapeRequest(List.of(infoHash(1)), AddressFamily.IPV4,
                RequestMeta.of(Frontend.HTTP));
        hook.scrape(new ScrapeContext(scrape)); // a scrape carries no peer_id to check
        assertEquals(0, rejected());
        assertThrows(ClientError.class, () -> announceAs(hook, "-TR4050-"));
        assertEquals(1, rejected());
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                arguments("both lists", "allow: [-qB]\ndeny: [-UT]", "prehooks.0.config.deny"),
                arguments("neither list", "", "prehooks.0.config"),
                arguments("an empty list", "allow: []", "prehooks.0.config.allow"),
                arguments("an entry longer than a client id", "allow: [-qB4650-x]", "prehooks.0.config.allow"),
                arguments("an entry not printable ASCII", "deny: [\"-qB\\u00e9\"]",
                        "prehooks.0.config.deny"),
                arguments("an unknown key", "allow: [-qB]\nallowed: [-TR]", "prehooks.0.config.allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigIsAStartUpErrorNamingTheKey(String what, String yaml, String key) {
        assertEquals(key, assertThrows(ConfigException.class, () -> hook(yaml)).key());
    }
}
