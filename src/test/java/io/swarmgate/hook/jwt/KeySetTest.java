package io.swarmgate.hook.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.junit.jupiter.api.Test;

import java.text.ParseException;
import java.util.List;
import java.util.Set;

import static io.swarmgate.hook.jwt.JwtFixture.EC;
import static io.swarmgate.hook.jwt.JwtFixture.ED;
import static io.swarmgate.hook.jwt.JwtFixture.RSA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which published keys become signing keys, and which documents are refused as a key set. */
class KeySetTest {

    private static String doc(JWK... keys) {
        return new JWKSet(List.of(keys)).toString(false);
    }

    @Test
    void eachKeyTypeGetsTheAlgorithmsOfItsCurve() throws Exception {
        KeySet set = KeySet.parse(JwtFixture.jwks(RSA, EC, ED), null);
        assertEquals(3, set.size());
        assertEquals(JWSAlgorithm.Family.RSA, set.get("rsa-1").algorithms());
        assertEquals(Set.of(JWSAlgorithm.ES256), set.get("ec-1").algorithms());
        assertEquals(Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519), set.get("ed-1").algorithms());
    }

    @Test
    void aKeysOwnAlgNarrowsWhatItVerifies() throws Exception {
        RSAKey ps = new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("ps").algorithm(JWSAlgorithm.PS256).build();
        RSAKey wrong = new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("wrong").algorithm(JWSAlgorithm.ES256).build();
        KeySet set = KeySet.parse(doc(ps, wrong, ED), null);
        assertEquals(Set.of(JWSAlgorithm.PS256), set.get("ps").algorithms());
        assertNull(set.get("wrong"));
    }

    @Test
    void keysThatCannotVerifyOurTokensAreSkipped() throws Exception {
        JWK enc = new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("enc").keyUse(KeyUse.ENCRYPTION).build();
        JWK noKid = new RSAKey.Builder(RSA.toRSAPublicKey()).build();
        JWK hmac = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();
        JWK weak = new RSAKeyGenerator(1024, true).keyID("weak").generate().toPublicJWK();
        KeySet set = KeySet.parse(doc(enc, noKid, hmac, weak, ED.toPublicJWK()), null);
        assertEquals(Set.of("ed-1"), set.keys().keySet());
        assertEquals(4, set.skipped().size(), set.skipped().toString());
        assertTrue(set.hasPrivateParts(), "a published HMAC secret is a leak worth a warning");
        assertFalse(KeySet.parse(doc(enc, noKid, weak, ED.toPublicJWK()), null).hasPrivateParts());
    }

    @Test
    void privateKeysInTheSetAreFlaggedAndOnlyTheirPublicPartsUsed() throws Exception {
        KeySet set = KeySet.parse(doc(ED), null);
        assertTrue(set.hasPrivateParts());
        assertFalse(set.get("ed-1").jwk().isPrivate());
    }

    @Test
    void documentsThatAreNoUsableSetAreRefused() throws Exception {
        for (String bad : List.of("", "null", "[]", "{}", "{\"keys\":[]}", "{\"keys\":\"x\"}", "<html>",
                doc(new RSAKey.Builder(RSA.toRSAPublicKey()).build()))) {
            assertThrows(ParseException.class, () -> KeySet.parse(bad, null), bad);
        }
    }

    @Test
    void twoKeysUnderOneKidAreRefused() throws Exception {
        JWK a = new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("same").build();
        JWK b = JwtFixture.rsa("same").toPublicJWK();
        ParseException e = assertThrows(ParseException.class, () -> KeySet.parse(doc(a, b), null));
        assertTrue(e.getMessage().contains("same"), e.getMessage());
    }

    @Test
    void unchangedKeysKeepTheirIdentityAcrossParses() throws Exception {
        KeySet first = KeySet.parse(JwtFixture.jwks(RSA, EC), null);
        KeySet second = KeySet.parse(JwtFixture.jwks(RSA, ED), first);
        assertSame(first.get("rsa-1"), second.get("rsa-1"));
        assertNotNull(second.get("ed-1"));
        KeySet rekeyed = KeySet.parse(JwtFixture.jwks(JwtFixture.rsa("rsa-1")), second);
        assertFalse(rekeyed.get("rsa-1") == second.get("rsa-1"));
    }
}
