package dev.ragdesk.config;

import java.nio.file.Path;

/**
 * A config.toml the app cannot use. The message is one line that names the file, the line when
 * known, and the key, so the user can go straight to it.
 */
public final class ConfigException extends Exception {
    private final Path file;
    private final int line;
    private final String key;

    public ConfigException(Path file, int line, String key, String problem, Throwable cause) {
        super(format(file, line, key, problem), cause);
        this.file = file;
        this.line = line;
        this.key = key;
    }

    public Path file() { return file; }
    /** 1-based, or 0 when the position is unknown. */
    public int line() { return line; }
    /** Dotted key such as {@code llama.ctx_size}, or empty when the problem is the whole file. */
    public String key() { return key; }

    private static String format(Path file, int line, String key, String problem) {
        var where = new StringBuilder(String.valueOf(file));
        if (line > 0) where.append(':').append(line);
        where.append(": ");
        if (key != null && !key.isEmpty()) where.append(key).append(": ");
        return where + problem;
    }
}
