package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the usable signing keys, by {@code kid}. Built from the JWK set document, swapped
 * whole into {@link KeySetHolder}; a document that is not a usable set throws and never replaces a good one.
 *
 * @param keys    the usable keys by kid
 * @param skipped why some published keys are not used (reported once per load, never per request)
 * @param hasPrivateParts whether the document carried private key material (a publishing mistake)
 */
record KeySet(Map<String, SigningKey> keys, List<String> skipped, boolean hasPrivateParts) {
    /** Below this an RSA key is not a serious signing key (RFC 7518 section 3.3 asks for 2048 bits). */
    static final int MIN_RSA_BITS = 2048;

    KeySet {
        keys = Map.copyOf(keys);
        skipped = List.copyOf(skipped);
    }

    SigningKey get(String kid) {
        return keys.get(kid);
    }

    int size() {
        return keys.size();
    }

    /**
     * Parses a JWK set document. Keys that cannot sign tokens we accept (encryption keys, HMAC secrets, keys
     * without a kid, unsupported curves, short RSA keys) are skipped; a document with no usable key, or with
     * two signing keys under one kid (which key would a token mean?), is refused.
     *
     * @param previous the snapshot in use, whose unchanged keys are carried over by identity; may be null
     * @throws ParseException when the document is not a usable key set
     */
    static KeySet parse(String document, KeySet previous) throws ParseException {
        JWKSet set;
        try {
            set = JWKSet.parse(document);
        } catch (RuntimeException e) {
            // nimbus lets some shapes through as NullPointer or ClassCast exceptions; all mean "not a set"
            throw new ParseException("not a JWK set: " + e, 0);
        }
        Map<String, SigningKey> keys = new HashMap<>();
        List<String> skipped = new ArrayList<>();
        boolean privateParts = false;
        for (JWK jwk : set.getKeys()) {
            String kid = jwk.getKeyID();
            String name = kid == null ? "a " + jwk.getKeyType() + " key without kid" : "key '" + kid + "'";
            if (kid == null || kid.isEmpty()) {
                skipped.add(name + ": tokens name their key by kid");
                continue;
            }
            if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
                skipped.add(name + ": use is " + jwk.getKeyUse().identifier() + ", not sig");
                continue;
            }
            privateParts |= jwk.isPrivate();
            JWK pub = jwk.toPublicJWK();
            if (pub == null) {
                skipped.add(name + ": " + jwk.getKeyType() + " keys are symmetric secrets, never accepted");
                continue;
            }
            SigningKey key;
            try {
                key = signingKey(kid, pub, skipped);
            } catch (JOSEException e) {
                skipped.add(name + ": " + e.getMessage());
                continue;
            }
            if (key == null) {
                continue;
            }
            if (keys.containsKey(kid)) {
                throw new ParseException("two signing keys share the kid '" + kid + "'", 0);
            }
            SigningKey old = previous == null ? null : previous.get(kid);
            keys.put(kid, old != null && old.jwk().equals(pub) ? old : key);
        }
        if (keys.isEmpty()) {
            throw new ParseException("no usable signing key (" + set.getKeys().size() + " keys published"
                    + (skipped.isEmpty() ? "" : "; " + String.join("; ", skipped)) + ")", 0);
        }
        return new KeySet(keys, skipped, privateParts);
    }

    private static SigningKey signingKey(String kid, JWK pub, List<String> skipped) throws JOSEException {
        String name = "key '" + kid + "'";
        Set<JWSAlgorithm> algs = new LinkedHashSet<>();
        JWSVerifier verifier;
        if (pub instanceof RSAKey rsa) {
            if (rsa.size() < MIN_RSA_BITS) {
                skipped.add(name + ": RSA key of " + rsa.size() + " bits, at least " + MIN_RSA_BITS + " needed");
                return null;
            }
            algs.addAll(JWSAlgorithm.Family.RSA);
            verifier = new RSASSAVerifier(rsa);
        } else if (pub instanceof ECKey ec) {
            Curve crv = ec.getCurve();
            // RFC 7518 section 3.4: each ES algorithm is bound to one curve
            JWSAlgorithm alg = Curve.P_256.equals(crv) ? JWSAlgorithm.ES256
                    : Curve.P_384.equals(crv) ? JWSAlgorithm.ES384
                    : Curve.P_521.equals(crv) ? JWSAlgorithm.ES512
                    : null;
            if (alg == null) {
                skipped.add(name + ": unsupported EC curve " + crv);
                return null;
            }
            algs.add(alg);
            verifier = new ECDSAVerifier(ec);
        } else if (pub instanceof OctetKeyPair okp) {
            if (!Curve.Ed25519.equals(okp.getCurve())) {
                skipped.add(name + ": unsupported OKP curve " + okp.getCurve());
                return null;
            }
            algs.add(JWSAlgorithm.EdDSA);
            algs.add(JWSAlgorithm.Ed25519);
            verifier = new Ed25519Verifier(okp);
        } else {
            skipped.add(name + ": unsupported key type " + pub.getKeyType());
            return null;
        }
        if (pub.getAlgorithm() != null) {
            // a key published for one algorithm must not verify under another (RFC 7517 section 4.4)
            JWSAlgorithm declared = JWSAlgorithm.parse(pub.getAlgorithm().getName());
            if (!algs.contains(declared)) {
                skipped.add(name + ": its alg " + declared + " does not fit a " + pub.getKeyType() + " key");
                return null;
            }
            algs.retainAll(Set.of(declared));
        }
        return new SigningKey(kid, pub, verifier, algs);
    }
}
