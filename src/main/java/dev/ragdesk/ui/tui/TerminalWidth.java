package dev.ragdesk.ui.tui;

import java.util.ArrayList;
import java.util.List;

/**
 * Column widths as terminals draw them, and the cells to draw. Measured in tmux: a combining
 * mark (virama, most vowel signs, anusvara) takes no column, a spacing vowel sign (Mc, such as
 * "ि" or "ா") takes one, and wide East Asian characters take two. Lanterna instead treats a
 * whole grapheme cluster as one column ("स्ते" would be 1 where tmux draws 2), which breaks
 * Indic layouts; so text is cut into cells here, one per column-taking code point with its
 * combining marks, and each cell is given to Lanterna on its own.
 */
public final class TerminalWidth {
    private TerminalWidth() {}

    public static int of(int codePoint) {
        int type = Character.getType(codePoint);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) return 0;
        if (codePoint == 0x200B || codePoint == 0x200C || codePoint == 0x200D) return 0;
        if (codePoint < 0x20 || (codePoint >= 0x7F && codePoint < 0xA0)) return 0;
        return isWide(codePoint) ? 2 : 1;
    }

    public static int of(String text) {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            width += of(cp);
            i += Character.charCount(cp);
        }
        return width;
    }

    /** The text as drawable cells: each starts with a column-taking code point and carries the marks after it. */
    public static List<String> cells(String text) {
        var cells = new ArrayList<String>();
        var current = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\t') cp = ' ';
            if (Character.isISOControl(cp)) continue; // model output can hold any byte; the screen takes none of these
            if (of(cp) == 0 && current.length() > 0) {
                current.appendCodePoint(cp);
                continue;
            }
            if (of(cp) == 0) continue; // a stray mark with nothing to sit on
            if (current.length() > 0) cells.add(current.toString());
            current.setLength(0);
            current.appendCodePoint(cp);
        }
        if (current.length() > 0) cells.add(current.toString());
        return cells;
    }

    /** The longest prefix of {@code text} that fits {@code width} columns. */
    public static String fit(String text, int width) {
        var out = new StringBuilder();
        int used = 0;
        for (var cell : cells(text)) {
            int w = of(cell.codePointAt(0));
            if (used + w > width) break;
            out.append(cell);
            used += w;
        }
        return out.toString();
    }

    static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F)
                || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    }
}
