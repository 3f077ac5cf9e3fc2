package dev.ragdesk.session;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.engine.ActiveModel;
import dev.ragdesk.engine.ChatMessage;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.GenerateRequest;
import dev.ragdesk.engine.Generation;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.rag.Passage;
import dev.ragdesk.rag.PassageSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Routes a question: RAG mode retrieves passages and asks the rag model with a cited
 * completion prompt; chat mode asks the chat model with its own chat template. Swaps the
 * host's model to the mode's role when needed. Every UI goes through here.
 */
public final class Assistant {

    /** Per-question overrides of the mode's [chat]/[rag] sampling settings; null keeps the config's. */
    public record Sampling(Double temperature, Integer maxTokens, Integer seed) {
        public static final Sampling CONFIGURED = new Sampling(null, null, null);

        double temperature(double configured) { return temperature == null ? configured : temperature; }
        int maxTokens(int configured) { return maxTokens == null ? configured : maxTokens; }
        int seedOrRandom() { return seed == null ? -1 : seed; } // -1: llama.cpp picks a random seed
    }

    /** A streaming answer, the model answering it, and the passages its [n] refer to. */
    public record Reply(Generation generation, Mode mode, ActiveModel model, List<Passage> citations) {}

    /**
     * RAG mode found no passage for the question. Not a dead end: the caller can offer chat
     * mode (a greeting such as "hi" is not a question about documents).
     */
    public static final class NothingRelevant extends RagdeskException {
        NothingRelevant() {
            super("nothing in your documents matches this question; rephrase it, or ask in chat mode (/mode chat, or --mode chat)");
        }
    }

    private final ModelHost host;
    private final ModelFiles files;
    private final Config config;
    private final PassageSource passages;

    /** {@code passages} may be null while no index exists; RAG mode then says so. */
    private final Map<String, String> env;

    /** {@code env} holds the API keys of remote endpoints, read when a remote model is used. */
    public Assistant(ModelHost host, ModelFiles files, Config config, PassageSource passages, Map<String, String> env) {
        this.env = env;
        this.host = host;
        this.files = files;
        this.config = config;
        this.passages = passages;
    }

    public boolean hasDocuments() throws RagdeskException {
        return passages != null && !passages.isEmpty();
    }

    /** Makes the mode's model the active one (a swap if the other was loaded). Blocks. */
    public ActiveModel switchTo(Mode mode) throws RagdeskException {
        var spec = files.spec(mode.role());
        var request = spec.isRemote() ? Engines.remoteRequest(mode.role(), spec, config, env)
                : Engines.request(mode.role(), files.require(mode.role()), config);
        return host.activate(request);
    }

    public Reply ask(Mode mode, String question, List<ChatMessage> history, Sampling sampling, Consumer<String> onToken)
            throws RagdeskException {
        if (question == null || question.isBlank()) throw new RagdeskException("the question is empty");
        return mode == Mode.RAG ? askRag(question, sampling, onToken) : askChat(question, history, sampling, onToken);
    }

    private Reply askChat(String question, List<ChatMessage> history, Sampling sampling, Consumer<String> onToken)
            throws RagdeskException {
        var model = switchTo(Mode.CHAT);
        var chat = config.chat();
        int maxTokens = sampling.maxTokens(chat.maxTokens());
        var prompt = ChatPrompt.build(host, chat.systemPrompt(), history, question, config.llama().ctxSize(), maxTokens);
        var messages = new ArrayList<ChatMessage>();
        if (!chat.systemPrompt().isBlank()) messages.add(new ChatMessage("system", chat.systemPrompt()));
        messages.addAll(prompt.kept()); // for engines that apply the template themselves (remote endpoints)
        var request = new GenerateRequest(prompt.text(), maxTokens, sampling.temperature(chat.temperature()), sampling.seedOrRandom(),
                List.of(), messages);
        return new Reply(host.generate(request, onToken), Mode.CHAT, model, List.of());
    }

    private Reply askRag(String question, Sampling sampling, Consumer<String> onToken) throws RagdeskException {
        if (!hasDocuments()) {
            throw new RagdeskException("RAG mode answers from your documents, but no documents are indexed yet; "
                    + "index some first (`ragdesk index PATH`, or /index PATH), or ask in chat mode (/mode chat, or --mode chat)");
        }
        var found = passages.retrieve(question, config.retrieval().topK());
        if (found.isEmpty()) throw new NothingRelevant();
        var model = switchTo(Mode.RAG);
        var rag = config.rag();
        int maxTokens = sampling.maxTokens(rag.maxTokens());
        // Leave room for the instruction, the question and the answer beside the passages.
        int ctx = config.llama().ctxSize();
        int questionTokens = host.countTokens(question);
        int room = ctx - maxTokens - questionTokens - 256;
        if (room < 64) {
            throw new RagdeskException("the question needs " + questionTokens + " tokens, which leaves no room for passages in a "
                    + ctx + "-token context beside a " + maxTokens + "-token answer; shorten it or raise [llama].ctx_size");
        }
        var prompt = RagPrompt.build(host, question, found, Math.min(rag.passageTokens(), room));
        var request = new GenerateRequest(prompt.text(), maxTokens, sampling.temperature(rag.temperature()), sampling.seedOrRandom(), RagPrompt.STOP);
        return new Reply(host.generate(request, onToken), Mode.RAG, model, prompt.cited());
    }
}
