import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the release artifacts; run by the {@code dist} and {@code image} Maven profiles with the build's JDK
 * (21+) as a single-file source program, so it needs nothing but that JDK:
 *
 * <pre>java src/dist/Dist.java tarball|image BASEDIR VERSION</pre>
 *
 * <ul>
 *   <li>{@code tarball}: {@code target/swarmgate-VERSION.tar.gz}, one folder {@code swarmgate-VERSION/} with a
 *       jlink runtime ({@code runtime/}), {@code lib/} (the jar and its dependencies), {@code bin/swarmgate},
 *       {@code config/}, {@code keys-example/}, {@code deploy/}, {@code docs/}, LICENSE and README.md.</li>
 *   <li>{@code image}: {@code target/swarmgate-image.tar}, an OCI image layout archive (also loadable by
 *       {@code docker load}) holding the same folder at {@code /opt/swarmgate} on a base made of the C library
 *       files that runtime needs plus {@code /bin/sh}, taken from the build machine. No daemon, no registry: the
 *       layers are written here as tar streams, with root ownership, and the modes of the staged files.</li>
 * </ul>
 *
 * The runtime is made once per module list and JDK and kept in {@code target/jlink-cache}, so a rebuild costs a
 * copy rather than a jlink run (about 11 s).
 */
