package io.swarmgate.logging;

import io.helidon.metadata.hson.Hson;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.config.MetricsConfig;
import io.swarmgate.metrics.Meters;
import io.swarmgate.metrics.MetricsServer;
import io.swarmgate.metrics.Readiness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.LogManager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an operator or a log shipper reads: one line per event, in the chosen format, at the chosen level. */
class LogSetupTest {
    private static final String TS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Logger log = System.getLogger("io.swarmgate.Swarmgate");

    @AfterEach
    void restoreDefaultLogging() throws IOException {
        LogManager.getLogManager().readConfiguration();
    }

    private List<String> lines() {
        String text = out.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private static Hson.Struct json(String line) {
        return Hson.parse(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8))).asStruct();
    }

    @Test
    void textIsOneLinePerEventWithTimestampLevelAndLogger() {
        LogSetup.configure(LogFormat.TEXT, Level.INFO, out);
        log.log(Level.INFO, "listening on udp [::]:6969");
        log.log(Level.WARNING, "JWK set refresh failed: HTTP 503");
        log.log(Level.DEBUG, "not shown at info");
        List<String> lines = lines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(TS + " INFO  io\\.swarmgate\\.Swarmgate - listening on udp \\[::]:6969"),
                lines.get(0));
        assertTrue(lines.get(1).matches(TS + " WARN  io\\.swarmgate\\.Swarmgate - JWK set refresh failed: HTTP 503"),
                lines.get(1));
    }

    @Test
    void textKeepsAMessageWithLineBreaksOnOneLineAndAddsTheStackTrace() {
        LogSetup.configure(LogFormat.TEXT, Level.INFO, out);
        log.log(Level.ERROR, "store failed\nforged line", new IllegalStateException("redis down"));
        List<String> lines = lines();
        assertTrue(lines.get(0).endsWith(" - store failed\\nforged line"), lines.get(0));
        assertEquals("java.lang.IllegalStateException: redis down", lines.get(1));
        assertTrue(lines.get(2).strip().startsWith("at io.swarmgate.logging.LogSetupTest"), lines.get(2));
    }

    @Test
    void clientErrorsGetNoStackTrace() {
        LogSetup.configure(LogFormat.TEXT, Level.INFO, out);
        log.log(Level.WARNING, "posthook failed", ClientError.unapproved("torrent not approved"));
        assertEquals(2, lines().size(), lines().toString());
        assertEquals("ClientError(unapproved): torrent not approved", lines().get(1));
    }

    @Test
    void jsonIsOneParseableObjectPerLineWithEverythingEscaped() {
        LogSetup.configure(LogFormat.JSON, Level.DEBUG, out);
        String nasty = "quote \" backslash \\ newline \n tab \t bell \u0007 unicode é ✓";
        log.log(Level.DEBUG, nasty);
        log.log(Level.ERROR, "store failed", new IllegalStateException("redis \"down\"\nagain"));
        log.log(Level.TRACE, "not shown at debug");
        List<String> lines = lines();
        assertEquals(2, lines.size(), lines.toString());

        Hson.Struct first = json(lines.get(0));
        assertEquals(java.util.Set.of("ts", "level", "logger", "msg", "thread"), first.keys());
        assertTrue(first.stringValue("ts").orElseThrow().matches(TS));
        assertEquals("DEBUG", first.stringValue("level").orElseThrow());
        assertEquals("io.swarmgate.Swarmgate", first.stringValue("logger").orElseThrow());
        assertEquals(nasty, first.stringValue("msg").orElseThrow());
        assertEquals(Thread.currentThread().getName(), first.stringValue("thread").orElseThrow());

        Hson.Struct second = json(lines.get(1));
        assertEquals("ERROR", second.stringValue("level").orElseThrow());
        String error = second.stringValue("error").orElseThrow();
        assertTrue(error.startsWith("java.lang.IllegalStateException: redis \"down\"\nagain\n\tat "), error);
    }

    @Test
    void messageParametersAreFormatted() {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.US); // MessageFormat groups digits by the default locale
        try {
            LogSetup.configure(LogFormat.JSON, Level.INFO, out);
            log.log(Level.INFO, "bound {0} on port {1}", "http", 6969);
        } finally {
            java.util.Locale.setDefault(before);
        }
        assertEquals("bound http on port 6,969", json(lines().get(0)).stringValue("msg").orElseThrow());
    }

    @Test
    void helidonStartingLaterDoesNotReplaceTheHandler() {
        LogSetup.configure(LogFormat.JSON, Level.INFO, out);
        try (Meters meters = Meters.create()) {
            MetricsServer.start(new MetricsConfig(true, "127.0.0.1", 0), meters.registry(), Readiness.READY).close();
        }
        log.log(Level.INFO, "after helidon");
        List<String> lines = lines();
        assertEquals("after helidon", json(lines.getLast()).stringValue("msg").orElseThrow());
        for (String line : lines) {
            json(line); // Helidon's own lines come through our JSON formatter too
        }
        assertFalse(lines.stream().anyMatch(l -> l.contains("features")), "no feature banner at info: " + lines);
    }

    @Test
    void formatAndLevelFlagsAreParsedWithClearErrors() {
        assertEquals(LogFormat.JSON, LogFormat.parse("JSON"));
        assertEquals(LogFormat.TEXT, LogFormat.parse(" text "));
        assertEquals(Level.WARNING, LogSetup.parseLevel("warn"));
        assertEquals(Level.DEBUG, LogSetup.parseLevel("Debug"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("xml"));
        assertTrue(e.getMessage().contains("--log-format"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LogSetup.parseLevel("loud"));
        assertTrue(e.getMessage().contains("--log-level"), e.getMessage());
    }
}
