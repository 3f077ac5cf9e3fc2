package dev.ragdesk.session;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.ChatMessage;
import dev.ragdesk.engine.PromptModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Chat-mode prompts: the conversation rendered with the model's own GGUF chat template, with
 * the oldest turns dropped until prompt plus answer fit the context window.
 */
public final class ChatPrompt {
    private ChatPrompt() {}

    /** The rendered prompt and the turns that made it in. */
    public record Built(String text, int tokens, List<ChatMessage> kept, int dropped) {}

    public static Built build(PromptModel model, String system, List<ChatMessage> history, String question,
                              int ctxSize, int maxTokens) throws RagdeskException {
        var turns = new ArrayList<>(history);
        turns.add(ChatMessage.user(question));
        int budget = ctxSize - maxTokens;
        int dropped = 0;
        while (true) {
            var text = model.applyTemplate(system, turns);
            int tokens = model.countTokens(text);
            if (tokens <= budget) return new Built(text, tokens, List.copyOf(turns), dropped);
            if (turns.size() == 1) {
                throw new RagdeskException("the question needs " + tokens + " tokens but only " + budget
                        + " fit beside a " + maxTokens + "-token answer; shorten it or raise [llama].ctx_size");
            }
            // Drop the oldest exchange whole, so the history never starts with a reply.
            turns.remove(0);
            dropped++;
            if (turns.size() > 1 && "assistant".equals(turns.get(0).role())) {
                turns.remove(0);
                dropped++;
            }
        }
    }
}
