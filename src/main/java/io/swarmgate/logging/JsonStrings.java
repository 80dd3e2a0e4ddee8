package io.swarmgate.logging;

/**
 * JSON string literals (RFC 8259 section 7): quotes, backslashes and every control character escaped, so a
 * message with newlines stays one log line and a reason with quotes stays valid JSON.
 */
public final class JsonStrings {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonStrings() {
    }

    /** Appends {@code s} as a quoted JSON string; null becomes {@code null}. */
    public static StringBuilder append(StringBuilder out, String s) {
        if (s == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // U+2028/2029 are legal JSON but break JavaScript-based line readers; escape them too
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    public static String quote(String s) {
        return append(new StringBuilder(s == null ? 4 : s.length() + 2), s).toString();
    }
}
