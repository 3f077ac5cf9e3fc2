package dev.ragdesk.embed;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;

import java.util.HashMap;
import java.util.Map;

/**
 * The embed model kept loaded across commands (a warm server's): each command gets a borrowed
 * view of the model its config names, loaded by the first command that embeds. A config or
 * model file that changes gives another id, and so a model of its own.
 */
public final class KeptEmbeddings implements AutoCloseable {
    private final Map<String, Embeddings> kept = new HashMap<>();

    /** Cheap: reads file sizes, loads nothing. */
    public synchronized Embeddings open(Workspace workspace, Config config) {
        var fresh = Embeddings.of(workspace, config);
        if (!fresh.available()) return fresh;
        // a replaced model stays until close(): a command started before the change may still be using it
        return kept.computeIfAbsent(fresh.id(), id -> fresh).borrowed();
    }

    @Override
    public synchronized void close() {
        kept.values().forEach(Embeddings::close);
        kept.clear();
    }
}
