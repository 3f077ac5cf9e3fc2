package dev.ragdesk.ui.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;

import java.util.Locale;

/** A key named in [ui.keys], such as "Enter", "Tab", "F1", "Ctrl-L", "Alt-V" or "PageUp". */
public record KeyBinding(String name, KeyType type, Character character, boolean ctrl, boolean alt) {

    public static KeyBinding parse(String spec) {
        var s = spec.trim();
        boolean ctrl = false;
        boolean alt = false;
        while (true) {
            var lower = s.toLowerCase(Locale.ROOT);
            if (lower.startsWith("ctrl-") || lower.startsWith("ctrl+")) { ctrl = true; s = s.substring(5); }
            else if (lower.startsWith("alt-") || lower.startsWith("alt+")) { alt = true; s = s.substring(4); }
            else break;
        }
        if (s.length() == 1) return new KeyBinding(spec, KeyType.Character, Character.toLowerCase(s.charAt(0)), ctrl, alt);
        var type = switch (s.toLowerCase(Locale.ROOT)) {
            case "enter", "return" -> KeyType.Enter;
            case "tab" -> KeyType.Tab;
            case "pageup", "pgup" -> KeyType.PageUp;
            case "pagedown", "pgdn" -> KeyType.PageDown;
            case "up" -> KeyType.ArrowUp;
            case "down" -> KeyType.ArrowDown;
            case "escape", "esc" -> KeyType.Escape;
            case "backspace" -> KeyType.Backspace;
            case "f1" -> KeyType.F1; case "f2" -> KeyType.F2; case "f3" -> KeyType.F3; case "f4" -> KeyType.F4;
            case "f5" -> KeyType.F5; case "f6" -> KeyType.F6; case "f7" -> KeyType.F7; case "f8" -> KeyType.F8;
            case "f9" -> KeyType.F9; case "f10" -> KeyType.F10; case "f11" -> KeyType.F11; case "f12" -> KeyType.F12;
            default -> throw new IllegalArgumentException("unknown key \"" + spec + "\" (try Enter, Tab, F1, Ctrl-L, Alt-V, PageUp)");
        };
        return new KeyBinding(spec, type, null, ctrl, alt);
    }

    public boolean matches(KeyStroke key) {
        if (key.getKeyType() != type) return false;
        if (type == KeyType.Character) {
            return key.getCharacter() != null && Character.toLowerCase(key.getCharacter()) == character
                    && key.isCtrlDown() == ctrl && key.isAltDown() == alt;
        }
        return key.isCtrlDown() == ctrl && key.isAltDown() == alt;
    }
}
