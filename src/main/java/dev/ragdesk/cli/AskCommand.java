package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.session.Assistant;
import dev.ragdesk.session.Mode;
import dev.ragdesk.session.Session;
import dev.ragdesk.session.SessionEvent;
import dev.ragdesk.session.Ticket;
import dev.ragdesk.session.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ask one question and stream the answer to stdout.",
                "Ctrl-C stops the answer, ends the model worker and exits 130."})
final class AskCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(AskCommand.class);

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
        var asked = parseMode();

        try (var interrupts = new Interrupts();
             var session = new Session(ctx.workspace(), ctx.config(), ctx.env(), VersionInfo.properties().getProperty("llama"),
                     event -> report(event, out, err), Session.Options.oneShot())) {
            var chosen = asked != null ? asked : session.mode();
            if (asked == null && !json) err.println("(" + chosen.role() + " mode" + (chosen == Mode.CHAT ? ": no documents indexed yet)" : ")"));
            long t0 = System.nanoTime();
            var ticket = session.ask(question, new Session.Ask(chosen, new Assistant.Sampling(temperature, maxTokens, seed), asked == null));
            interrupts.onInterrupt(session::cancel);
            Ticket.End end;
            try {
                end = ticket.done().get();
            } catch (InterruptedException e) {
                session.cancel();
                return interrupted(err);
            }
            if (interrupts.fired() || end instanceof Ticket.End.Cancelled) return interrupted(err);
            if (end instanceof Ticket.End.Failed f) throw new RagdeskException(f.message());
            var answered = (Ticket.End.Answered) end;
            if (answered.result().cancelled()) {
                if (!json) out.println();
                return interrupted(err);
            }
            if (json) {
                out.println(Json.line(summary(answered)));
            } else {
                out.println();
                if (!answered.citations().isEmpty()) {
                    out.println();
                    out.println("Sources:");
                    Turn.citations(answered.citations()).forEach(c -> out.println(c.label()));
                }
            }
            out.flush();
            log.info("answered in {} ms ({} tokens)", (System.nanoTime() - t0) / 1_000_000, answered.result().tokens());
            return ExitCodes.OK;
        }
    }

    /** The answer streams to stdout; load progress and notes go to stderr, so stdout carries only the answer. */
    private void report(SessionEvent event, PrintWriter out, PrintWriter err) {
        if (event instanceof SessionEvent.AnswerToken t && !json) {
            out.print(t.text());
            out.flush();
        } else if (json) {
            return;
        } else if (event instanceof SessionEvent.ModelReady ready) {
            err.println("(" + ready.model().name() + " loaded in " + ready.model().loadMs() + " ms)");
        } else if (event instanceof SessionEvent.Notice n) {
            err.println("(" + n.message() + ")");
        }
    }

    private Mode parseMode() {
        if (mode == null) return null;
        try {
            return Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mode: " + e.getMessage());
        }
    }

    private static Map<String, Object> summary(Ticket.End.Answered answered) {
        var result = answered.result();
        var json = new LinkedHashMap<String, Object>();
        json.put("answer", result.text());
        json.put("mode", answered.mode().role());
        json.put("model", answered.model());
        json.put("load_ms", answered.loadMs());
        json.put("ttft_ms", result.firstTokenMs());
        json.put("tokens", result.tokens());
        json.put("tokens_per_s", Math.round(result.tokensPerSecond() * 10) / 10.0);
        json.put("stop_reason", result.reason());
        var citations = new ArrayList<Map<String, Object>>();
        for (int i = 0; i < answered.citations().size(); i++) {
            var p = answered.citations().get(i);
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

    private static int interrupted(PrintWriter err) {
        err.println("ragdesk ask: interrupted; the answer was stopped and the model worker ended.");
        return ExitCodes.INTERRUPTED;
    }
}
