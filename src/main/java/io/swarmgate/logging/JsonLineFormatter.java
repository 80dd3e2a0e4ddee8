package io.swarmgate.logging;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line for log shippers: {@code {"ts","level","logger","msg","thread"}} plus
 * {@code "error"} (the stack trace as one string) when the event carries an exception. Every string is
 * escaped, so quotes and line breaks in a message never split or break a line.
 */
final class JsonLineFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        StringBuilder b = new StringBuilder(192);
        b.append("{\"ts\":\"");
        LogLines.timestamp(b, record.getInstant());
        b.append("\",\"level\":\"").append(LogLines.level(record.getLevel())).append("\",\"logger\":");
        JsonStrings.append(b, record.getLoggerName());
        b.append(",\"msg\":");
        JsonStrings.append(b, formatMessage(record));
        b.append(",\"thread\":");
        // JUL handlers publish on the logging thread, so this is the thread that logged
        JsonStrings.append(b, LogLines.threadName(Thread.currentThread()));
        if (record.getThrown() != null) {
            b.append(",\"error\":");
            JsonStrings.append(b, LogLines.error(record.getThrown()));
        }
        return b.append('}').append('\n').toString();
    }
}
