package dev.ragdesk.cli;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;

import java.util.Map;

/** What every command starts from: the workspace, its effective config and the environment. */
public record AppContext(Workspace workspace, ConfigLoader.Loaded loaded, Map<String, String> env) {
    public Config config() { return loaded.config(); }

    /** The workspace's embed model, loaded on first use; close it after use. */
    public dev.ragdesk.embed.Embeddings openEmbeddings() { return dev.ragdesk.embed.Embeddings.of(workspace, config()); }
}
