package io.swarmgate.logging;

import io.swarmgate.bittorrent.ClientError;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Level;

/** What both line formats share: timestamp, level names, thread names and error text. */
final class LogLines {
    /** Fixed width (always milliseconds, always UTC) so that lines sort and align. */
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private LogLines() {
    }

    static void timestamp(StringBuilder b, Instant instant) {
        TS.formatTo(instant, b);
    }

    /** The System.Logger names operators know, not JUL's SEVERE/FINE. */
    static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.CONFIG.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    static String threadName(Thread t) {
        String name = t.getName();
        return name.isEmpty() ? (t.isVirtual() ? "virtual-" : "thread-") + t.threadId() : name;
    }

    /** A client error is expected traffic: its kind and reason, no stack. Anything else: the full trace. */
    static String error(Throwable thrown) {
        if (thrown instanceof ClientError ce) {
            return "ClientError(" + ce.kind().label() + "): " + ce.reason();
        }
        StringWriter w = new StringWriter();
        try (PrintWriter p = new PrintWriter(w)) {
            thrown.printStackTrace(p);
        }
        return w.toString().stripTrailing();
    }
}
