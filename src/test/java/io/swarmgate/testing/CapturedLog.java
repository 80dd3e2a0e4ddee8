package io.swarmgate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log record of the JVM while open (a handler on the JUL root logger, which System.Logger and Helidon log
 * to), so a test can assert what an operator would read.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
    private final List<LogRecord> records = new ArrayList<>();

    private CapturedLog() {
        setLevel(Level.ALL);
    }

    public static CapturedLog start() {
        CapturedLog log = new CapturedLog();
        Logger.getLogger("").addHandler(log);
        return log;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    public synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Records an operator would have to read: WARNING and above, or anything carrying a stack trace. */
    public List<String> warningsAndStackTraces() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records()) {
            if (r.getThrown() != null || r.getLevel().intValue() >= Level.WARNING.intValue()) {
                out.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
                        + (r.getThrown() == null ? "" : " / " + r.getThrown()));
            }
        }
        return out;
    }

    /** Every message and stack trace text, formatted as a log file would hold them. */
    public String allText() {
        StringBuilder sb = new StringBuilder();
        java.util.logging.SimpleFormatter f = new java.util.logging.SimpleFormatter();
        for (LogRecord r : records()) {
            sb.append(f.format(r));
        }
        return sb.toString();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
