package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.EngineEvent;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.GenerationResult;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.gpu.GpuMonitor;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.session.Assistant;
import dev.ragdesk.session.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ask one question and stream the answer to stdout.",
                "Ctrl-C stops the answer, ends the model worker and exits 130."})
final class AskCommand implements Callable<Integer> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AskCommand.class);

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "rag (answer from your documents) or chat (free conversation). "
                    + "Default: rag when documents are indexed, else chat.")
    String mode;

    @Option(names = "--json", description = "Print one JSON object at the end instead of streaming text.")
    boolean json;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Longest answer (default: the mode's max_tokens).")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default: the mode's).")
    Double temperature;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed, for repeatable answers.")
    Integer seed;

    @Parameters(arity = "1..*", paramLabel = "QUESTION", description = "The question; several words are joined.")
    List<String> words;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var question = String.join(" ", words);

        try (var interrupts = new Interrupts();
             ModelHost host = Engines.host(ctx.workspace(), ctx.config(), VersionInfo.properties().getProperty("llama"),
                     event -> report(event, err), ModelHost.Options.defaults().withPrestart(false));
             var retriever = Documents.retriever(ctx.workspace())) {
            var planner = Engines.planner(ctx.workspace(), ctx.config(), () -> GpuMonitor.sampleOnce(ctx.env()));
            var assistant = new Assistant(host, new ModelFiles(ctx.workspace(), ctx.config()), ctx.config(), retriever, planner);
            var chosen = chooseMode(assistant);
            if (mode == null && !json) err.println("(" + chosen.role() + " mode" + (chosen == Mode.CHAT ? ": no documents indexed yet)" : ")"));

            long t0 = System.nanoTime();
            var sampling = new Assistant.Sampling(temperature, maxTokens, seed);
            java.util.function.Consumer<String> stream = json ? piece -> {} : piece -> { out.print(piece); out.flush(); };
            Assistant.Reply reply;
            try {
                try {
                    reply = assistant.ask(chosen, question, List.of(), sampling, stream);
                } catch (Assistant.NothingRelevant nothing) {
                    if (mode != null) throw nothing; // rag was asked for by name: say so, do not switch
                    if (!json) err.println("(no passage in your documents matches; answering in chat mode)");
                    chosen = Mode.CHAT;
                    reply = assistant.ask(chosen, question, List.of(), sampling, stream);
                }
            } catch (RagdeskException e) {
                if (interrupts.fired()) return interrupted(err);
                throw e;
            }
            long loadMs = reply.model().spawnMs() + reply.model().loadMs();
            interrupts.onInterrupt(reply.generation()::cancel);
            GenerationResult result;
            try {
                result = reply.generation().await();
            } catch (InterruptedException e) {
                reply.generation().cancel();
                return interrupted(err);
            }
            if (result.cancelled() || interrupts.fired()) {
                if (!json) out.println();
                return interrupted(err);
            }
            if (json) {
                out.println(Json.line(summary(chosen, reply, result, loadMs)));
            } else {
                out.println();
                printSources(out, reply);
            }
            out.flush();
            log.info("answered in {} ms ({} tokens)", (System.nanoTime() - t0) / 1_000_000, result.tokens());
            return ExitCodes.OK;
        }
    }

    /** Load progress on stderr, so stdout carries only the answer. */
    private void report(EngineEvent event, java.io.PrintWriter err) {
        if (json) return;
        if (event instanceof EngineEvent.Loaded loaded) {
            var m = loaded.model();
            err.println("(" + m.displayName() + " loaded in " + (m.spawnMs() + m.loadMs()) + " ms)");
        }
    }

    private Mode chooseMode(Assistant assistant) throws RagdeskException {
        if (mode == null) return assistant.hasDocuments() ? Mode.RAG : Mode.CHAT;
        try {
            return Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--mode: " + e.getMessage());
        }
    }

    private static Map<String, Object> summary(Mode mode, Assistant.Reply reply, GenerationResult result, long loadMs) {
        var json = new LinkedHashMap<String, Object>();
        json.put("answer", result.text());
        json.put("mode", mode.role());
        json.put("model", reply.model().displayName());
        json.put("load_ms", loadMs);
        json.put("ttft_ms", result.firstTokenMs());
        json.put("tokens", result.tokens());
        json.put("tokens_per_s", Math.round(result.tokensPerSecond() * 10) / 10.0);
        json.put("stop_reason", result.reason());
        var citations = new java.util.ArrayList<Map<String, Object>>();
        for (int i = 0; i < reply.citations().size(); i++) {
            var p = reply.citations().get(i);
            var citation = new LinkedHashMap<String, Object>();
            citation.put("n", i + 1);
            citation.put("path", p.source());
            citation.put("location", p.location());
            citation.put("excerpt", p.excerpt());
            citations.add(citation);
        }
        json.put("citations", citations);
        return json;
    }

    private static void printSources(java.io.PrintWriter out, Assistant.Reply reply) {
        if (reply.citations().isEmpty()) return;
        out.println();
        out.println("Sources:");
        for (int i = 0; i < reply.citations().size(); i++) {
            var p = reply.citations().get(i);
            out.println("[" + (i + 1) + "] " + p.citation());
        }
    }

    private static int interrupted(java.io.PrintWriter err) {
        err.println("ragdesk ask: interrupted; the answer was stopped and the model worker ended.");
        return ExitCodes.INTERRUPTED;
    }
}
