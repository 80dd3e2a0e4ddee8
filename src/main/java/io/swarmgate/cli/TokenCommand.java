package io.swarmgate.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.config.Durations;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * {@code swarmgate token --key FILE --issuer ISS --audience AUD --infohash HEX [--ttl 1h | --no-exp]}: signs the
 * token a registry would hand out for one blob, for demos, tests and registries that shell out. Prints the token
 * on one line. {@code --ttl 0} or {@code --no-exp} makes a Quay-style token without {@code exp}, meant to live
 * in a .torrent file as long as the blob does; {@code --scrape-infohash} (repeatable) adds the
 * {@code infohashes} claim that scrapes need when the tracker has {@code require-for-scrape: true}.
 */
public final class TokenCommand {
    static final String USAGE = """
            usage: swarmgate token --key FILE --issuer ISS --audience AUD --infohash HEX
                                   [--ttl DURATION | --no-exp] [--scrape-infohash HEX]... [--alg ALG]

              Prints a JWT signed with the private JWK in FILE (from `swarmgate keys generate`), with header
              kid = the key's kid and claims iss, aud, infohash (lowercase hex), iat and exp = now + ttl.
              --ttl        lifetime, e.g. 15m, 1h, 7d (default 1h); 0 means no exp claim, like --no-exp
              --no-exp     no exp claim (Quay-style tokens embedded in long-lived .torrent files)
              --scrape-infohash HEX   may be repeated: the infohashes claim, for require-for-scrape
              --infohash may be left out when --scrape-infohash is given (a scrape-only token).
              --alg        only needed when the key file names no alg (RS256, PS256, ES256, EdDSA, ...)
            """;

    private TokenCommand() {
    }

    /** Runs {@code token ...} (the arguments after {@code token}); returns 0, 1 on failure, 2 on a usage error. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, InstantSource.system());
    }

    static int run(String[] args, PrintStream out, PrintStream err, InstantSource clock) {
        Options o;
        String keyFile;
        Request request;
        try {
            o = Options.parse(args, Set.of("key", "issuer", "audience", "infohash", "ttl", "scrape-infohash", "alg"),
                    Set.of("no-exp", "help"));
            if (o.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            if (!o.positional().isEmpty()) {
                throw new Options.UsageException("unexpected argument '" + o.positional().get(0) + "'");
            }
            keyFile = o.required("key");
            String infohash = o.get("infohash", null);
            List<String> scrape = new ArrayList<>();
            for (String h : o.all("scrape-infohash")) {
                scrape.add(hex(h, "--scrape-infohash"));
            }
            if (infohash == null && scrape.isEmpty()) {
                throw new Options.UsageException("--infohash is required (or --scrape-infohash for a scrape-only token)");
            }
            Duration ttl = ttl(o);
            request = new Request(o.required("issuer"), o.required("audience"),
                    infohash == null ? null : hex(infohash, "--infohash"), scrape, ttl, o.get("alg", null));
        } catch (Options.UsageException e) {
            err.println("swarmgate token: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            JWK key = readKey(Path.of(keyFile));
            out.println(sign(key, request, clock.instant()));
            return 0;
        } catch (Failure e) {
            err.println("swarmgate token: " + e.getMessage());
            return e.usage ? 2 : 1;
        }
    }

    /**
     * Tokens for {@code infohashes} (lowercase hex), one each, signed with the private JWK in {@code keyFile}
     * as {@code token} would sign them: what {@code bench --jwt-key} sends.
     */
    static List<String> sign(Path keyFile, String issuer, String audience, List<String> infohashes, Duration ttl,
                             Instant now) throws Options.UsageException {
        try {
            JWK key = readKey(keyFile);
            List<String> tokens = new ArrayList<>(infohashes.size());
            for (String infohash : infohashes) {
                tokens.add(sign(key, new Request(issuer, audience, infohash, List.of(), ttl, null), now));
            }
            return tokens;
        } catch (Failure e) {
            throw new Options.UsageException(e.getMessage());
        }
    }

    private record Request(String issuer, String audience, String infohash, List<String> scrapeHashes,
                           Duration ttl, String alg) {
    }

    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean usage;

