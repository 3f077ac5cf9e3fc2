package dev.ragdesk.engine;

import dev.ragdesk.RagdeskException;

import java.util.List;

/** What prompt building needs from the active model: its tokenizer and its chat template. */
public interface PromptModel {
    /** Number of tokens {@code text} takes in the active model (no BOS). */
    int countTokens(String text) throws RagdeskException;

    /** Renders a conversation with the model's own chat template (java-llama.cpp falls back to ChatML). */
    String applyTemplate(String system, List<ChatMessage> messages) throws RagdeskException;
}
