package io.swarmgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OCI image archive, read the way a container runtime reads it: index, manifest, config, layers checked
 * against their digests; then its layers are unpacked into a root file system and the tracker is started from it
 * as the image says (entrypoint, command, user, working directory, environment), in its own mount and PID
 * namespaces rooted there (util-linux unshare: what a runtime does, minus cgroups and the network namespace, so
 * the test can announce over loopback). No container engine runs on our machines.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Path oci;
    static JsonNode config;
    static JsonNode manifest;

    @BeforeAll
    static void read() throws Exception {
        oci = dir.resolve("oci");
        Unpacked.untar(Unpacked.built("swarmgate-image.tar"), oci, false);
        JsonNode index = JSON.readTree(oci.resolve("index.json").toFile());
        assertEquals("1.0.0", JSON.readTree(oci.resolve("oci-layout").toFile()).get("imageLayoutVersion").asText());
        JsonNode entry = index.get("manifests").get(0);
        assertEquals(Unpacked.VERSION, entry.get("annotations").get("org.opencontainers.image.ref.name").asText());
        manifest = JSON.readTree(blob(entry.get("digest").asText(), entry.get("size").asLong()).toFile());
        JsonNode c = manifest.get("config");
        config = JSON.readTree(blob(c.get("digest").asText(), c.get("size").asLong()).toFile());
    }

    /** The blob for {@code digest}, checked to have that digest and size. */
    static Path blob(String digest, long size) throws Exception {
        Path file = oci.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        assertEquals(size, Files.size(file), digest);
        assertEquals(digest, sha256(Files.newInputStream(file)));
        return file;
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream d = new DigestInputStream(in, md)) {
            d.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    @Test
    void configNamesANonRootUserThePortsAndTheEntrypoint() {
        JsonNode c = config.get("config");
        String[] user = c.get("User").asText().split(":");
        assertEquals(2, user.length, "numeric uid:gid, so runAsNonRoot can check it without /etc/passwd");
        assertNotEquals(0, Integer.parseInt(user[0]));
        assertNotEquals(0, Integer.parseInt(user[1]));
        Set<String> ports = new TreeSet<>();
        c.get("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertEquals(new TreeSet<>(List.of("6969/tcp", "6969/udp", "6880/tcp")), ports);
        assertEquals(List.of("/opt/swarmgate/bin/swarmgate"), strings(c.get("Entrypoint")));
        assertEquals(List.of("--config", "/etc/swarmgate/swarmgate.yaml"), strings(c.get("Cmd")));
        assertEquals("/etc/swarmgate", c.get("WorkingDir").asText());
        assertEquals("linux", config.get("os").asText());
    }

    @Test
    void layersMatchTheirDigestsAndDiffIds() throws Exception {
        List<String> diffIds = strings(config.get("rootfs").get("diff_ids"));
        JsonNode layers = manifest.get("layers");
        assertEquals(diffIds.size(), layers.size());
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", l.get("mediaType").asText());
            Path blob = blob(l.get("digest").asText(), l.get("size").asLong());
            assertEquals(diffIds.get(i), sha256(new GZIPInputStream(Files.newInputStream(blob))), "diff_id " + i);
        }
    }

    @Test
    void theTrackerStartsFromTheImageFileSystemAsItsUser() throws Exception {
        Path root = Files.createDirectories(dir.resolve("rootfs"));
        for (JsonNode l : manifest.get("layers")) {
            Unpacked.untar(oci.resolve("blobs/sha256").resolve(l.get("digest").asText().substring(7)), root, true);
        }
        // what a runtime provides: /proc (mounted by unshare below) and the basic devices
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        for (String[] dev : new String[][] {{"null", "3"}, {"zero", "5"}, {"random", "8"}, {"urandom", "9"}}) {
            Unpacked.Result r = Unpacked.run(List.of("mknod", "-m", "666", root.resolve("dev/" + dev[0]).toString(),
                    "c", "1", dev[1]), Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"), dir);
            assertEquals(0, r.exit(), r::output);
        }
        JsonNode c = config.get("config");
        String[] user = c.get("User").asText().split(":");
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--mount-proc",
                "--root=" + root, "--wd=" + c.get("WorkingDir").asText(), "--setuid", user[0], "--setgid", user[1]));
        command.addAll(strings(c.get("Entrypoint")));
        command.addAll(strings(c.get("Cmd")));
        Map<String, String> env = new java.util.HashMap<>();
        for (String e : strings(c.get("Env"))) {
            env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        // the image's own /etc/swarmgate/swarmgate.yaml, steered by the environment as an operator would
        env.put("SWARMGATE_HTTP__HOST", "127.0.0.1");
        env.put("SWARMGATE_HTTP__PORT", "0");
        env.put("SWARMGATE_UDP__HOST", "127.0.0.1");
        env.put("SWARMGATE_UDP__PORT", "0");
        env.put("SWARMGATE_METRICS__HOST", "127.0.0.1");
        env.put("SWARMGATE_METRICS__PORT", "0");
        Map<String, String> withUnshare = new java.util.HashMap<>(env);
        withUnshare.put("PATH", "/usr/bin:/bin"); // finds unshare; inside, the image's PATH applies
        String log = Unpacked.announceAndStop(command, withUnshare, dir, dir.resolve("image.log"), 1800,
                process -> {
                    ProcessHandle java = jvm(process);
                    assertTrue(java.info().command().orElseThrow().endsWith("/opt/swarmgate/runtime/bin/java"),
                            java.info()::toString);
                    assertEquals(user[0], uid(java), "runs as the image's user");
                }, ImageIT::jvm);
        assertTrue(log.contains("connection-id-secret=\"\""), log);
    }

    /** The tracker's JVM inside the namespaces: the container's main process, which gets the SIGTERM. */
    private static ProcessHandle jvm(Process unshare) {
        return unshare.toHandle().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/runtime/bin/java"))
                .findFirst().orElseThrow(() -> new AssertionError("no java process under unshare"));
    }

    /** The real uid of a process, from /proc (the host has no name for the image's user). */
    private static String uid(ProcessHandle process) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("Uid:")) {
                return line.substring(4).strip().split("\\s+")[0];
            }
        }
        throw new AssertionError("no Uid line for " + process.pid());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
