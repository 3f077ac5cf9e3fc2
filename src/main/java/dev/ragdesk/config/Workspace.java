package dev.ragdesk.config;

import dev.ragdesk.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The folder a user works in: {@code config.toml}, {@code index/} and {@code .data/}.
 * A clone of the project is itself a workspace.
 */
public record Workspace(Path home) {

    public static final String HOME_ENV = "RAGDESK_HOME";

    public Workspace {
        home = home.toAbsolutePath().normalize();
    }

    /** {@code --home DIR}, else {@code $RAGDESK_HOME}, else the current directory. */
    public static Workspace resolve(Path homeOption, Map<String, String> env) {
        if (homeOption != null) return new Workspace(homeOption);
        var fromEnv = env.get(HOME_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) return new Workspace(Path.of(fromEnv));
        return new Workspace(Path.of(""));
    }

    public Path configFile() { return home.resolve("config.toml"); }
    public Path index() { return home.resolve("index"); }
    public Path data() { return home.resolve(".data"); }
    public Path models() { return data().resolve("models"); }
    public Path sessions() { return data().resolve("sessions"); }
    public Path logs() { return data().resolve("logs"); }
    public Path tmp() { return data().resolve("tmp"); }

    /** Creates {@code .data} and its folders, each readable by the owner alone (0700). */
    public Workspace ensureDataDirs() throws IOException {
        for (var dir : new Path[] {data(), models(), sessions(), logs(), tmp()}) {
            AtomicFiles.ownerOnlyDirectory(dir);
        }
        return this;
    }
}
