package io.swarmgate.hook.subnet;

import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static io.swarmgate.testing.HookFixtures.announce;
import static io.swarmgate.testing.HookFixtures.hookConfig;
import static io.swarmgate.testing.HookFixtures.infoHash;
import static io.swarmgate.testing.HookFixtures.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopologyMapTest {
    @TempDir
    Path dir;

    private static Hook hook(String yaml) throws Exception {
        return SubnetPreferenceHook.FACTORY
                .create(hookConfig(yaml), services(null, null));
    }

    private static PeerPreference preferenceFor(Hook hook, String ip) throws Exception {
        AnnounceContext ctx = new AnnounceContext(announce(infoHash(1), "-qB4650-", ip), 1800, 900);
        hook.announce(ctx);
        return ctx.preference();
    }

    private static final String MAP = """
            topology:
              - {cidr: 10.1.0.0/16, path: [dc1]}
              - {cidr: 10.1.0.0/26, path: [dc1, pod3, rack17]}
              - {cidr: 10.9.3.0/24, path: [dc1, pod3, rack17]}
              - {cidr: 10.1.0.64/26, path: [dc1, pod3, rack18]}
              - {cidr: "2001:db8:1::/48", path: [dc2, rack1]}
            """;

    @Test
    void theLongestMatchingNetworkPlacesTheAnnouncer() throws Exception {
        Hook hook = hook(MAP);
        List<String> rack17 = List.of("dc1/pod3/rack17", "dc1/pod3", "dc1");
        assertEquals(rack17, preferenceFor(hook, "10.1.0.5").groups());
        assertEquals(rack17, preferenceFor(hook, "10.9.3.250").groups(), "a rack may be several networks");
        assertEquals(List.of("dc1/pod3/rack18", "dc1/pod3", "dc1"), preferenceFor(hook, "10.1.0.127").groups());
        assertEquals(List.of("dc1"), preferenceFor(hook, "10.1.0.128").groups(), "the /16 where no /26 is");
        assertEquals(List.of("dc2/rack1", "dc2"), preferenceFor(hook, "2001:db8:1:ff::1").groups());
        // the bridge rule applies to group tiers the same way (defaults 2, 2)
        assertEquals(PeerPreference.ofGroups(rack17, 2, 2), preferenceFor(hook, "10.1.0.5"));
        // unplaced addresses fall back to the prefix tiers of their family
        assertEquals(new PeerPreference(List.of(24, 16), 2, 2), preferenceFor(hook, "10.2.0.1"));
        assertEquals(new PeerPreference(List.of(64, 48), 2, 2), preferenceFor(hook, "2001:db8:2::1"));
        assertEquals(List.of(24, 16), preferenceFor(hook, "::ffff:10.2.0.1").prefixes());
    }

    @Test
    void aLargeMapIsLookedUpByPrefixLengthNotByEntry() {
        List<TopologyMap.Entry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            IpAddress net = IpAddress.ipv4(0x0a000000 | i << 6);
            entries.add(new TopologyMap.Entry("entry " + i, net, 26, List.of("dc" + i / 1000, "rack" + i)));
        }
        TopologyMap map = new TopologyMap(entries, SubnetPreferenceConfig.DEFAULTS);
        assertEquals(List.of("dc12/rack12345", "dc12"), map.lookup(IpAddress.ipv4(0x0a000000 | 12345 << 6 | 7)).groups());
        assertNull(map.lookup(IpAddress.parse("11.0.0.1")));
        assertNull(map.lookup(IpAddress.parse("fd00::1")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            - {cidr: 10.1.0.5/24, path: [a]}              | entry 0 (cidr 10.1.0.5/24): host bits are set, the network is 10.1.0.0/24
            - {cidr: 10.1.0.0/33, path: [a]}              | entry 0 (cidr 10.1.0.0/33): the prefix length must be a whole number from 0 to 32
            - {cidr: 10.1.0.0, path: [a]}                 | entry 0 (cidr 10.1.0.0): expected address/prefix-length
            - {cidr: rack.example/24, path: [a]}          | entry 0 (cidr rack.example/24):
            - {path: [a]}                                 | entry 0 (cidr missing): set cidr
            - {cidr: 10.1.0.0/24, path: []}               | entry 0 (cidr 10.1.0.0/24): path must list 1 to 8 labels
            - {cidr: 10.1.0.0/24, path: [dc1, 'rack 7']}  | entry 0 (cidr 10.1.0.0/24): label 'rack 7' must be
            - {cidr: 10.1.0.0/24, path: [a], rack: b}     | entry 0 (cidr 10.1.0.0/24): prehooks.0.config.topology.1.rack: unknown key
            """)
    void aBadEntryIsNamedByIndexAndCidr(String entry, String message) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> hook("topology:\n  - {cidr: 10.0.0.0/8, path: [ok]}\n  " + entry));
        assertEquals("prehooks.0.config.topology", e.key());
        String expected = message.replace("entry 0", "entry 1");
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void twoEntriesForOneNetworkAreRefusedNamingBoth() {
        ConfigException e = assertThrows(ConfigException.class, () -> hook("""
                topology:
                  - {cidr: 10.1.0.0/24, path: [a]}
                  - {cidr: 10.2.0.0/24, path: [b]}
                  - {cidr: 10.1.0.0/24, path: [c]}
                """));
        assertTrue(e.getMessage().contains(
                "entry 2 (cidr 10.1.0.0/24): the same network as entry 0 (cidr 10.1.0.0/24)"), e.getMessage());
    }

    private static void write(Path file, String content) throws Exception {
        FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        Files.writeString(file, content);
        if (before != null) {
            Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));
        }
    }

    @Test
    void theFileIsReloadedWhenItChangesAndABadVersionKeepsTheMapInUse() throws Exception {
        Path file = dir.resolve("topology.yaml");
        write(file, "topology:\n  - {cidr: 10.1.0.0/24, path: [dc1, rack1]}\n");
        SubnetPreferenceHook hook = (SubnetPreferenceHook) hook("""
                topology: [{cidr: 10.7.0.0/24, path: [dc9, rack9]}]
                topology-file: %s
                topology-reload-interval: 1h
                """.formatted(file));
        try {
            assertEquals(List.of("dc1/rack1", "dc1"), preferenceFor(hook, "10.1.0.1").groups());
            assertEquals(List.of("dc9/rack9", "dc9"), preferenceFor(hook, "10.7.0.1").groups(), "configured too");
            assertFalse(hook.reloadIfChanged(), "nothing changed yet");

            write(file, "topology:\n  - {cidr: 10.1.0.0/24, path: [dc1, rack2]}\n");
            assertTrue(hook.reloadIfChanged());
            assertEquals(List.of("dc1/rack2", "dc1"), preferenceFor(hook, "10.1.0.1").groups());

            // a bad entry (and a network the configuration already has): the previous map stays in use
            write(file, "topology:\n  - {cidr: 10.1.0.0/24, path: [dc1, rack3]}\n  - {cidr: 10.1.0.9/24, path: [x]}\n");
            assertFalse(hook.reloadIfChanged());
            write(file, "topology:\n  - {cidr: 10.7.0.0/24, path: [x]}\n");
            assertFalse(hook.reloadIfChanged());
            assertEquals(List.of("dc1/rack2", "dc1"), preferenceFor(hook, "10.1.0.1").groups());

            // YAML that is no mapping: a list, and an alias inside its own anchor (which overflowed the
            // reloader's stack, an Error that ended the reloading): refused like a bad entry, and reloading goes on
            write(file, "- {cidr: 10.1.0.0/24, path: [dc1, rack4]}\n");
            assertFalse(hook.reloadIfChanged());
            write(file, "topology: []\nloop: &a {self: *a}\n");
            assertFalse(hook.reloadIfChanged());
            assertEquals(List.of("dc1/rack2", "dc1"), preferenceFor(hook, "10.1.0.1").groups());
            write(file, "topology:\n  - {cidr: 10.1.0.0/24, path: [dc1, rack5]}\n");
            assertTrue(hook.reloadIfChanged());
            assertEquals(List.of("dc1/rack5", "dc1"), preferenceFor(hook, "10.1.0.1").groups());

            // an empty file leaves the configured entries
            write(file, "");
            assertTrue(hook.reloadIfChanged());
            assertEquals(List.of(24, 16), preferenceFor(hook, "10.1.0.1").prefixes());
            assertEquals(List.of("dc9/rack9", "dc9"), preferenceFor(hook, "10.7.0.1").groups());
        } finally {
            hook.close();
        }
    }

    @Test
    void aBadFileAtStartUpIsRefusedNamingTheFileEntry() throws Exception {
        Path file = dir.resolve("topology.yaml");
        write(file, "topology:\n  - {cidr: 10.1.0.0/24, path: [a]}\n  - {cidr: 10.1.0.0/40, path: [a]}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> hook("topology-file: " + file));
        assertEquals("prehooks.0.config.topology-file", e.key());
        assertTrue(e.getMessage().contains("file entry 1 (cidr 10.1.0.0/40)"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> hook("topology-file: " + dir.resolve("missing.yaml")));
        assertEquals("prehooks.0.config.topology-file", e.key());
        write(file, "[1, 2]\n");
        e = assertThrows(ConfigException.class, () -> hook("topology-file: " + file));
        assertTrue(e.getMessage().contains("the top level must be a mapping of keys to values"), e.getMessage());
    }
}
