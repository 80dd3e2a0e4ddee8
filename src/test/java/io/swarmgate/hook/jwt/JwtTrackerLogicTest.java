package io.swarmgate.hook.jwt;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.AnnounceResponse;
import io.swarmgate.bittorrent.PeerCollector;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.config.HookSpec;
import io.swarmgate.config.TrackerConfig;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookRegistry;
import io.swarmgate.logic.TrackerLogic;
import io.swarmgate.storage.memory.MemoryPeerStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.swarmgate.hook.jwt.JwtFixture.ED;
import static io.swarmgate.hook.jwt.JwtFixture.HASH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jwt prehook found by name in the built-in registry and run by the tracker logic, as the tracker does. */
class JwtTrackerLogicTest {
    @TempDir
    Path dir;

    private static AnnounceRequest announce(int peer, String token) {
        byte[] id = new byte[20];
        id[19] = (byte) peer;
        return new AnnounceRequest(HASH, new Peer(PeerId.of(id), IpAddress.parse("10.0.0." + peer), 6881),
                0, 0, peer == 1 ? 0 : 100, Event.STARTED, 50, true, false,
                new RequestMeta(Frontend.HTTP, token == null ? Map.of() : Map.of("jwt", token), ""));
    }

    @Test
    void onlyTokenHoldersJoinTheSwarm() throws Exception {
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, JwtFixture.jwks(ED));
        try (JwtFixture f = new JwtFixture()) {
            HookSpec spec = HookSpec.list(JwtFixture.config("issuer: " + JwtFixture.ISSUER,
                    "audience: " + JwtFixture.AUDIENCE, "jwk-set-url: " + jwks.toUri(),
                    "jwk-set-max-stale: 1h").get("prehooks"), "prehooks").get(0);
            Hook hook = new HookRegistry(List.of(JwtHook.FACTORY)).factory(spec.name(), spec.nameKey()).create(spec.config(), f.services());
            MemoryPeerStore store = new MemoryPeerStore(Duration.ofMinutes(31), f.clock, java.util.SplittableRandom::new);
            try (TrackerLogic logic = new TrackerLogic(TrackerConfig.DEFAULTS, store, List.of(hook), List.of())) {
                String token = f.token(ED);
                AnnounceRequest seeder = announce(1, token);
                logic.afterAnnounce(logic.announce(seeder, new PeerCollector()));

                ClientError refused = assertThrows(ClientError.class, () -> logic.announce(announce(2, null), new PeerCollector()));
                assertEquals("missing jwt", refused.reason());

                PeerCollector handed = new PeerCollector();
                AnnounceResponse answer = logic.announce(announce(3, token), handed).response();
                assertEquals(1, answer.complete());
                assertEquals(List.of(seeder.peer()), handed.peers());
                assertEquals(List.of(), logic.notReadyReasons());

                // the key file disappears and stays away past jwk-set-max-stale: the tracker reports not ready
                Files.delete(jwks);
                f.clock.advance(Duration.ofMinutes(61));
                ((JwtHook) hook).keys().refresh();
                assertTrue(logic.notReadyReasons().get(0).startsWith("jwt: JWK set from file:"),
                        logic.notReadyReasons().toString());
                assertEquals("jwt signing keys unavailable",
                        assertThrows(ClientError.class, () -> logic.announce(announce(3, token), new PeerCollector()))
                                .reason());
            }
        }
    }
}
