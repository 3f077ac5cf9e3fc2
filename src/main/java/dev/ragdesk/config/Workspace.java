package dev.ragdesk.config;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
    /** The sockets of model servers running for this workspace now. */
    public Path run() { return data().resolve("run"); }

    /**
     * Refuses a workspace whose {@code config.toml} or {@code .data} belongs to another user, as
     * git refuses a repository it does not own: a config file names programs ragdesk runs
     * ({@code [engine].llama_server}, {@code [voice].command}), so a file planted in a shared
     * folder would run them as whoever starts ragdesk there.
     */
    public Workspace requireOwnedByUser() throws RagdeskException {
        Integer me = null;
        for (var path : new Path[] {configFile(), data()}) {
            try {
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) continue;
                int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                if (me == null) me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                if (owner != me) {
                    throw new RagdeskException(path + " belongs to " + Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName()
                            + ", not to you: ragdesk will not run with another user's settings; use a workspace of your own"
                            + " (--home DIR or " + HOME_ENV + ")");
                }
            } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
                return this; // no Unix owners here (not Linux): nothing to compare
            }
        }
        return this;
    }

    /**
     * Creates {@code .data} and its folders, each readable by the owner alone (0700). Fails with
     * one line naming the path when the workspace or one of its folders is a file, or cannot be made.
     */
    public Workspace ensureDataDirs() throws RagdeskException {
        if (Files.exists(home) && !Files.isDirectory(home)) {
            throw new RagdeskException("the workspace " + home + " is a file, not a folder; point --home or "
                    + HOME_ENV + " at a folder (it is created if missing)");
        }
        for (var dir : new Path[] {data(), models(), sessions(), logs(), tmp()}) {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new RagdeskException(dir + " is a file, but ragdesk keeps a folder there; move the file aside and start again");
            }
            try {
                AtomicFiles.ownerOnlyDirectory(dir);
            } catch (IOException e) {
                throw new RagdeskException("cannot create " + dir + " (" + e.getMessage() + "); check its permissions and free space", e);
            }
        }
        return this;
    }
}
