package dev.ragdesk.app;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;

import java.util.List;
import java.util.Map;

/** What every command starts from: the workspace, its effective config and the environment. */
/** @param saidWhereUsed settings problems that the command needing them reports itself; `config` and `status` list them too */
public record AppContext(Workspace workspace, ConfigLoader.Loaded loaded, Map<String, String> env, List<String> saidWhereUsed) {
    public Config config() { return loaded.config(); }

    /** The workspace's embed model, loaded on first use; close it after use. */
    public Embeddings openEmbeddings() { return Embeddings.of(workspace, config()); }
}