public final class Dist {
    /** What the tracker and its libraries use (jdeps; java.desktop is only named by unused code). */
    static final String MODULES = "java.base,java.logging,java.management,jdk.management,java.net.http,"
            + "java.naming,java.sql,jdk.unsupported"; // java.sql: the accounting posthook (JDBC, HikariCP, Flyway)
    static final int UID = 10001;
    static final String HOME = "opt/swarmgate";
    static final String[] PORTS = {"6969/tcp", "6969/udp", "6880/tcp"};

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !Set.of("tarball", "image").contains(args[0])) {
            System.err.println("usage: java src/dist/Dist.java tarball|image BASEDIR VERSION");
            System.exit(2);
        }
        Path base = Path.of(args[1]).toRealPath();
        String version = args[2];
        Path target = base.resolve("target");
        Path staged = stage(base, target, version);
        if (args[0].equals("tarball")) {
            Path out = target.resolve("swarmgate-" + version + ".tar.gz");
            try (OutputStream file = Files.newOutputStream(out);
                 GZIPOutputStream gz = new GZIPOutputStream(file, 1 << 16);
                 Tar tar = new Tar(gz)) {
                tar.addTree(staged, "swarmgate-" + version, false);
            }
            System.out.println("[dist] wrote " + out + " (" + Files.size(out) / (1024 * 1024) + " MiB)");
        } else {
            Path out = target.resolve("swarmgate-image.tar");
            Image.write(base, target, staged, version, out);
            System.out.println("[dist] wrote " + out + " (" + Files.size(out) / (1024 * 1024) + " MiB)");
        }
    }

    /** Lays out {@code target/dist/swarmgate-VERSION/}: what the tarball holds and the image has at /opt/swarmgate. */
    static Path stage(Path base, Path target, String version) throws Exception {
        Path dir = target.resolve("dist").resolve("swarmgate-" + version);
        deleteTree(dir);
        Files.createDirectories(dir.resolve("lib"));
        copyTree(runtime(target), dir.resolve("runtime"));
        Path jar = target.resolve("swarmgate.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the package phase first");
        }
        Files.copy(jar, dir.resolve("lib/swarmgate.jar"));
        try (Stream<Path> libs = Files.list(target.resolve("libs"))) {
            for (Path lib : libs.sorted().toList()) {
                Files.copy(lib, dir.resolve("lib").resolve(lib.getFileName()));
            }
        }
        Files.createDirectories(dir.resolve("bin"));
        Path script = Files.copy(base.resolve("src/dist/bin/swarmgate"), dir.resolve("bin/swarmgate"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String tree : List.of("config", "keys-example", "deploy", "docs")) {
            copyTree(base.resolve(tree), dir.resolve(tree));
        }
        for (String file : List.of("LICENSE", "README.md")) {
            Files.copy(base.resolve(file), dir.resolve(file));
        }
        return dir;
    }

    /** The jlink runtime for {@link #MODULES} and this JDK, made once into target/jlink-cache. */
    static Path runtime(Path target) throws IOException {
        String key = Runtime.version().toString().replaceAll("[^A-Za-z0-9.]", "_") + "-"
                + Integer.toHexString(MODULES.hashCode());
        Path cached = target.resolve("jlink-cache").resolve(key);
        if (Files.isRegularFile(cached.resolve("release"))) {
            return cached;
        }
        deleteTree(cached);
        Files.createDirectories(cached.getParent());
        ToolProvider jlink = ToolProvider.findFirst("jlink")
                .orElseThrow(() -> new IllegalStateException("no jlink in " + System.getProperty("java.home")
                        + ": the build needs a JDK, not a JRE"));
        long start = System.nanoTime();
        int status = jlink.run(System.out, System.err, "--add-modules", MODULES, "--strip-debug",
                "--no-header-files", "--no-man-pages", "--output", cached.toString());
        if (status != 0) {
            throw new IllegalStateException("jlink failed with status " + status);
        }
        System.out.printf("[dist] jlink runtime (%s) in %.1f s%n", MODULES, (System.nanoTime() - start) / 1e9);
        return cached;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted().toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(dest, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** An OCI image layout archive: oci-layout, index.json, blobs/sha256/*, and docker load's manifest.json. */
    static final class Image {
        private Image() {
        }

        static void write(Path base, Path target, Path staged, String version, Path out) throws Exception {
            Path work = target.resolve("image");
            deleteTree(work);
            Files.createDirectories(work.resolve("blobs/sha256"));
            Path rootfs = baseFiles(work.resolve("rootfs"), staged, base);
            List<String[]> layers = new ArrayList<>(); // {digest of the gzip, size, diff_id}
            // the base system, the runtime, then the application: a new release changes only the last
            layers.add(layer(work, tar -> tar.addTree(rootfs, "", true)));
            layers.add(layer(work, tar -> {
                tar.addParents(HOME);
                tar.addTree(staged.resolve("runtime"), HOME + "/runtime", true);
            }));
            layers.add(layer(work, tar -> {
                try (Stream<Path> top = Files.list(staged)) {
                    for (Path p : top.sorted().toList()) {
                        if (!p.getFileName().toString().equals("runtime")) {
                            tar.addTree(p, HOME + "/" + p.getFileName(), true);
                        }
                    }
                }
            }));
            StringBuilder diffIds = new StringBuilder();
            StringBuilder layerList = new StringBuilder();
            StringBuilder dockerLayers = new StringBuilder();
            for (String[] l : layers) {
                sep(diffIds).append(q(l[2]));
                sep(layerList).append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":")
                        .append(q(l[0])).append(",\"size\":").append(l[1]).append('}');
                sep(dockerLayers).append(q("blobs/sha256/" + l[0].substring(7)));
            }
            StringBuilder ports = new StringBuilder();
            for (String p : PORTS) {
                sep(ports).append(q(p)).append(":{}");
            }
            String config = "{\"architecture\":" + q(architecture()) + ",\"os\":\"linux\",\"config\":{"
                    + "\"User\":" + q(UID + ":" + UID)
                    + ",\"ExposedPorts\":{" + ports + "}"
                    + ",\"Env\":[\"PATH=/" + HOME + "/bin:/usr/bin:/bin\"]"
                    + ",\"Entrypoint\":[\"/" + HOME + "/bin/swarmgate\"]"
                    + ",\"Cmd\":[\"--config\",\"/etc/swarmgate/swarmgate.yaml\"]"
                    + ",\"WorkingDir\":\"/etc/swarmgate\""
                    + ",\"StopSignal\":\"SIGTERM\""
                    + ",\"Labels\":{\"org.opencontainers.image.title\":\"swarmgate\","
                    + "\"org.opencontainers.image.version\":" + q(version) + ","
                    + "\"org.opencontainers.image.licenses\":\"BSD-2-Clause\"}}"
                    + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}";
            String[] configBlob = blob(work, config);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
                    + q(configBlob[0]) + ",\"size\":" + configBlob[1] + "},\"layers\":[" + layerList + "]}";
            String[] manifestBlob = blob(work, manifest);
            String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                    + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":"
                    + q(manifestBlob[0]) + ",\"size\":" + manifestBlob[1] + ",\"annotations\":{"
                    + "\"org.opencontainers.image.ref.name\":" + q(version) + "}}]}";
            String docker = "[{\"Config\":" + q("blobs/sha256/" + configBlob[0].substring(7))
                    + ",\"RepoTags\":[" + q("swarmgate:" + version) + "],\"Layers\":[" + dockerLayers + "]}]";
            Files.writeString(work.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.writeString(work.resolve("index.json"), index);
            Files.writeString(work.resolve("manifest.json"), docker);
            try (OutputStream file = Files.newOutputStream(out); Tar tar = new Tar(file)) {
                for (String name : List.of("oci-layout", "index.json", "manifest.json")) {
                    tar.addTree(work.resolve(name), name, true);
                }
                tar.addTree(work.resolve("blobs"), "blobs", true);
            }
        }

        /**
         * The base system, from the build machine: the dynamic loader and C library files that the runtime's
         * binaries and {@code /bin/sh} load (found with ldd), /bin/sh itself (bin/swarmgate is a POSIX sh
         * script), /etc/passwd and /etc/group naming the tracker's user, the default configuration at
         * /etc/swarmgate/swarmgate.yaml, and an empty /tmp.
         */
        static Path baseFiles(Path root, Path staged, Path base) throws Exception {
            Files.createDirectories(root);
            Path sh = Path.of("/bin/sh").toRealPath();
            Set<String> libs = new TreeSet<>();
            List<Path> binaries = new ArrayList<>(List.of(sh));
            try (Stream<Path> walk = Files.walk(staged.resolve("runtime"))) {
                walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                        .filter(p -> p.getFileName().toString().endsWith(".so")
                                || p.getParent().getFileName().toString().equals("bin")
                                || p.getFileName().toString().equals("jspawnhelper"))
                        .forEach(binaries::add);
            }
            for (Path binary : binaries) {
                libs.addAll(sharedLibraries(binary));
            }
            Path own = staged.toRealPath();
            for (String lib : libs) {
                if (Path.of(lib).toRealPath().startsWith(own)) {
                    continue; // the runtime's own libraries (libjli.so) come with the runtime
                }
                Path dest = root.resolve(lib.substring(1));
                Files.createDirectories(dest.getParent());
                if (!Files.exists(dest)) {
                    Files.copy(Path.of(lib).toRealPath(), dest); // the file itself, not a link to the host's
                }
            }
            Files.createDirectories(root.resolve("bin"));
            Files.copy(sh, root.resolve("bin/sh"));
            Path etc = Files.createDirectories(root.resolve("etc/swarmgate"));
            Files.copy(base.resolve("config/swarmgate.yaml"), etc.resolve("swarmgate.yaml"));
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                    + "swarmgate:x:" + UID + ":" + UID + ":swarmgate:/tmp:/sbin/nologin\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nswarmgate:x:" + UID + ":\n");
            Path tmp = Files.createDirectories(root.resolve("tmp"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            return root;
        }

        /** The absolute paths ldd names for {@code binary}: libraries and the program interpreter. */
        static List<String> sharedLibraries(Path binary) throws IOException, InterruptedException {
            Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
            String text = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ldd.waitFor();
            List<String> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                String l = line.strip();
                int arrow = l.indexOf("=> ");
                String path = arrow >= 0 ? l.substring(arrow + 3) : l;
                if (path.startsWith("/")) {
                    out.add(path.substring(0, path.indexOf(' ') < 0 ? path.length() : path.indexOf(' ')));
                }
            }
            return out;
        }

        static String architecture() {
            String arch = System.getProperty("os.arch");
            return switch (arch) {
                case "amd64", "x86_64" -> "amd64";
                case "aarch64" -> "arm64";
                default -> arch;
            };
        }

        interface LayerContent {
            void write(Tar tar) throws IOException;
        }

        /** Writes one gzip layer blob; returns {digest, size, diff_id (digest of the uncompressed tar)}. */
        static String[] layer(Path work, LayerContent content) throws Exception {
            Path tmp = work.resolve("layer.tmp");
            MessageDigest compressed = sha256();
            MessageDigest plain = sha256();
            try (OutputStream file = Files.newOutputStream(tmp);
                 DigestOutputStream gzDigest = new DigestOutputStream(file, compressed);
                 GZIPOutputStream gz = new GZIPOutputStream(gzDigest, 1 << 16);
                 DigestOutputStream tarDigest = new DigestOutputStream(gz, plain);
                 Tar tar = new Tar(tarDigest)) {
                content.write(tar);
            }
            String digest = "sha256:" + HexFormat.of().formatHex(compressed.digest());
            long size = Files.size(tmp);
            Path dest = work.resolve("blobs/sha256").resolve(digest.substring(7));
            try {
                Files.move(tmp, dest);
            } catch (FileAlreadyExistsException e) {
                Files.delete(tmp); // the same layer twice
            }
            return new String[] {digest, Long.toString(size), "sha256:" + HexFormat.of().formatHex(plain.digest())};
        }

        static String[] blob(Path work, String json) throws IOException {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            String digest = "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
            Files.write(work.resolve("blobs/sha256").resolve(digest.substring(7)), bytes);
            return new String[] {digest, Integer.toString(bytes.length)};
        }

        static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        static StringBuilder sep(StringBuilder b) {
            return b.isEmpty() ? b : b.append(',');
        }

        /** A JSON string; our values are names, versions and digests, so quotes and backslashes suffice. */
        static String q(String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }

    /**
     * A POSIX ustar writer: regular files, directories and symbolic links with their permission bits. With
     * {@code rootOwned} every entry belongs to 0:0 (image layers); otherwise too, since a tarball unpacked by root
     * should not hand files to whatever uid built it. Modification times are kept.
     */
    static final class Tar implements AutoCloseable {
        private final OutputStream out;
        private final Set<String> written = new TreeSet<>();

        Tar(OutputStream out) {
            this.out = out;
        }

        /** Directory entries for every parent of {@code path} ("opt", "opt/swarmgate"), as a layer needs. */
        void addParents(String path) throws IOException {
            StringBuilder b = new StringBuilder();
            for (String part : path.split("/")) {
                b.append(b.isEmpty() ? "" : "/").append(part);
                header(b.toString(), '5', 0755, 0, 0, "");
            }
        }

        /** {@code from} (a file or a tree) under the archive name {@code name} ("" = the archive's root). */
        void addTree(Path from, String name, boolean rootOwned) throws IOException {
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.sorted().toList()) {
                    String rel = from.relativize(p).toString();
                    String entry = name.isEmpty() ? rel : rel.isEmpty() ? name : name + "/" + rel;
                    if (entry.isEmpty()) {
                        continue;
                    }
                    long mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000;
                    if (Files.isSymbolicLink(p)) {
                        header(entry, '2', 0777, 0, mtime, Files.readSymbolicLink(p).toString());
                    } else if (Files.isDirectory(p)) {
                        header(entry, '5', entry.equals("tmp") ? 01777 : mode(p), 0, mtime, "");
                    } else {
                        long size = Files.size(p);
                        header(entry, '0', mode(p), size, mtime, "");
                        try (InputStream in = Files.newInputStream(p)) {
                            in.transferTo(out);
                        }
                        pad(size);
                    }
                }
            }
        }

        private static int mode(Path p) throws IOException {
            int mode = 0;
            for (PosixFilePermission perm : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
                mode |= 0400 >> perm.ordinal();
            }
            return mode;
        }

        private void header(String name, char type, int mode, long size, long mtime, String link) throws IOException {
            String path = type == '5' ? name + "/" : name;
            if (!written.add(path)) {
                return; // a directory two layers' trees share
            }
            byte[] h = new byte[512];
            String prefix = "";
            String rest = path;
            if (path.length() > 100) { // split at a '/' into prefix (up to 155) and name (up to 100)
                int cut = -1;
                for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
                    if (i <= 155 && path.length() - i - 1 <= 100) {
                        cut = i;
                        break;
                    }
                }
                if (cut < 0) {
                    throw new IOException("path too long for ustar: " + path);
                }
                prefix = path.substring(0, cut);
                rest = path.substring(cut + 1);
            }
            put(h, 0, 100, rest);
            put(h, 100, 8, octal(mode, 7));
            put(h, 108, 8, octal(0, 7));
            put(h, 116, 8, octal(0, 7));
            put(h, 124, 12, octal(size, 11));
            put(h, 136, 12, octal(mtime, 11));
            h[156] = (byte) type;
            put(h, 157, 100, link);
            put(h, 257, 6, "ustar");
            put(h, 263, 2, "00");
            put(h, 265, 32, "root");
            put(h, 297, 32, "root");
            put(h, 345, 155, prefix);
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, 8, octal(sum, 6) + "\0 ");
            out.write(h);
        }

        private static String octal(long value, int digits) {
            String s = Long.toOctalString(value);
            return "0".repeat(Math.max(0, digits - s.length())) + s;
        }

        private static void put(byte[] h, int at, int len, String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > len) {
                throw new IOException("tar field too long: " + s);
            }
            System.arraycopy(b, 0, h, at, b.length);
        }

        private void pad(long size) throws IOException {
            int rest = (int) (size % 512);
            if (rest != 0) {
                out.write(new byte[512 - rest]);
            }
        }

        @Override
        public void close() throws IOException {
            out.write(new byte[1024]);
            out.close();
        }
    }

    private Dist() {
    }
}
