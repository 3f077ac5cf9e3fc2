package dev.ragdesk.engine;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The last lines a model process wrote to its log, kept to explain a failure in one line:
 * llama.cpp's reason for refusing a file, with its "function: error loading model:" prefixes
 * removed. Shared by every engine, since all of them run llama.cpp.
 */
public final class LogTail {
    private static final int LINES = 60;
    /** Lines the worker's own logback writes ("INFO  worker - ..."), as opposed to llama.cpp's. */
    static final Pattern OWN_LOG_LINE = Pattern.compile("^(TRACE|DEBUG|INFO|WARN|ERROR)\\s+\\S+ - ");

    private final ArrayDeque<String> lines = new ArrayDeque<>();

    public void add(String line) {
        synchronized (lines) {
            lines.addLast(line);
            if (lines.size() > LINES) lines.removeFirst();
        }
    }

    /** The kept lines, oldest first, one per line. */
    public String recent() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** The most telling line, or empty if none stands out. */
    public String diagnosis() {
        synchronized (lines) {
            String best = "";
            int bestScore = 0;
            for (var line : lines) {
                if (OWN_LOG_LINE.matcher(line).find() || line.startsWith("\t") || line.contains("Exception")) continue;
                var l = line.toLowerCase(Locale.ROOT);
                int score = l.contains("error loading model") ? 4 : l.contains("error") ? 3
                        : l.contains("invalid") || l.contains("unsupported") ? 2 : l.contains("failed") ? 1 : 0;
                if (score >= bestScore && score > 0) {
                    best = line;
                    bestScore = score;
                }
            }
            return best.replaceFirst("^\\w+:\\s*", "").replaceFirst("^(error loading model:\\s*)+", "").trim();
        }
    }
}
