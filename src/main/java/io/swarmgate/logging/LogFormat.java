package io.swarmgate.logging;

import java.util.Locale;

/** {@code --log-format}: {@code text} for people reading a terminal, {@code json} for log shippers. */
public enum LogFormat {
    /** {@code 2026-11-21T12:00:00.123Z INFO  io.swarmgate.Swarmgate - message}, stack trace lines after. */
    TEXT,
    /** One JSON object per line: {@code ts, level, logger, msg, thread} and {@code error} with a stack trace. */
    JSON;

    /** {@code text} or {@code json}, any case. */
    public static LogFormat parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("--log-format must be text or json, got '" + text + "'");
        };
    }
}
