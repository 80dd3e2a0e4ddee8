package io.swarmgate.hook.subnet;

import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.swarmgate.testing.HookFixtures.announce;
import static io.swarmgate.testing.HookFixtures.hookConfig;
import static io.swarmgate.testing.HookFixtures.infoHash;
import static io.swarmgate.testing.HookFixtures.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubnetPreferenceHookTest {

    private static Hook hook(String yaml) throws Exception {
        return SubnetPreferenceHook.FACTORY.create(hookConfig(yaml), services(null, null));
    }

    private static PeerPreference preferenceFor(Hook hook, String ip) throws Exception {
        AnnounceContext ctx = new AnnounceContext(announce(infoHash(1), "-qB4650-", ip), 1800, 900);
        hook.announce(ctx);
        return ctx.preference();
    }

    @Test
    void ipv4AnnouncerGetsIpv4TiersAndIpv6AnnouncerGetsIpv6Tiers() throws Exception {
        Hook hook = hook("ipv4-prefixes: [28, 20, 8]\nipv6-prefixes: [56, 40]");
        assertEquals(List.of(28, 20, 8), preferenceFor(hook, "127.1.1.5").prefixes());
        assertEquals(List.of(56, 40), preferenceFor(hook, "2001:db8::5").prefixes());
        // an IPv4-mapped IPv6 address is an IPv4 peer (IpAddress normalises it), so it gets the IPv4 tiers
        assertEquals(List.of(28, 20, 8), preferenceFor(hook, "::ffff:10.0.0.1").prefixes());
    }

    @Test
    void absentKeysTakeTheDefaults() throws Exception {
        Hook hook = hook("");
        assertEquals(List.of(24, 16), preferenceFor(hook, "10.1.2.3").prefixes());
        assertEquals(List.of(64, 48), preferenceFor(hook, "2001:db8::1").prefixes());
        // the bridge rule is on by default: a rack of 2 is served from within, else 2 peers from farther away
        assertEquals(new PeerPreference(List.of(24, 16), 2, 2), preferenceFor(hook, "10.1.2.3"));
        assertEquals(new PeerPreference(List.of(64, 48), 2, 2), preferenceFor(hook, "2001:db8::1"));
    }

    @Test
    void theBridgeRuleHasItsKnobs() throws Exception {
        Hook hook = hook("rack-quorum: 3\nbridge-peers: 1");
        PeerPreference p = preferenceFor(hook, "10.1.2.3");
        assertEquals(List.of(1, 1, 1, 0), List.of(p.farLimit(0, false), p.farLimit(1, false), p.farLimit(2, false),
                p.farLimit(3, false)));
        assertEquals(0, p.farLimit(1, true), "a rack holding a seeder takes nothing from outside");
        PeerPreference seeded = preferenceFor(hook("rack-quorum: 3\nseeded-rack-bridges: 1"), "10.1.2.3");
        assertEquals(List.of(1, 1, 0), List.of(seeded.farLimit(1, true), seeded.farLimit(2, true),
                seeded.farLimit(3, true)), "seeded-rack-bridges while the rack is below its quorum");
        assertEquals(2, seeded.farLimit(1, false));
        PeerPreference off = preferenceFor(hook("rack-quorum: 0"), "10.1.2.3");
        assertEquals(Integer.MAX_VALUE, off.farLimit(0, true), "rack-quorum 0 turns the rule off");
        ConfigException e = assertThrows(ConfigException.class, () -> hook("bridge-peers: -1"));
        assertEquals("prehooks.0.config.bridge-peers", e.key());
        e = assertThrows(ConfigException.class, () -> hook("rack-quorum: many"));
        assertEquals("prehooks.0.config.rack-quorum", e.key());
        e = assertThrows(ConfigException.class, () -> hook("seeded-rack-bridges: -2"));
        assertEquals("prehooks.0.config.seeded-rack-bridges", e.key());
    }

    @Test
    void anEmptyListMeansNoPreferenceForThatFamilyOnly() throws Exception {
        Hook hook = hook("ipv4-prefixes: []\nipv6-prefixes: [64]");
        assertTrue(preferenceFor(hook, "10.1.2.3").isNone());
        assertEquals(List.of(64), preferenceFor(hook, "2001:db8::1").prefixes());
    }

    /** Prefixes out of range, tiers that are not nearest first, and unknown keys are refused, naming the key. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "ipv4-prefixes: [33, 16]   | prehooks.0.config.ipv4-prefixes | ''",
            "ipv4-prefixes: [24, 0]    | prehooks.0.config.ipv4-prefixes | ''",
            "ipv6-prefixes: [129]      | prehooks.0.config.ipv6-prefixes | ''",
            "ipv6-prefixes: [64, wide] | prehooks.0.config.ipv6-prefixes | ''",
            "ipv4-prefixes: [16, 24]   | prehooks.0.config.ipv4-prefixes | strictly decreasing",
            "ipv6-prefixes: [64, 64]   | prehooks.0.config.ipv6-prefixes | strictly decreasing",
            "ipv4-prefix: [24]         | prehooks.0.config.ipv4-prefix   | ''"})
    void refusesBadConfigNamingTheKey(String yaml, String key, String says) {
        ConfigException e = assertThrows(ConfigException.class, () -> hook(yaml));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }
}
