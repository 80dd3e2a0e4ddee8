package io.swarmgate.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code swarmgate keys generate --alg ES256 --kid 2026-11 [--out DIR]}: makes a signing key pair for a registry
 * (or a demo). Writes the private JWK to {@code DIR/<kid>.private.jwk.json} (owner-only permissions) and adds
 * the public key to {@code DIR/jwks.json}, creating it if needed. Adding rather than overwriting is the first
 * step of a key rotation: the set then publishes the old and the new key side by side. {@code keys remove
 * --kid OLD} is the last step.
 */
public final class KeysCommand {
    static final String USAGE = """
            usage: swarmgate keys generate --alg RS256|ES256|EdDSA --kid KID [--out DIR] [--bits 2048|3072|4096]
                   swarmgate keys remove --kid KID [--dir DIR]

              generate  writes DIR/<KID>.private.jwk.json (the private signing key; keep it secret) and adds the
                        public key to DIR/jwks.json (created if missing; the JWK set the tracker's jwk-set-url
                        points at). --out defaults to the current directory; --bits is for RS256 (default 2048).
              remove    takes the public key KID out of DIR/jwks.json (the last step of a rotation: tokens it
                        signed stop working at the tracker's next refresh). The private key file is left alone.
            """;
    static final String JWKS_FILE = "jwks.json";
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private KeysCommand() {
    }

    /** The private key file for {@code kid}. */
    static String privateFileName(String kid) {
        return kid + ".private.jwk.json";
    }

