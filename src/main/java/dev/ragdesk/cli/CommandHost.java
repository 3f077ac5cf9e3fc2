package dev.ragdesk.cli;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;

/**
 * What differs between a command run by its own process and one run by the workspace's warm
 * server: where the embed model comes from (a server keeps it loaded between commands), whether
 * a search starts a warm server afterwards (only a command line typed into {@code ragdesk}
 * does: never a server itself, nor a test or benchmark calling {@link Main#run}), and whether
 * each command's start is worth a log line (not a server's hundredth search).
 */
public record CommandHost(EmbeddingsSource embeddings, Kind kind) {

    public enum Kind { OWN_PROCESS, COMMAND_LINE, WARM_SERVER }

    /** The embed model for a workspace and config; the caller closes what it gets. */
    @FunctionalInterface
    public interface EmbeddingsSource {
        Embeddings open(Workspace workspace, Config config);
    }

    /** A command line run in a JVM that exits afterwards, started by someone other than a user's shell. */
    public static final CommandHost OWN_PROCESS = new CommandHost(Embeddings::of, Kind.OWN_PROCESS);

    /** A command line from the user's shell ({@link Main#main}). */
    public static final CommandHost COMMAND_LINE = new CommandHost(Embeddings::of, Kind.COMMAND_LINE);

    static CommandHost warmServer(EmbeddingsSource embeddings) {
        return new CommandHost(embeddings, Kind.WARM_SERVER);
    }

    boolean startsWarmServer() { return kind == Kind.COMMAND_LINE; }

    boolean served() { return kind == Kind.WARM_SERVER; }
}
