package io.swarmgate.deploy;

import io.swarmgate.cli.Version;
import io.swarmgate.config.SwarmgateConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/docker/compose.yaml, read as Compose would (YAML merge keys, ${VAR:-default} / ${VAR:?error}
 * interpolation) and checked against what it points at: the image's tag and config path, the tracker's real
 * ports and configuration keys, and the files it mounts. No container engine runs here.
 */
class ComposeTest {
    static final Path DIR = Path.of("deploy/docker");
    static final String SECRET = "0123456789abcdef0123456789abcdef";
    static final Map<String, String> SHELL = Map.of("CONNECTION_ID_SECRET", SECRET, "REDIS_PASSWORD", "pw-1234");
    static Map<String, Map<String, Object>> services;

    @TempDir
    static Path scratch;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        String text = interpolate(Files.readString(DIR.resolve("compose.yaml")));
        Map<String, Object> compose = new Yaml().load(text);
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    /** Compose's interpolation for the forms the file uses. */
    static String interpolate(String text) {
        Matcher m = Pattern.compile("\\$\\{([A-Z_]+)(?::([-?])([^}]*))?}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = SHELL.get(m.group(1));
            if (value == null) {
                assertTrue("-".equals(m.group(2)), () -> m.group(1) + " is required: " + m.group(3));
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    @Test
    void twoTrackersRedisPrometheusAndGrafana() {
        assertEquals(Set.of("tracker-1", "tracker-2", "redis", "prometheus", "grafana"), services.keySet());
        for (String t : List.of("tracker-1", "tracker-2")) {
            // docker load -i target/swarmgate-image.tar names the image swarmgate:<version>
            assertEquals("swarmgate:" + Version.current(), services.get(t).get("image"), t);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void trackersShareTheSecretAndTheStoreAndPublishTheirRealPorts() throws Exception {
        Map<String, Object> one = services.get("tracker-1");
        Map<String, Object> two = services.get("tracker-2");
        assertEquals(one.get("environment"), two.get("environment"), "same secret, same store");
        assertEquals(one.get("volumes"), two.get("volumes"));
        Map<String, String> env = (Map<String, String>) one.get("environment");
        assertEquals(SECRET, env.get("SWARMGATE_UDP__CONNECTION_ID_SECRET"));
        assertEquals("redis://:pw-1234@redis:6379/0", env.get("SWARMGATE_STORAGE__REDIS__URI"),
                "the Redis service, with the password redis-server requires");
        assertTrue(String.join(" ", (List<String>) services.get("redis").get("command")).contains("--requirepass pw-1234"));

        String mounted = mount(one, "/etc/swarmgate/swarmgate.yaml");
        SwarmgateConfig config = DeployConfig.validate(Files.readString(DIR.resolve(mounted)), env, scratch);
        Set<String> expected = Set.of(config.http().port() + "/tcp", config.udp().port() + "/udp",
                config.metrics().port() + "/tcp");
        Set<String> hostPorts = new TreeSet<>();
        for (Map<String, Object> tracker : List.of(one, two)) {
            Set<String> inside = new TreeSet<>();
            for (Object p : (List<Object>) tracker.get("ports")) {
                String[] hostAndContainer = p.toString().split(":");
                inside.add(hostAndContainer[1]);
                assertTrue(hostPorts.add(hostAndContainer[0] + "/" + hostAndContainer[1].split("/")[1]),
                        () -> "host port published twice: " + p);
            }
            assertEquals(expected, inside);
        }
        assertEquals("0.0.0.0", config.metrics().host(), "Prometheus scrapes from another container");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesBothTrackersWithTheShippedAlerts() throws Exception {
        Map<String, Object> prometheus = services.get("prometheus");
        Map<String, Object> scrape = new Yaml().load(Files.readString(DIR.resolve(mount(prometheus,
                "/etc/prometheus/prometheus.yml"))));
        assertEquals("../prometheus/alerts.yml", mount(prometheus, "/etc/prometheus/alerts.yml"));
        assertEquals(List.of("alerts.yml"), scrape.get("rule_files"));
        List<Object> targets = new ArrayList<>();
        for (Object job : (List<Object>) scrape.get("scrape_configs")) {
            Map<String, Object> j = (Map<String, Object>) job;
            assertEquals("/metrics", j.get("metrics_path"));
            for (Object sc : (List<Object>) j.get("static_configs")) {
                targets.addAll((List<Object>) ((Map<String, Object>) sc).get("targets"));
            }
        }
        int metricsPort = SwarmgateConfig.load(DIR.resolve("swarmgate.yaml"), Map.of()).metrics().port();
        assertEquals(List.of("tracker-1:" + metricsPort, "tracker-2:" + metricsPort), targets);
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaProvisionsThePrometheusDataSourceAndTheDashboard() throws Exception {
        Map<String, Object> grafana = services.get("grafana");
        Path provisioning = DIR.resolve(mount(grafana, "/etc/grafana/provisioning"));
        Map<String, Object> ds = new Yaml().load(Files.readString(provisioning.resolve("datasources/prometheus.yaml")));
        Map<String, Object> source = ((List<Map<String, Object>>) ds.get("datasources")).get(0);
        assertEquals("prometheus", source.get("type"), "the dashboard's datasource variable lists prometheus sources");
        assertTrue(source.get("url").toString().startsWith("http://prometheus:9090"));
        Map<String, Object> dash = new Yaml().load(Files.readString(provisioning.resolve("dashboards/swarmgate.yaml")));
        Map<String, Object> options = (Map<String, Object>) ((List<Map<String, Object>>) dash.get("providers")).get(0)
                .get("options");
        String dashboardFile = mount(grafana, options.get("path") + "/swarmgate.json");
        assertEquals("../grafana/swarmgate.json", dashboardFile);
    }

    /** The host file mounted at {@code target} (checked to exist), relative to deploy/docker. */
    @SuppressWarnings("unchecked")
    static String mount(Map<String, Object> service, String target) {
        for (Object v : (List<Object>) service.get("volumes")) {
            String[] parts = v.toString().split(":");
            if (parts[1].equals(target)) {
                assertTrue(Files.exists(DIR.resolve(parts[0])), () -> "mounted file missing: " + parts[0]);
                assertTrue(parts.length == 3 && parts[2].equals("ro"), () -> "mount it read-only: " + v);
                return parts[0];
            }
        }
        throw new AssertionError("nothing mounted at " + target + " in " + service.get("volumes"));
    }
}
