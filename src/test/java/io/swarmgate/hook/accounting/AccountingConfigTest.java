package io.swarmgate.hook.accounting;

import io.swarmgate.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.swarmgate.testing.HookFixtures.hookConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccountingConfigTest {

    @Test
    void theExampleInTheShippedConfigFileShowsTheDefaults() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("config/swarmgate.yaml"));
        int at = lines.indexOf("#   - name: accounting            # transfer totals per torrent and per token subject, in PostgreSQL");
        assertTrue(at > 0, "the accounting example is in config/swarmgate.yaml");
        StringBuilder yaml = new StringBuilder();
        for (String line : lines.subList(at + 2, lines.size())) {
            if (!line.startsWith("#     ")) {
                break; // the end of the example
            }
            String key = line.substring(1).strip();
            if (!key.startsWith("#")) {
                yaml.append(key.replaceAll("\\s+#.*$", "")).append('\n');
            }
        }
        AccountingConfig c = AccountingConfig.create(hookConfig(yaml.toString()));
        assertEquals(new AccountingConfig("jdbc:postgresql://127.0.0.1:5432/swarmgate",
                AccountingConfig.FLUSH_INTERVAL, AccountingConfig.MAX_PENDING, AccountingConfig.SUBJECT_CLAIM), c);
        assertEquals(new AccountingConfig("jdbc:postgresql://127.0.0.1:5432/swarmgate", Duration.ofSeconds(10),
                100_000, "sub"), c, "the defaults the issue specifies");
    }

    @Test
    void mistakesAreRefusedNamingTheKey() {
        assertEquals("prehooks.0.config.jdbc-url", error("flush-interval: 10s").key());
        assertEquals("prehooks.0.config.jdbc-url", error("jdbc-url: mysql://x").key());
        assertEquals("prehooks.0.config.flush-interval", error("jdbc-url: jdbc:postgresql://h/db\nflush-interval: 10ms").key());
        assertEquals("prehooks.0.config.max-pending", error("jdbc-url: jdbc:postgresql://h/db\nmax-pending: 0").key());
        assertEquals("prehooks.0.config.subject-claim", error("jdbc-url: jdbc:postgresql://h/db\nsubject-claim: \"\"").key());
        assertEquals("prehooks.0.config.jdbc-uri", error("jdbc-uri: jdbc:postgresql://h/db").key());
    }

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> AccountingConfig.create(hookConfig(yaml)));
    }
}
