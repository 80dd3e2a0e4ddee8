package io.swarmgate.logging;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Points {@link System.Logger} (which the JDK routes to java.util.logging) at one handler that writes one line
 * per event to standard error, as text or JSON. Called once by {@code Main} before anything else logs.
 *
 * <p>It replaces whatever JUL configuration was there, and tells Helidon not to load a
 * {@code logging.properties} of its own later ({@code io.helidon.logging.config.disabled}), which would
 * otherwise reset these handlers when the first Helidon class initialises logging.
 */
public final class LogSetup {
    /** Helidon's switch that stops its JUL provider from reading logging.properties. */
    static final String HELIDON_LOGGING_DISABLED = "io.helidon.logging.config.disabled";

    private LogSetup() {
    }

    /** Logs {@code level} and above to standard error in {@code format}. */
    public static void configure(LogFormat format, Level level) {
        configure(format, level, System.err);
    }

    /** The same, writing to {@code out} (tests). */
    static void configure(LogFormat format, Level level, OutputStream out) {
        System.setProperty(HELIDON_LOGGING_DISABLED, "true");
        java.util.logging.Level jul = julLevel(level);
        // Levels go in as LogManager configuration rather than Logger.setLevel: JUL holds loggers weakly, and a
        // level set on a logger nobody references is lost when it is collected.
        String properties = "handlers=\n"
                + ".level=" + jul.getName() + "\n"
                // Helidon's list of loaded features is build detail, not an event (shown from debug on); its
                // bind and stop lines stay
                + "io.helidon.common.features.level="
                + (jul.intValue() <= java.util.logging.Level.FINE.intValue() ? jul.getName() : "WARNING") + "\n";
        try {
            LogManager.getLogManager().readConfiguration(
                    new ByteArrayInputStream(properties.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: an in-memory stream
        }
        Handler handler = new LineHandler(out, format == LogFormat.JSON ? new JsonLineFormatter() : new TextLineFormatter());
        handler.setLevel(jul);
        Logger.getLogger("").addHandler(handler);
    }

    /** {@code --log-level}: error, warn, info, debug, trace (or off, all), any case. */
    public static Level parseLevel(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            case "off" -> Level.OFF;
            case "all" -> Level.ALL;
            default -> throw new IllegalArgumentException(
                    "--log-level must be one of error, warn, info, debug, trace, got '" + text + "'");
        };
    }

    /** The JDK's own System.Logger to JUL mapping (sun.util.logging.PlatformLogger). */
    static java.util.logging.Level julLevel(Level level) {
        return switch (level) {
            case ALL -> java.util.logging.Level.ALL;
            case TRACE -> java.util.logging.Level.FINER;
            case DEBUG -> java.util.logging.Level.FINE;
            case INFO -> java.util.logging.Level.INFO;
            case WARNING -> java.util.logging.Level.WARNING;
            case ERROR -> java.util.logging.Level.SEVERE;
            case OFF -> java.util.logging.Level.OFF;
        };
    }

    /** Writes each formatted record and flushes at once: a crash must not lose the lines before it. */
    private static final class LineHandler extends Handler {
        private final PrintStream out;

        LineHandler(OutputStream out, Formatter formatter) {
            this.out = out instanceof PrintStream ps ? ps : new PrintStream(out, false, java.nio.charset.StandardCharsets.UTF_8);
            setFormatter(formatter);
        }

        @Override
        public void publish(java.util.logging.LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            String line;
            try {
                line = getFormatter().format(record);
            } catch (RuntimeException e) {
                reportError("cannot format log record", e, java.util.logging.ErrorManager.FORMAT_FAILURE);
                return;
            }
            synchronized (this) {
                out.print(line);
                out.flush();
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
