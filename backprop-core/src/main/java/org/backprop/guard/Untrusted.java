package org.backprop.guard;

/**
 * Text that came from a file (a CSV cell, a tensor name, a metadata value), made safe to put in an
 * error message: cut to a bounded length, so a 100 KB cell gives one short line, and with every
 * character a terminal could act on (ESC, BEL, other controls, bidirectional overrides) or that
 * would break the line shown as an escape such as {@code \u001b}.
 */
public final class Untrusted {
    /** Characters of untrusted text shown before it is cut. */
    public static final int MAX_SHOWN = 60;
    /** Characters of a whole message built around untrusted text shown before it is cut. */
    public static final int MAX_LINE = 300;

    private Untrusted() {}

    /** {@code s} cut and escaped, in single quotes: {@code 'abc\u001b[31m'}, {@code '1111...(200001 chars)'}. */
    public static String quote(String s) {
        return "'" + text(s) + "'";
    }

    /** As {@link #quote} without the quotes. */
    public static String text(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_SHOWN) + 16);
        int shown = Math.min(s.length(), MAX_SHOWN);
        if (shown < s.length() && Character.isHighSurrogate(s.charAt(shown - 1))) shown--; // keep pairs whole
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\'') {
                sb.append('\\').append(c);
            } else if (unsafe(c, s, i)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (shown < s.length()) sb.append("...(").append(s.length()).append(" chars)");
        return sb.toString();
    }

    /**
     * A message built around untrusted text (a parser's message quoting its input): control
     * characters escaped, quotes kept, cut after {@value #MAX_LINE} characters.
     */
    public static String line(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(s.length(), MAX_LINE);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (unsafe(c, s, i)) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        if (shown < s.length()) sb.append("...(").append(s.length()).append(" chars)");
        return sb.toString();
    }

    /** Controls (C0, DEL, C1), line and paragraph separators, bidi controls, and lone surrogates. */
    private static boolean unsafe(char c, String s, int i) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
        if (c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c || c == 0xfeff) {
            return true;
        }
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return false;
    }
}
