package dev.ragdesk.ui.tui;

import java.util.ArrayList;
import java.util.List;

/** Word wrapping by display width; a word longer than a line is cut between cells. */
public final class Wrap {
    private Wrap() {}

    public static List<String> lines(String text, int width) {
        var out = new ArrayList<String>();
        if (width <= 0) return out;
        for (var paragraph : text.split("\n", -1)) {
            if (paragraph.isEmpty()) {
                out.add("");
                continue;
            }
            var line = new StringBuilder();
            int used = 0;
            for (var word : paragraph.split("(?<= )")) {
                int w = TerminalWidth.of(word);
                if (used + w > width && used > 0) {
                    out.add(line.toString().stripTrailing());
                    line.setLength(0);
                    used = 0;
                }
                while (w > width) { // a word longer than the line: cut it
                    var head = TerminalWidth.fit(word, width - used);
                    if (head.isEmpty()) {
                        out.add(line.toString());
                        line.setLength(0);
                        used = 0;
                        continue;
                    }
                    line.append(head);
                    out.add(line.toString());
                    line.setLength(0);
                    used = 0;
                    word = word.substring(head.length());
                    w = TerminalWidth.of(word);
                }
                line.append(word);
                used += w;
            }
            out.add(line.toString().stripTrailing());
        }
        return out;
    }
}
