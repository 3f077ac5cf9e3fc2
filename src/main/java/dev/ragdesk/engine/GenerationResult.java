package dev.ragdesk.engine;

/**
 * How a generation ended.
 *
 * @param reason       "stop" (end of text or a stop string), "length" (max tokens) or "cancelled"
 * @param firstTokenMs from the request to the first streamed token, -1 if none came
 */
public record GenerationResult(String text, int tokens, String reason, long firstTokenMs, long totalMs) {
    public boolean cancelled() { return "cancelled".equals(reason); }

    public double tokensPerSecond() {
        long decodeMs = totalMs - Math.max(firstTokenMs, 0);
        return tokens <= 1 || decodeMs <= 0 ? 0 : (tokens - 1) * 1000.0 / decodeMs;
    }
}