        Failure(String message, boolean usage) {
            super(message, null, false, false);
            this.usage = usage;
        }
    }

    private static Duration ttl(Options o) throws Options.UsageException {
        String text = o.get("ttl", null);
        if (o.flag("no-exp")) {
            if (text != null) {
                throw new Options.UsageException("--no-exp and --ttl exclude each other");
            }
            return Duration.ZERO;
        }
        if (text == null) {
            return Duration.ofHours(1);
        }
        Duration d;
        try {
            d = text.strip().equals("0") ? Duration.ZERO : Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("--ttl: " + e.getMessage());
        }
        if (d.isNegative()) {
            throw new Options.UsageException("--ttl must not be negative");
        }
        return d;
    }

    private static String hex(String text, String option) throws Options.UsageException {
        try {
            return InfoHash.fromHex(text.strip()).hex();
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException(option + " must be 40 hex digits (a v1 info_hash), got '" + text + "'");
        }
    }

    private static JWK readKey(Path file) throws Failure {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Failure(file + " does not exist", true);
        } catch (IOException e) {
            throw new Failure("cannot read " + file + ": " + e, false);
        }
        JWK key;
        try {
            key = JWK.parse(text);
        } catch (ParseException e) {
            if (text.contains("\"keys\"")) {
                throw new Failure(file + " is a JWK set; --key needs one private key file (<kid>.private.jwk.json)", true);
            }
            throw new Failure(file + " is not a JWK: " + e.getMessage(), true);
        }
        if (!key.isPrivate()) {
            throw new Failure(file + " holds a public key; --key needs the private key (<kid>.private.jwk.json)", true);
        }
        if (key.getKeyID() == null || key.getKeyID().isEmpty()) {
            throw new Failure(file + " has no kid; the tracker finds the verifying key by kid", true);
        }
        return key;
    }

    private static String sign(JWK key, Request r, Instant now) throws Failure {
        JWSAlgorithm alg = algorithm(key, r.alg());
        JWSSigner signer;
        try {
            if (key instanceof RSAKey rsa) {
                signer = new RSASSASigner(rsa);
            } else if (key instanceof ECKey ec) {
                signer = new ECDSASigner(ec);
            } else if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
                signer = new Ed25519Signer(okp);
            } else {
                throw new Failure("cannot sign with a " + key.getKeyType() + " key; use RSA, EC or Ed25519", true);
            }
            if (!signer.supportedJWSAlgorithms().contains(alg)) {
                throw new Failure(alg + " does not fit this " + key.getKeyType() + " key", true);
            }
        } catch (JOSEException e) {
            throw new Failure("unusable key: " + e.getMessage(), true);
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(r.issuer())
                .audience(r.audience())
                .issueTime(Date.from(now));
        if (r.infohash() != null) {
            claims.claim("infohash", r.infohash());
        }
        if (!r.scrapeHashes().isEmpty()) {
            claims.claim("infohashes", r.scrapeHashes());
        }
        if (!r.ttl().isZero()) {
            claims.expirationTime(Date.from(now.plus(r.ttl())));
        }
        // no "typ" header (optional, RFC 7519 5.1): tokens travel in announce URLs, and libtorrent sends at most
        // 255 bytes of BEP 41 URL data over UDP, so every byte counts
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(),
                claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new Failure("signing failed: " + e.getMessage(), false);
        }
        return jwt.serialize();
    }

    private static JWSAlgorithm algorithm(JWK key, String requested) throws Failure {
        if (requested != null) {
            JWSAlgorithm alg = JWSAlgorithm.parse(requested);
            if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
                throw new Failure("--alg " + requested + " but the key is for " + key.getAlgorithm(), true);
            }
            return alg;
        }
        if (key.getAlgorithm() != null) {
            return JWSAlgorithm.parse(key.getAlgorithm().getName());
        }
        if (key instanceof RSAKey) {
            return JWSAlgorithm.RS256;
        }
        if (key instanceof ECKey ec) {
            Curve c = ec.getCurve();
            return Curve.P_384.equals(c) ? JWSAlgorithm.ES384 : Curve.P_521.equals(c) ? JWSAlgorithm.ES512 : JWSAlgorithm.ES256;
        }
        return JWSAlgorithm.EdDSA;
    }
}
