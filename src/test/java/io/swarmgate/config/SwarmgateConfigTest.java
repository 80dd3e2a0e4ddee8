package io.swarmgate.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwarmgateConfigTest {

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> SwarmgateConfig.fromYaml(yaml)).getMessage();
    }

    @Test
    void shippedFileEqualsTheDefaultsInCode() {
        SwarmgateConfig file = SwarmgateConfig.load(Path.of("config/swarmgate.yaml"), Map.of());
        SwarmgateConfig defaults = SwarmgateConfig.defaults();
        assertEquals(defaults.tracker(), file.tracker());
        assertEquals(defaults.http(), file.http());
        assertEquals(defaults.udp(), file.udp());
        assertEquals(defaults.metrics(), file.metrics());
        assertEquals(defaults.storage().type(), file.storage().type());
        assertEquals(defaults.storage().peerLifetime(), file.storage().peerLifetime());
        assertEquals(defaults.storage().gcInterval(), file.storage().gcInterval());
        assertEquals(defaults.storage().redis(), file.storage().redis());
        assertEquals(List.of(), file.prehooks());
        assertEquals(TrackerConfig.DEFAULTS, file.tracker());
        assertEquals(Duration.ofMinutes(30), file.tracker().announceInterval());
        assertEquals(defaults.shutdownGracePeriod(), file.shutdownGracePeriod());
        assertEquals(Duration.ofSeconds(10), file.shutdownGracePeriod());
    }

    @Test
    void shutdownGracePeriodIsATopLevelDuration() {
        assertEquals(Duration.ofSeconds(3), SwarmgateConfig.fromYaml("shutdown-grace-period: 3s").shutdownGracePeriod());
        ConfigException e = assertThrows(ConfigException.class,
                () -> SwarmgateConfig.fromYaml("shutdown-grace-period: 0s"));
        assertTrue(e.getMessage().contains("shutdown-grace-period"), e::getMessage);
    }

    /**
     * YAML that is no configuration at all: an alias inside the anchor it names (Helidon's YAML reader followed
     * it until the stack overflowed, and start-up died with a thousand-line stack trace), and a top level that is
     * a list or a scalar (a Java cast message). Each is one line that says what is wrong.
     */
    @Test
    void yamlThatIsNoMappingOfSectionsSaysSo() {
        assertEquals("--config: the YAML refers to itself (an alias *name inside the anchor &name it names) or nests too deep",
                error("http: &a {port: *a}\n"));
        assertEquals("--config: the YAML refers to itself (an alias *name inside the anchor &name it names) or nests too deep",
                error("tracker: &t\n  x: [*t]\n"));
        String list = "--config: the top level must be a mapping of keys to values, not a list or a single value";
        assertEquals(list, error("[1, 2, 3]\n"));
        assertEquals(list, error("!!binary abc\n"));
        assertEquals(Duration.ofSeconds(7), SwarmgateConfig.fromYaml("shutdown-grace-period: &g 7s\n"
                + "tracker: {}\n").shutdownGracePeriod(), "anchors that do not refer to themselves still work");
    }

    /** A file is YAML whatever its name: Helidon picks its parser by extension and refused one without. */
    @Test
    void aFileWithoutAYamlExtensionIsReadAsYaml(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("config");
        Files.writeString(file, "tracker:\n  max-numwant: 77\n");
        assertEquals(77, SwarmgateConfig.load(file, Map.of()).tracker().maxNumWant());
        Path conf = dir.resolve("swarmgate.conf");
        Files.writeString(conf, "http: {port: 70000}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SwarmgateConfig.load(conf, Map.of()));
        assertTrue(e.getMessage().startsWith("http.port:"), e.getMessage());
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(error("tracker:\n  announce-interval: -5m\n").startsWith("tracker.announce-interval:"));
        assertTrue(error("tracker:\n  default-numwant: 100\n  max-numwant: 10\n").startsWith("tracker.max-numwant:"));
        assertTrue(error("tracker:\n  max-numwant: lots\n").startsWith("tracker.max-numwant:"));
        assertTrue(error("http:\n  port: 70000\n").startsWith("http.port:"));
        assertTrue(error("http:\n  prot: 80\n").startsWith("http.prot: unknown key"));
        assertTrue(error("htp:\n  port: 80\n").startsWith("htp: unknown section"));
        assertTrue(error("http:\n  trusted-proxies: [10.0.0.0/40]\n").startsWith("http.trusted-proxies:"));
        assertTrue(error("http:\n  host: example.com\n").startsWith("http.host:"));
        assertTrue(error("storage:\n  type: cassandra\n").startsWith("storage.type:"));
        assertTrue(error("storage:\n  peer-lifetime: 10m\n").startsWith("storage.peer-lifetime:"));
        assertTrue(error("tracker:\n  min-announce-interval: 2h\n").startsWith("tracker.min-announce-interval:"));
        assertTrue(error("prehooks:\n  - config: {}\n").startsWith("prehooks.0.name:"));
        assertTrue(error("udp:\n  connection-id-secret: short\n").startsWith("udp.connection-id-secret: must be at least 16"));
        assertTrue(error("udp:\n  batch-size: 0\n").startsWith("udp.batch-size:"));
        assertTrue(error("udp:\n  batch-size: 1025\n").startsWith("udp.batch-size:"));
        assertTrue(error("prehooks:\n  - name: x\n    confg: {}\n").startsWith("prehooks.0.confg: unknown key"));
        assertTrue(error("tracker: {rate-limit: {burst: 5}}").startsWith("tracker.rate-limit.announces-per-minute:"));
        assertTrue(error("tracker: {rate-limit: {announces-per-minute: 0}}")
                .startsWith("tracker.rate-limit.announces-per-minute:"));
        assertTrue(error("tracker: {rate-limit: {announces-per-minute: 5, brust: 5}}")
                .startsWith("tracker.rate-limit.brust: unknown key"));
        assertTrue(error("http: {request-timeout: 0s}").startsWith("http.request-timeout:"));
        assertTrue(error("http: {max-connections: 0}").startsWith("http.max-connections:"));
    }

    @Test
    void redisKeysAreCheckedAndTheUriMayComeFromTheEnvironment() {
        assertTrue(error("storage:\n  redis:\n    uri: http://db:6379\n").startsWith("storage.redis.uri:"));
        assertTrue(error("storage:\n  redis:\n    pool-size: 0\n").startsWith("storage.redis.pool-size:"));
        assertTrue(error("storage:\n  redis:\n    timout: 1s\n").startsWith("storage.redis.timout: unknown key"));
        assertTrue(error("storage:\n  redis:\n    cluster: true\n    uri: redis://db:6379/3\n")
                .startsWith("storage.redis.uri:"));
        SwarmgateConfig c = SwarmgateConfig.load(Path.of("config/swarmgate.yaml"),
                Map.of("SWARMGATE_STORAGE__TYPE", "redis",
                        "SWARMGATE_STORAGE__REDIS__URI", "rediss://tracker:s3cret@db.example:6380/2"));
        assertEquals("redis", c.storage().type());
        assertEquals("rediss://tracker:s3cret@db.example:6380/2", c.storage().redis().uri());
        assertFalse(c.storage().redis().toString().contains("s3cret"), c.storage().redis().toString());
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofMinutes(15), Durations.parse("PT15M"));
        assertEquals("30m", Durations.format(Duration.ofMinutes(30)));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 minutes"));
    }

    @Test
    void udpBatchSizeIsReadAndDefaultsTo32() {
        assertEquals(32, SwarmgateConfig.fromYaml("udp: {port: 7000}").udp().batchSize());
        assertEquals(1, SwarmgateConfig.fromYaml("udp: {batch-size: 1}").udp().batchSize());
        assertEquals(256, SwarmgateConfig.fromYaml("udp: {batch-size: 256}").udp().batchSize());
        assertFalse(SwarmgateConfig.fromYaml("udp: {port: 7000}").udp().arrivalTimestamps());
        assertTrue(SwarmgateConfig.fromYaml("udp: {arrival-timestamps: true}").udp().arrivalTimestamps());
    }

    @Test
    void environmentVariablesOverrideFileKeys(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "http:\n  port: 7000\n  real-ip-header: \"\"\nudp:\n  connection-id-secret: \"\"\n");
        SwarmgateConfig c = SwarmgateConfig.load(file, Map.of(
                "SWARMGATE_HTTP__PORT", "7100",
                "SWARMGATE_HTTP__REAL_IP_HEADER", "X-Forwarded-For",
                "SWARMGATE_UDP__CONNECTION_ID_SECRET", "s3cret-s3cret-s3cret",
                "HTTP_PROXY", "http://ignored"));
        assertEquals(7100, c.http().port());
        assertEquals("X-Forwarded-For", c.http().realIpHeader());
        assertEquals("s3cret-s3cret-s3cret", c.udp().connectionIdSecret());
        assertTrue(!c.udp().toString().contains("s3cret-s3cret-s3cret"), "secret must not appear in logs");
    }

    @Test
    void missingFileIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> SwarmgateConfig.load(Path.of("no/such.yaml"), Map.of()));
        assertTrue(e.getMessage().contains("no such file"));
    }
}
