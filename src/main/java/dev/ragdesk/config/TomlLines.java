package dev.ragdesk.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the line of a key in TOML text. Jackson's TOML reader builds a tree before binding,
 * so binding and validation errors carry no position; this puts the line back for the user.
 */
final class TomlLines {
    private static final Pattern TABLE = Pattern.compile("^\\s*\\[\\[?\\s*([^\\]]+?)\\s*]]?\\s*(#.*)?$");

    private TomlLines() {}

    /** 1-based line of {@code path} (e.g. [llama, ctx_size]), its table's header, or 0. */
    static int lineOf(String text, List<String> path) {
        return find(text, path, true);
    }

    /** 1-based line where {@code path} is assigned, or 0 when the text does not set it. */
    static int keyLine(String text, List<String> path) {
        return find(text, path, false);
    }

    private static int find(String text, List<String> path, boolean orTable) {
        if (path.isEmpty()) return 0;
        var lines = text.split("\r?\n", -1);
        String table = "";
        int tableLine = 0;
        var wantedTable = String.join(".", path.subList(0, path.size() - 1));
        var key = path.get(path.size() - 1);
        var dottedKey = String.join(".", path);
        for (int i = 0; i < lines.length; i++) {
            var m = TABLE.matcher(lines[i]);
            if (m.matches()) {
                table = normalise(m.group(1));
                if (table.equals(dottedKey)) tableLine = i + 1;
                continue;
            }
            var assigned = assignedKey(lines[i]);
            if (assigned == null) continue;
            var full = table.isEmpty() ? assigned : table + "." + assigned;
            if (full.equals(dottedKey) || (table.equals(wantedTable) && assigned.equals(key))) return i + 1;
        }
        return orTable ? tableLine : 0;
    }

    private static String assignedKey(String line) {
        int eq = line.indexOf('=');
        if (eq <= 0) return null;
        var left = line.substring(0, eq).trim();
        if (left.isEmpty() || left.startsWith("#")) return null;
        return normalise(left);
    }

    private static String normalise(String dotted) {
        var parts = dotted.split("\\.");
        var out = new StringBuilder();
        for (var p : parts) {
            if (out.length() > 0) out.append('.');
            out.append(p.trim().replaceAll("^[\"']|[\"']$", ""));
        }
        return out.toString();
    }
}
