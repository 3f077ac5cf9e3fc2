package dev.ragdesk.session;

import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.testing.LighthouseDocs;
import dev.ragdesk.testing.LlamaServerBinary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** The one answering path with llama-server as the engine: RAG with citations, chat with the model's template, cancel during a load. */
@Timeout(120)
class ServerSessionTest {
    @TempDir Path home;
    Session session;

    Session open(Consumer<SessionEvent> listener) throws Exception {
        var server = LlamaServerBinary.require();
        var rag = SyntheticGguf.llama().seed(1).writeTo(home.resolve("rag.gguf"));
        var chat = SyntheticGguf.llama().seed(2).chatTemplate("{% for m in messages %}{{ m['content'] }}\n{% endfor %}").writeTo(home.resolve("chat.gguf"));
        Files.writeString(home.resolve("config.toml"), "[engine]\nkind = \"llama-server\"\nllama_server = \"" + server + "\"\n"
                + "[models.rag]\npath = \"" + rag + "\"\n[models.chat]\npath = \"" + chat + "\"\n[llama]\nctx_size = 2048\n"
                + "[chat]\nmax_tokens = 6\n[rag]\nmax_tokens = 6\n");
        var config = new ConfigLoader().load(home.resolve("config.toml")).config();
        var workspace = new Workspace(home).ensureDataDirs();
        LighthouseDocs.indexedIn(home, config);
        session = new Session(workspace, config, Map.of("PATH", "", "RAGDESK_GPU", "none"), "4.2.0", listener,
                Session.Options.interactive("tui").withHost(ModelHost.Options.defaults().withPrestart(false)));
        return session;
    }

    @AfterEach
    void close() {
        if (session != null) session.close();
    }

    @Test
    void ragAndChatAnswerThroughLlamaServer() throws Exception {
        open(e -> {});
        assertEquals("llama-server cpu", session.engine(), "the engine, and what it computes on here");
        var rag = session.ask("When is the lamp lit?", new Session.Ask(Mode.RAG, Assistant.Sampling.CONFIGURED, false)).done().get(60, TimeUnit.SECONDS);
        var answered = assertInstanceOf(Ticket.End.Answered.class, rag, String.valueOf(rag));
        assertEquals(1, answered.citations().size());
        assertEquals("rag", answered.model());
        var chat = session.ask("Once upon a time", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false)).done().get(60, TimeUnit.SECONDS);
        assertEquals("chat", assertInstanceOf(Ticket.End.Answered.class, chat, String.valueOf(chat)).model());
        assertEquals(1, WorkerCensus.now().holdingModel(), "the swap left one server holding a model");
        var again = session.ask("and then?", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false)).done().get(60, TimeUnit.SECONDS);
        assertInstanceOf(Ticket.End.Answered.class, again);
        assertEquals(List.of("user", "assistant", "user", "assistant", "user", "assistant"),
                session.conversation().turns().stream().map(Turn::role).toList());
    }

    @Test
    void ctrlCWhileTheServerLoadsAbandonsIt() throws Exception {
        var cancelled = new CompletableFuture<Boolean>();
        var holder = new Session[1];
        open(e -> {
            if (e instanceof SessionEvent.ModelLoading && !cancelled.isDone()) cancelled.complete(holder[0].cancel());
        });
        holder[0] = session;
        var ticket = session.ask("Once upon a time", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false));
        assertTrue(cancelled.get(60, TimeUnit.SECONDS));
        assertInstanceOf(Ticket.End.Cancelled.class, ticket.done().get(60, TimeUnit.SECONDS));
        assertTrue(session.model().isEmpty());
        assertEquals(0, WorkerCensus.now().workers(), "no server left running");
    }
}
