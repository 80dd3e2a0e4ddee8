package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;

import java.util.Set;

/**
 * One public key of the JWK set, ready to verify: its {@code kid}, the public JWK, a verifier built once, and the
 * algorithms that fit this key's type and curve (narrowed to the key's own {@code alg} when the set names one).
 * Instances are reused across refreshes while the published key is unchanged, so identity means "the same key
 * is still published" for the token cache.
 */
record SigningKey(String kid, JWK jwk, JWSVerifier verifier, Set<JWSAlgorithm> algorithms) {
    SigningKey {
        algorithms = Set.copyOf(algorithms);
    }
}