    /** Runs {@code keys ...} (the arguments after {@code keys}); returns the exit status: 0, 1 failure, 2 usage. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length > 0 && args[0].equals("remove")) {
                Options o = Options.parse(java.util.Arrays.copyOfRange(args, 1, args.length), Set.of("kid", "dir"),
                        Set.of("help"));
                if (o.flag("help")) {
                    out.print(USAGE);
                    return 0;
                }
                if (!o.positional().isEmpty()) {
                    throw new Options.UsageException("unexpected argument '" + o.positional().get(0) + "'");
                }
                return remove(o.required("kid"), Path.of(o.get("dir", ".")), out, err);
            }
            if (args.length == 0 || !args[0].equals("generate")) {
                if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
                    out.print(USAGE);
                    return 0;
                }
                throw new Options.UsageException(args.length == 0 ? "missing subcommand"
                        : "unknown subcommand '" + args[0] + "'");
            }
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            Options o = Options.parse(rest, Set.of("alg", "kid", "out", "bits"), Set.of("help"));
            if (o.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            if (!o.positional().isEmpty()) {
                throw new Options.UsageException("unexpected argument '" + o.positional().get(0) + "'");
            }
            JWSAlgorithm alg = algorithm(o.required("alg"));
            String kid = o.required("kid");
            if (!KID.matcher(kid).matches()) {
                throw new Options.UsageException("--kid must be 1-64 letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit (it becomes a file name), got '" + kid + "'");
            }
            int bits = bits(o.get("bits", null), alg);
            Path dir = Path.of(o.get("out", "."));
            return generate(alg, kid, bits, dir, out, err);
        } catch (Options.UsageException e) {
            err.println("swarmgate keys: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }

    private static JWSAlgorithm algorithm(String name) throws Options.UsageException {
        return switch (name) {
            case "RS256" -> JWSAlgorithm.RS256;
            case "ES256" -> JWSAlgorithm.ES256;
            case "EdDSA", "Ed25519" -> JWSAlgorithm.EdDSA;
            default -> throw new Options.UsageException("--alg must be RS256, ES256 or EdDSA, got '" + name + "'");
        };
    }

    private static int bits(String text, JWSAlgorithm alg) throws Options.UsageException {
        if (text == null) {
            return 2048;
        }
        if (!alg.equals(JWSAlgorithm.RS256)) {
            throw new Options.UsageException("--bits applies to RS256 only");
        }
        return switch (text) {
            case "2048" -> 2048;
            case "3072" -> 3072;
            case "4096" -> 4096;
            default -> throw new Options.UsageException("--bits must be 2048, 3072 or 4096, got '" + text + "'");
        };
    }

    private static int generate(JWSAlgorithm alg, String kid, int bits, Path dir, PrintStream out, PrintStream err) {
        Path privateFile = dir.resolve(privateFileName(kid));
        Path jwksFile = dir.resolve(JWKS_FILE);
        try {
            Files.createDirectories(dir);
            List<JWK> published = new ArrayList<>();
            if (Files.exists(jwksFile)) {
                published.addAll(JWKSet.parse(Files.readString(jwksFile, StandardCharsets.UTF_8)).getKeys());
                for (JWK k : published) {
                    if (kid.equals(k.getKeyID())) {
                        err.println("swarmgate keys: " + jwksFile + " already has a key with kid '" + kid
                                + "'; pick a new kid (e.g. the date: 2026-11)");
                        return 1;
                    }
                    if (k.isPrivate()) {
                        err.println("swarmgate keys: " + jwksFile + " contains a private key (kid '" + k.getKeyID()
                                + "'); a published set must hold public keys only. Not touching it.");
                        return 1;
                    }
                }
            }
            if (Files.exists(privateFile)) {
                err.println("swarmgate keys: " + privateFile + " exists; not overwriting a private key");
                return 1;
            }
            JWK key = newKey(alg, kid, bits);
            writePrivate(privateFile, key.toJSONString() + "\n");
            published.add(key.toPublicJWK());
            writeAtomically(jwksFile, jwkSetJson(published));
            out.println("wrote " + privateFile + " (private " + alg + " key '" + kid + "': keep it secret, sign with it)");
            out.println((published.size() == 1 ? "wrote " : "added the public key to ") + jwksFile + " ("
                    + published.size() + (published.size() == 1 ? " key" : " keys") + "; publish it at jwk-set-url)");
            return 0;
        } catch (ParseException e) {
            err.println("swarmgate keys: " + jwksFile + " is not a JWK set: " + e.getMessage());
            return 1;
        } catch (FileAlreadyExistsException e) {
            err.println("swarmgate keys: " + e.getFile() + " exists; not overwriting a private key");
            return 1;
        } catch (IOException e) {
            err.println("swarmgate keys: cannot write to " + dir + ": " + e);
            return 1;
        } catch (JOSEException e) {
            err.println("swarmgate keys: key generation failed: " + e.getMessage());
            return 1;
        }
    }

    private static int remove(String kid, Path dir, PrintStream out, PrintStream err) {
        Path jwksFile = dir.resolve(JWKS_FILE);
        try {
            List<JWK> keys = new ArrayList<>(JWKSet.parse(Files.readString(jwksFile, StandardCharsets.UTF_8)).getKeys());
            if (!keys.removeIf(k -> kid.equals(k.getKeyID()))) {
                err.println("swarmgate keys: " + jwksFile + " has no key with kid '" + kid + "'");
                return 1;
            }
            if (keys.isEmpty()) {
                err.println("swarmgate keys: '" + kid + "' is the only key in " + jwksFile
                        + "; generate its successor first (a set without keys admits nobody)");
                return 1;
            }
            writeAtomically(jwksFile, jwkSetJson(keys));
            out.println("removed '" + kid + "' from " + jwksFile + " (" + keys.size()
                    + (keys.size() == 1 ? " key" : " keys") + " left); tokens signed with it stop working once"
                    + " trackers refresh the set");
            return 0;
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("swarmgate keys: " + jwksFile + " does not exist");
            return 1;
        } catch (ParseException e) {
            err.println("swarmgate keys: " + jwksFile + " is not a JWK set: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("swarmgate keys: cannot update " + jwksFile + ": " + e);
            return 1;
        }
    }

    static JWK newKey(JWSAlgorithm alg, String kid, int bits) throws JOSEException {
        if (JWSAlgorithm.RS256.equals(alg)) {
            return new RSAKeyGenerator(bits).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE).generate();
        }
        if (JWSAlgorithm.ES256.equals(alg)) {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE).generate();
        }
        return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE).generate();
    }

    /** One key per line, so that a rotation shows up in a diff as one added or removed line. */
    static String jwkSetJson(List<JWK> keys) {
        StringBuilder sb = new StringBuilder("{\"keys\": [\n");
        for (int i = 0; i < keys.size(); i++) {
            sb.append("  ").append(keys.get(i).toJSONString()).append(i + 1 < keys.size() ? ",\n" : "\n");
        }
        return sb.append("]}\n").toString();
    }

    private static void writePrivate(Path file, String json) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        }
        Files.writeString(file, json, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Readers (a tracker with a file: jwk-set-url) see the old set or the new one, never half a file. */
    static void writeAtomically(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            tmp.toFile().setReadable(true, false); // a public key set: readable by the tracker's user
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
