package io.swarmgate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.SwarmgateConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.InstantSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up refuses what it cannot serve, naming the key, and leaves nothing running. */
class SwarmgateTest {
    private static final String QUIET = "udp: {enabled: false}\nmetrics: {enabled: false}\n";

    private static Swarmgate start(String yaml) {
        return Swarmgate.start(SwarmgateConfig.fromYaml(yaml), new SimpleMeterRegistry(), InstantSource.system());
    }

    @Test
    void anUnknownHookNameStopsStartUp() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> start(QUIET + "http: {port: 0}\nprehooks: [{name: subnet-preference}, {name: rate-limit}]\n"));
        assertEquals("prehooks.1.name", e.key());
        assertTrue(e.getMessage().contains("unknown hook 'rate-limit'; known hooks: jwt"), e.getMessage());
    }

    @Test
    void aHookWithABadValueStopsStartUpNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> start(QUIET
                + "http: {port: 0}\nprehooks: [{name: subnet-preference, config: {ipv4-prefixes: [16, 24]}}]\n"));
        assertTrue(e.key().startsWith("prehooks.0.config.ipv4-prefixes"), e.getMessage());
    }

    @Test
    void aTakenHttpPortIsAClearErrorNotASilentlyMissingListener() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> start(QUIET + "http: {host: 127.0.0.1, port: " + taken.getLocalPort() + "}\n"));
            assertTrue(e.getMessage().contains("http.port"), e.getMessage());
        }
    }
}
