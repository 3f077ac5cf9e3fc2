package dev.ragdesk.engine;

import java.util.List;

/** A completion to run on the active model. */
/**
 * @param messages the conversation the prompt renders, system message first, for engines that
 *                 apply the chat template themselves (remote endpoints); null for a plain completion
 */
public record GenerateRequest(String prompt, int maxTokens, double temperature, int seed, List<String> stop,
                              List<ChatMessage> messages) {
    public GenerateRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
        messages = messages == null ? null : List.copyOf(messages);
    }

    public GenerateRequest(String prompt, int maxTokens, double temperature, int seed, List<String> stop) {
        this(prompt, maxTokens, temperature, seed, stop, null);
    }
}
