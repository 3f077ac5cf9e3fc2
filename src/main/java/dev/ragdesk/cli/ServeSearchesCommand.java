package dev.ragdesk.cli;

import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.embed.KeptEmbeddings;
import dev.ragdesk.io.AtomicFiles;
import dev.ragdesk.warm.WarmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The workspace's warm search server (see {@link WarmSearch}): started in the background by a
 * search, it runs later searches of the same build, keeping the embed model loaded between
 * them, and exits after {@code [retrieval].warm_minutes} without one.
 */
@Command(name = WarmSearch.SERVE_COMMAND, hidden = true, description = "Answer searches from a warm JVM (started by search).")
final class ServeSearchesCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var workspace = ctx.workspace();
        AtomicFiles.ownerOnlyDirectory(workspace.run());
        try (var embeddings = new KeptEmbeddings()) {
            var fallback = Duration.ofMinutes(ctx.config().retrieval().warmMinutes());
            var server = WarmSearch.server(ctx, CommandHost.warmServer(embeddings::open), () -> idleLimit(ctx, fallback));
            server.serve(() -> warmUp(server, workspace));
        }
        return ExitCodes.OK;
    }

    /**
     * Runs searches before the first client's, so the code they take is compiled and the embed
     * model (if the mode uses one) loaded: served searches otherwise start 3-4x slower and take
     * dozens to get up to speed. The started search has already been answered in its own process,
     * so nobody waits on this.
     */
    private static void warmUp(WarmServer server, dev.ragdesk.config.Workspace workspace) {
        var sink = new java.io.PrintWriter(java.io.Writer.nullWriter());
        var line = java.util.List.of("--home", workspace.home().toString(), "search", "--top", "3", WARM_UP_QUERY);
        for (int i = 0; i < WARM_UP_SEARCHES; i++) {
            // a search that fails (a damaged index, say) fails the same way 60 times: once is in the log
            if (server.runner().run(line, sink, sink) != ExitCodes.OK) return;
        }
    }

    private static final int WARM_UP_SEARCHES = 60;
    /** Common words of a few of the languages the index analyses, so each analyzer's path runs. */
    private static final String WARM_UP_QUERY = "the time of day और समय का நேரம் সময়";

    /** warm_minutes as config.toml says now: setting it to 0 stops a running server at its next look. */
    private static Duration idleLimit(AppContext ctx, Duration fallback) {
        try {
            return Duration.ofMinutes(new ConfigLoader().load(ctx.workspace().configFile()).config().retrieval().warmMinutes());
        } catch (Exception e) {
            return fallback;
        }
    }
}
