package io.swarmgate.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.swarmgate.Swarmgate;
import io.swarmgate.config.SwarmgateConfig;
import io.swarmgate.metrics.Meters;
import io.swarmgate.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * deploy/kubernetes: every manifest is read into the Kubernetes API types (fabric8's model of the API schemas),
 * with unknown fields, wrong types and bad quantities refused; the overlay is built the way kustomize builds it
 * for the features it uses (resources, strategic-merge patches by name, replicas). Then the probes, ports,
 * environment and the ConfigMap's tracker configuration are checked against the tracker itself: the
 * configuration is validated as start-up does and a tracker started from it answers the probe paths.
 */
class KubernetesTest {
    static final Path ROOT = Path.of("deploy/kubernetes");
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class, "v1/Secret", Secret.class, "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class, "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    @TempDir
    Path scratch;

    // ---- a small kustomize: resources, patches (strategic merge), replicas ----

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> build(Path dir) throws Exception {
        Map<String, Object> k = new Yaml().load(Files.readString(dir.resolve("kustomization.yaml")));
        for (String key : k.keySet()) {
            assertTrue(List.of("apiVersion", "kind", "resources", "patches", "replicas", "labels", "images")
                    .contains(key), () -> "kustomization feature this test does not model: " + key);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (String r : (List<String>) k.get("resources")) {
            Path p = dir.resolve(r).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(build(p));
            } else {
                for (Object doc : new Yaml().loadAll(Files.readString(p))) {
                    out.add((Map<String, Object>) doc);
                }
            }
        }
        for (Map<String, Object> patch : (List<Map<String, Object>>) k.getOrDefault("patches", List.of())) {
            Map<String, Object> p = new Yaml().load(Files.readString(dir.resolve((String) patch.get("path"))));
            Map<String, Object> target = find(out, (String) p.get("kind"), name(p));
            merge(target, p);
        }
        for (Map<String, Object> r : (List<Map<String, Object>>) k.getOrDefault("replicas", List.of())) {
            ((Map<String, Object>) find(out, "Deployment", (String) r.get("name")).get("spec"))
                    .put("replicas", r.get("count"));
        }
        for (Map<String, Object> image : (List<Map<String, Object>>) k.getOrDefault("images", List.of())) {
            for (Map<String, Object> d : out) {
                if ("Deployment".equals(d.get("kind"))) {
                    for (Map<String, Object> c : containers(d)) {
                        if (image.get("name").equals(c.get("image"))) {
                            c.put("image", image.get("newName") + ":" + image.get("newTag"));
                        }
                    }
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> containers(Map<String, Object> deployment) {
        Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        return (List<Map<String, Object>>) pod.get("containers");
    }

    @SuppressWarnings("unchecked")
    static String name(Map<String, Object> resource) {
        return (String) ((Map<String, Object>) resource.get("metadata")).get("name");
    }

    static String name(HasMetadata resource) {
        return resource.getMetadata().getName();
    }

    static Map<String, Object> find(List<Map<String, Object>> resources, String kind, String name) {
        return resources.stream().filter(r -> kind.equals(r.get("kind")) && name.equals(name(r))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /** Strategic merge as kustomize does it for what our patches use: maps merge, null deletes, named lists merge by name. */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            Object old = into.get(key);
            if (value == null) {
                into.remove(key);
            } else if (old instanceof Map<?, ?> o && value instanceof Map<?, ?> v) {
                merge((Map<String, Object>) o, (Map<String, Object>) v);
            } else if (old instanceof List<?> o && value instanceof List<?> v && !v.isEmpty()
                    && v.get(0) instanceof Map<?, ?> first && first.containsKey("name")) {
                List<Object> list = (List<Object>) o;
                for (Object item : v) {
                    Map<String, Object> m = (Map<String, Object>) item;
                    Map<String, Object> same = (Map<String, Object>) list.stream()
                            .filter(x -> x instanceof Map<?, ?> xm && Objects.equals(xm.get("name"), m.get("name")))
                            .findFirst().orElse(null);
                    if (same == null) {
                        list.add(m);
                    } else {
                        merge(same, m);
                    }
                }
            } else {
                into.put(key, value);
            }
        });
    }

    // ---- schema validation ----

    static List<HasMetadata> typed(List<Map<String, Object>> resources) {
        List<HasMetadata> out = new ArrayList<>();
        for (Map<String, Object> r : resources) {
            String type = r.get("apiVersion") + "/" + r.get("kind");
            Class<? extends HasMetadata> cls = KINDS.get(type);
            assertNotNull(cls, () -> "unexpected kind " + type);
            HasMetadata typed = MAPPER.convertValue(r, cls);
            noUnknownFields(typed, type + " " + name(r));
            out.add(typed);
        }
        return out;
    }

    /** fabric8 keeps unknown fields in additionalProperties instead of failing: any there is a typo. */
    static void noUnknownFields(Object node, String path) {
        if (node == null || !node.getClass().getName().startsWith("io.fabric8.")) {
            if (node instanceof Collection<?> c) {
                int i = 0;
                for (Object o : c) {
                    noUnknownFields(o, path + "[" + i++ + "]");
                }
            } else if (node instanceof Map<?, ?> m) {
                m.forEach((k, v) -> noUnknownFields(v, path + "." + k));
            }
            return;
        }
        if (node instanceof Quantity q) {
            Quantity.getAmountInBytes(q); // throws for a malformed quantity
            return;
        }
        if (node instanceof IntOrString) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (m.getName().equals("getAdditionalProperties")) {
                Map<?, ?> extra = (Map<?, ?>) value;
                assertTrue(extra == null || extra.isEmpty(), () -> path + ": unknown fields " + extra.keySet());
            } else {
                noUnknownFields(value, path + "." + m.getName().substring(3));
            }
        }
    }

    // ---- the checks ----

    @Test
    void baseManifestsAreValidAndMatchTheTracker() throws Exception {
        List<HasMetadata> base = typed(build(ROOT.resolve("base")));
        Deployment deployment = only(base, Deployment.class);
        assertEquals(1, deployment.getSpec().getReplicas(), "the memory store cannot be shared");
        SwarmgateConfig config = checkTracker(base);
        probesAnswerOnARealTracker(deployment, only(base, ConfigMap.class).getData().get("swarmgate.yaml"), config);
        PodDisruptionBudget pdb = only(base, PodDisruptionBudget.class);
        assertEquals(deployment.getSpec().getSelector(), pdb.getSpec().getSelector());
    }

    @Test
    void redisOverlayRunsSeveralTrackersOnOneStore() throws Exception {
        List<HasMetadata> overlay = typed(build(ROOT.resolve("overlays/redis")));
        Deployment tracker = overlay.stream().filter(r -> r instanceof Deployment d && name(d).equals("swarmgate"))
                .map(Deployment.class::cast).findFirst().orElseThrow();
        int replicas = tracker.getSpec().getReplicas();
        assertTrue(replicas >= 2, "several replicas");
        SwarmgateConfig config = checkTracker(overlay);
        Map<String, String> env = environment(tracker.getSpec().getTemplate().getSpec().getContainers().get(0), overlay);
        String uri = env.get("SWARMGATE_STORAGE__REDIS__URI");
        Secret secret = only(overlay, Secret.class);
        assertEquals("redis://:" + secret.getStringData().get("redis-password") + "@swarmgate-redis:6379/0", uri);
        Service redis = overlay.stream().filter(r -> r instanceof Service s && name(s).equals("swarmgate-redis"))
                .map(Service.class::cast).findFirst().orElseThrow(() -> new AssertionError("no redis Service"));
        assertEquals(6379, redis.getSpec().getPorts().get(0).getPort());
        assertTrue(Files.readString(ROOT.resolve("overlays/redis/configmap.yaml")).contains("type: redis"));
        PodDisruptionBudget pdb = only(overlay, PodDisruptionBudget.class);
        assertTrue(pdb.getSpec().getMaxUnavailable() == null, "minAvailable and maxUnavailable exclude each other");
        assertTrue(pdb.getSpec().getMinAvailable().getIntVal() < replicas, "a drain can proceed");
        assertEquals(6969, config.udp().port());
    }

    /** Ports, environment, security and config of the tracker Deployment and its Service; the effective config. */
    static SwarmgateConfig checkTracker(List<HasMetadata> resources) throws Exception {
        Deployment d = resources.stream().filter(r -> r instanceof Deployment x && name(x).equals("swarmgate"))
                .map(Deployment.class::cast).findFirst().orElseThrow();
        var pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertEquals(List.of("--config", "/etc/swarmgate/swarmgate.yaml", "--log-format", "json"), c.getArgs());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(10001L, pod.getSecurityContext().getRunAsUser(), "the image's user (ImageIT)");
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals(c.getResources().getRequests().get("memory"), c.getResources().getLimits().get("memory"));
        assertEquals("/etc/swarmgate", c.getVolumeMounts().get(0).getMountPath());

        ConfigMap map = only(resources, ConfigMap.class);
        String yaml = map.getData().get("swarmgate.yaml");
        assertNotNull(yaml, "the ConfigMap key is the file name the args point at");
        Map<String, String> env = environment(c, resources);
        Map<String, String> tracker = new HashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(SwarmgateConfig.ENV_PREFIX)) {
                tracker.put(k, v);
            }
        });
        SwarmgateConfig config = DeployConfig.validate(yaml, tracker, Files.createTempDirectory("k8s"));
        assertTrue(tracker.containsKey("SWARMGATE_UDP__CONNECTION_ID_SECRET"), "replicas share the secret");

        Map<String, ContainerPort> ports = new LinkedHashMap<>();
        c.getPorts().forEach(p -> ports.put(p.getName(), p));
        assertEquals(config.http().port(), ports.get("http").getContainerPort());
        assertEquals("TCP", ports.get("http").getProtocol());
        assertEquals(config.udp().port(), ports.get("udp").getContainerPort());
        assertEquals("UDP", ports.get("udp").getProtocol());
        assertEquals(config.metrics().port(), ports.get("metrics").getContainerPort());
        assertEquals("/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("metrics", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("metrics", c.getLivenessProbe().getHttpGet().getPort().getStrVal());

        Service service = resources.stream().filter(r -> r instanceof Service s && name(s).equals("swarmgate"))
                .map(Service.class::cast).findFirst().orElseThrow();
        for (ServicePort sp : service.getSpec().getPorts()) {
            ContainerPort target = ports.get(sp.getTargetPort().getStrVal());
            assertNotNull(target, () -> "service port " + sp.getName() + " targets no container port");
            assertEquals(target.getProtocol(), sp.getProtocol(), sp.getName());
        }
        assertEquals(d.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
        return config;
    }

    /** The container's variables as Kubernetes sets them: secretKeyRef resolved, $(VAR) expanded. */
    static Map<String, String> environment(Container c, List<HasMetadata> resources) {
        Secret secret = only(resources, Secret.class);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : c.getEnv()) {
            String value;
            if (v.getValueFrom() != null) {
                var ref = v.getValueFrom().getSecretKeyRef();
                assertEquals(name(secret), ref.getName());
                value = secret.getStringData().get(ref.getKey());
                assertNotNull(value, () -> "Secret has no key " + ref.getKey());
            } else {
                Matcher m = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(v.getValue());
                StringBuilder b = new StringBuilder();
                while (m.find()) {
                    String ref = env.get(m.group(1));
                    assertNotNull(ref, () -> v.getName() + " refers to $(" + m.group(1) + ") defined later or never");
                    m.appendReplacement(b, Matcher.quoteReplacement(ref));
                }
                value = m.appendTail(b).toString();
            }
            env.put(v.getName(), value);
        }
        return env;
    }

    /** The probe paths answer 200 on the metrics port of a tracker started from the ConfigMap's configuration. */
    void probesAnswerOnARealTracker(Deployment d, String yaml, SwarmgateConfig config) throws Exception {
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        // the ConfigMap's file, on loopback and free ports
        SwarmgateConfig local = DeployConfig.validate(yaml,
                Map.of("SWARMGATE_HTTP__HOST", "127.0.0.1", "SWARMGATE_HTTP__PORT", "0",
                        "SWARMGATE_UDP__HOST", "127.0.0.1", "SWARMGATE_UDP__PORT", "0",
                        "SWARMGATE_METRICS__HOST", "127.0.0.1", "SWARMGATE_METRICS__PORT", "0"), scratch);
        assertEquals(config.tracker(), local.tracker());
        try (Meters meters = Meters.create();
             Swarmgate tracker = Swarmgate.start(local, meters.registry(), InstantSource.system())) {
            for (String path : List.of(c.getReadinessProbe().getHttpGet().getPath(),
                    c.getLivenessProbe().getHttpGet().getPath())) {
                RawHttp.Response r = RawHttp.get(null, "127.0.0.1", tracker.metricsPort(), path);
                assertEquals(200, r.status(), () -> path + ": " + r.text());
            }
        }
    }

    static <T> T only(List<HasMetadata> resources, Class<T> type) {
        List<T> found = resources.stream().filter(type::isInstance).map(type::cast).toList();
        if (found.size() != 1) {
            fail("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }
}
