package dev.ragdesk.ui.tui;

import dev.ragdesk.io.UserPaths;
import dev.ragdesk.session.SlashCommands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The editable input line: text, cursor, history, and Tab completion of slash commands and paths. */
final class InputLine {
    static final List<String> COMMANDS = SlashCommands.NAMES;

    private final StringBuilder text = new StringBuilder();
    private int cursor; // in chars, always on a code point boundary
    private final List<String> history = new ArrayList<>();
    private int historyIndex;
    private final Path cwd;

    InputLine(Path cwd) {
        this.cwd = cwd;
    }

    String text() { return text.toString(); }

    int cursor() { return cursor; }

    boolean isEmpty() { return text.length() == 0; }

    void insert(String s) {
        text.insert(cursor, s);
        cursor += s.length();
    }

    void backspace() {
        if (cursor == 0) return;
        int before = text.offsetByCodePoints(cursor, -1);
        text.delete(before, cursor);
        cursor = before;
    }

    void delete() {
        if (cursor < text.length()) text.delete(cursor, text.offsetByCodePoints(cursor, 1));
    }

    void left() { if (cursor > 0) cursor = text.offsetByCodePoints(cursor, -1); }

    void right() { if (cursor < text.length()) cursor = text.offsetByCodePoints(cursor, 1); }

    void home() { cursor = 0; }

    void end() { cursor = text.length(); }

    void clear() {
        text.setLength(0);
        cursor = 0;
    }

    /** Takes the line for sending, remembers it in the history, and empties the input. */
    String take() {
        var line = text.toString();
        if (!line.isBlank() && (history.isEmpty() || !history.get(history.size() - 1).equals(line))) history.add(line);
        historyIndex = history.size();
        clear();
        return line;
    }

    void previous() {
        if (historyIndex == 0) return;
        set(history.get(--historyIndex));
    }

    void next() {
        if (historyIndex >= history.size()) return;
        historyIndex++;
        set(historyIndex == history.size() ? "" : history.get(historyIndex));
    }

    private void set(String s) {
        text.setLength(0);
        text.append(s);
        cursor = s.length();
    }

    /**
     * Completes the word before the cursor: a slash command, a mode or role, or a path after
     * /index and /remove. Returns the candidates when several remain (to show), else empty.
     */
    List<String> complete() {
        var line = text.substring(0, cursor);
        if (!line.startsWith("/")) return List.of();
        int space = line.indexOf(' ');
        if (space < 0) return apply(line, COMMANDS);
        var command = line.substring(0, space);
        var arg = line.substring(space + 1);
        return SlashCommands.takesPath(command) ? apply(arg, paths(arg))
                : apply(arg, SlashCommands.choices(command));
    }

    private List<String> apply(String prefix, List<String> candidates) {
        var matches = candidates.stream().filter(c -> c.startsWith(prefix)).toList();
        if (matches.isEmpty()) return List.of();
        var common = matches.get(0);
        for (var m : matches) {
            int i = 0;
            while (i < common.length() && i < m.length() && common.charAt(i) == m.charAt(i)) i++;
            common = common.substring(0, i);
        }
        insert(common.substring(prefix.length()) + (matches.size() == 1 && !common.endsWith("/") ? " " : ""));
        return matches.size() == 1 ? List.of() : matches;
    }

    private List<String> paths(String typed) {
        var expanded = UserPaths.expandHome(typed);
        int slash = expanded.lastIndexOf('/');
        var dirPart = slash < 0 ? "" : expanded.substring(0, slash + 1);
        var dir = dirPart.isEmpty() ? cwd : cwd.resolve(dirPart);
        var shownDir = slash < 0 ? "" : typed.substring(0, typed.lastIndexOf('/') + 1);
        try (var entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> shownDir + p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
