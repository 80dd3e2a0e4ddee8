package io.swarmgate.logging;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * {@code 2026-11-21T12:00:00.123Z INFO  io.swarmgate.Swarmgate - message}. Line breaks inside the message are
 * written as {@code \n} so that one event stays one line (and a value that reached a message cannot forge a
 * line); an exception's stack trace follows on its own lines, except for client errors, which have none.
 */
final class TextLineFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        StringBuilder b = new StringBuilder(128);
        LogLines.timestamp(b, record.getInstant());
        String level = LogLines.level(record.getLevel());
        b.append(' ').append(level);
        for (int i = level.length(); i < 5; i++) {
            b.append(' ');
        }
        b.append(' ').append(record.getLoggerName()).append(" - ");
        String msg = formatMessage(record);
        for (int i = 0; i < msg.length(); i++) {
            char c = msg.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        b.append(System.lineSeparator());
        if (record.getThrown() != null) {
            b.append(LogLines.error(record.getThrown()));
            if (b.charAt(b.length() - 1) != '\n') {
                b.append(System.lineSeparator());
            }
        }
        return b.toString();
    }
}
