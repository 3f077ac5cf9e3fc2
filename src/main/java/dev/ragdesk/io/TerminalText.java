package dev.ragdesk.io;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Text made safe for a terminal: document text, model output and a remote server's error
 * messages can hold escape sequences that retitle the window, move the cursor, rewrite what is
 * already on screen or, on some terminals, answer back into the input. Every line-mode output
 * goes through {@link #writer}; the console drops the same characters when it measures cells.
 * Kept: line feed and tab. Dropped: the other C0 controls (ESC, BEL, CR, backspace …), DEL and
 * the C1 controls (U+0080–U+009F, among them the one-character CSI).
 */
public final class TerminalText {
    private TerminalText() {}

    public static boolean unsafe(int c) {
        return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f);
    }

    public static String clean(String text) {
        if (text.chars().noneMatch(TerminalText::unsafe)) return text;
        var out = new StringBuilder(text.length());
        text.chars().filter(c -> !unsafe(c)).forEach(c -> out.append((char) c));
        return out.toString();
    }

    /** A writer that drops what {@link #unsafe} names and passes the rest on unchanged. */
    public static Writer writer(Writer out) {
        return new FilterWriter(out) {
            @Override
            public void write(int c) throws IOException {
                if (!unsafe(c)) super.write(c);
            }

            @Override
            public void write(char[] chars, int off, int len) throws IOException {
                int start = off;
                for (int i = off; i < off + len; i++) {
                    if (unsafe(chars[i])) {
                        if (i > start) out.write(chars, start, i - start);
                        start = i + 1;
                    }
                }
                if (off + len > start) out.write(chars, start, off + len - start);
            }

            @Override
            public void write(String text, int off, int len) throws IOException {
                write(text.toCharArray(), off, len);
            }
        };
    }
}
