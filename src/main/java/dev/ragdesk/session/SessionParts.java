package dev.ragdesk.session;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.engine.EngineEvent;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.gpu.GpuMonitor;
import dev.ragdesk.gpu.LayerPlanner;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.SearchBackend;

import java.util.Map;
import java.util.function.Consumer;

/**
 * What a session is made of, built in one place (the composition root): which engine runs the
 * models, the memory monitor and layer planner, the model host, the embed model and retriever,
 * the assistant and dictation. {@link Session} only uses them; a test or a new front end that
 * needs another part changes this, not the façade.
 */
record SessionParts(GpuMonitor gpu, LayerPlanner planner, ModelHost host, Embeddings embeddings, SearchBackend retriever,
                    Assistant assistant, Dictation dictation) {

    /** @param engineEvents where the host's events go: the session that these parts serve */
    static SessionParts build(Workspace workspace, Config config, Map<String, String> env, String llamaVersion,
                              Session.Options options, Consumer<EngineEvent> engineEvents) throws RagdeskException {
        var gpu = GpuMonitor.standard(env);
        var engine = Engines.choose(workspace, config, llamaVersion, env);
        // a fresh reading when a model is about to load: the previous one is gone by then
        var planner = Engines.planner(engine, workspace, config, gpu::sample);
        var host = Engines.host(engine, planner, engineEvents, options.host().withIdleUnload(config.engine().idleUnload()));
        var embeddings = Embeddings.of(workspace, config);
        var retriever = Documents.retriever(workspace, config, embeddings, env);
        var assistant = new Assistant(host, new ModelFiles(workspace, config), config, retriever, env);
        var dictation = new Dictation(workspace, config, options.audio(), options.transcriber());
        return new SessionParts(gpu, planner, host, embeddings, retriever, assistant, dictation);
    }
}
