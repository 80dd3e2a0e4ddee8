package io.swarmgate.logging;

import io.swarmgate.config.SwarmgateConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up line shows what runs, defaults included, and never a secret. */
class ConfigSummaryTest {

    @Test
    void showsEffectiveValuesWithTheFilesKeyNames() {
        String s = ConfigSummary.render(SwarmgateConfig.fromYaml("""
                tracker:
                  announce-interval: 20m
                http:
                  trusted-proxies: [10.0.0.0/8]
                """));
        assertTrue(s.startsWith("tracker{announce-interval=20m, min-announce-interval=15m, default-numwant=50, "
                + "max-numwant=200, max-scrape-infohashes=64, rate-limit=off} http{enabled=true, host=::, port=6969, "
                + "announce-routes=[/announce], scrape-routes=[/scrape], real-ip-header=\"\", "
                + "trusted-proxies=[10.0.0.0/8], allow-ip-param=false, request-timeout=10s, idle-timeout=30s, "
                + "max-connections=10000, tls=off} udp{"), s);
        assertTrue(s.contains(" storage{type=memory, peer-lifetime=31m, gc-interval=1m, redis{uri=redis://127.0.0.1:6379/0, "
                + "cluster=false, timeout=500ms, pool-size=32}} "), s);
        assertTrue(s.contains(" metrics{enabled=true, host=0.0.0.0, port=6880, expose-swarms=false} "), s);
        assertTrue(s.endsWith(" prehooks=[] posthooks=[] shutdown-grace-period=10s"), s);
        assertFalse(s.contains("\n"), "one line");
    }

    @Test
    void aConfiguredRateLimitShowsItsValues() {
        String s = ConfigSummary.render(SwarmgateConfig.fromYaml("tracker: {rate-limit: {announces-per-minute: 4}}"));
        assertTrue(s.contains("rate-limit={announces-per-minute=4, burst=4}}"), s);
    }

    @Test
    void secretsAreRedactedAndUnsetSecretsShowAsEmpty() {
        String unset = ConfigSummary.render(SwarmgateConfig.defaults());
        assertTrue(unset.contains("connection-id-secret=\"\""), unset);

        String s = ConfigSummary.render(SwarmgateConfig.fromYaml("""
                udp:
                  connection-id-secret: hunter2-udp-secret-0123
                prehooks:
                  - name: jwt
                    config:
                      issuer: https://auth.example
                      jwks-url: https://svc:hunter2-url@auth.example/jwks.json
                      hmac-secret: hunter2-hmac
                      clientPassword: hunter2-camel
                      api_token: hunter2-snake
                      audience: [swarm, mirror]
                      keys:
                        - kid: a
                          value: hunter2-nested
                      signing:
                        private-key: hunter2-deep
                        algorithm: ES256
                posthooks:
                  - name: approval
                    config:
                      file: /etc/swarmgate/approved.txt
                """));
        assertFalse(s.contains("hunter2"), s);
        List<String> shown = List.of(
                "connection-id-secret=<redacted>", "hmac-secret=<redacted>", "clientPassword=<redacted>",
                "api_token=<redacted>", "private-key=<redacted>", "jwks-url=https://<redacted>@auth.example/jwks.json",
                // what is not secret stays readable
                "prehooks=[jwt{", "issuer=https://auth.example", "audience=[swarm, mirror]", "algorithm=ES256",
                "posthooks=[approval{file=/etc/swarmgate/approved.txt}]");
        for (String part : shown) {
            assertTrue(s.contains(part), part + " in " + s);
        }
    }

    @Test
    void secretNamesAreFoundInAnyCase() {
        assertTrue(ConfigSummary.isSecretName("connection-id-secret"));
        assertTrue(ConfigSummary.isSecretName("connectionIdSecret"));
        assertTrue(ConfigSummary.isSecretName("API_KEY"));
        assertTrue(ConfigSummary.isSecretName("tokens"));
        assertFalse(ConfigSummary.isSecretName("jwks-url"));
        assertFalse(ConfigSummary.isSecretName("monkey"));
        assertFalse(ConfigSummary.isSecretName("keyring-path-ish"));
        assertEquals("redis://<redacted>@db:6379/0", ConfigSummary.redactUrls("redis://:pw@db:6379/0"));
        assertEquals("http://db:6379/a@b", ConfigSummary.redactUrls("http://db:6379/a@b"));
        assertEquals("jdbc:postgresql://db/x?user=u&password=<redacted>&ssl=true",
                ConfigSummary.redactUrls("jdbc:postgresql://db/x?user=u&password=pw&ssl=true"));
        assertEquals("https://r/jwks?access_token=<redacted>&monkey=1",
                ConfigSummary.redactUrls("https://r/jwks?access_token=t0k&monkey=1"));
    }
}
