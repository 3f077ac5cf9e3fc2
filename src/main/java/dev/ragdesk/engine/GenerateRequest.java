package dev.ragdesk.engine;

import java.util.List;

/** A completion to run on the active model. */
public record GenerateRequest(String prompt, int maxTokens, double temperature, int seed, List<String> stop) {
    public GenerateRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
