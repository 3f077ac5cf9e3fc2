package dev.ragdesk.ui.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;

/**
 * A screen cell whose width is the terminal's, not Lanterna's guess. Lanterna 3.1.3 calls any
 * multi-char cluster double width ("पु", "स्"), so it would leave a gap after every consonant
 * with a mark; tmux draws such a cell in one column. Cells from {@link TerminalWidth#cells}
 * that take one column are wrapped here to say so.
 */
final class TerminalCell extends TextCharacter {

    @SuppressWarnings("deprecation") // the copy constructor is the only way to keep Lanterna's own fields
    private TerminalCell(TextCharacter source) {
        super(source);
    }

    static TextCharacter of(String cell, TextColor fg, TextColor bg, SGR... sgr) {
        TextCharacter[] chars;
        try {
            chars = TextCharacter.fromString(cell, fg, bg, sgr);
        } catch (IllegalArgumentException unprintable) {
            chars = TextCharacter.fromCharacter('?', fg, bg, sgr);
        }
        if (chars.length == 0) return TextCharacter.fromCharacter(' ', fg, bg, sgr)[0];
        var character = chars[0];
        boolean oneColumn = TerminalWidth.of(cell.codePointAt(0)) == 1;
        return oneColumn && character.isDoubleWidth() ? new TerminalCell(character) : character;
    }

    @Override
    public boolean isDoubleWidth() {
        return false;
    }
}
