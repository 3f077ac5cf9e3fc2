package dev.ragdesk.engine;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * The line-delimited JSON spoken between the host and a model worker over the worker's
 * stdin/stdout. Each message is one line: an ASCII record separator (0x1E), then a JSON object
 * with {@code "v"} (protocol version) and {@code "type"}. The separator keeps the channel
 * readable when a native library prints stray text to stdout: anything before it, and any
 * line without it, is not protocol and goes to the log.
 */
public final class Protocol {
    public static final int VERSION = 1;
    public static final char SEPARATOR = '\u001E';

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Protocol() {}

    /** Host → worker. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Load.class, name = "load"),
            @JsonSubTypes.Type(value = Generate.class, name = "generate"),
            @JsonSubTypes.Type(value = Cancel.class, name = "cancel"),
            @JsonSubTypes.Type(value = Tokenize.class, name = "tokenize"),
            @JsonSubTypes.Type(value = ApplyTemplate.class, name = "apply-template"),
            @JsonSubTypes.Type(value = Shutdown.class, name = "shutdown")})
    public sealed interface Request permits Load, Generate, Cancel, Tokenize, ApplyTemplate, Shutdown {}

    public record Load(String path, int ctxSize, int gpuLayers, int threads, boolean flashAttn) implements Request {}

    /** {@code messages}: the same conversation as chat messages, for engines that take them (remote ones); null for a completion. */
    public record Generate(String id, String prompt, int maxTokens, double temperature, int seed,
                           List<String> stop, List<ChatMessage> messages) implements Request {}

    public record Cancel(String id) implements Request {}

    public record Tokenize(String id, String text) implements Request {}

    public record ApplyTemplate(String id, String system, List<ChatMessage> messages) implements Request {}

    public record Shutdown() implements Request {}

    /** Worker → host. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Ready.class, name = "ready"),
            @JsonSubTypes.Type(value = Loaded.class, name = "loaded"),
            @JsonSubTypes.Type(value = Token.class, name = "token"),
            @JsonSubTypes.Type(value = Done.class, name = "done"),
            @JsonSubTypes.Type(value = Tokens.class, name = "tokens"),
            @JsonSubTypes.Type(value = Template.class, name = "template"),
            @JsonSubTypes.Type(value = Error.class, name = "error")})
    public sealed interface Event permits Ready, Loaded, Token, Done, Tokens, Template, Error {}

    /** The worker is up and its native library is loaded; it holds no model yet. {@code startupMs}: from its main() to now. */
    public record Ready(long pid, long startupMs) implements Event {}

    public record Loaded(long loadMs) implements Event {}

    public record Token(String id, String text) implements Event {}

    /** {@code reason}: "stop" (end of text or a stop string), "length" (max tokens) or "cancelled". */
    public record Done(String id, int tokens, String reason, long firstTokenMs, long totalMs) implements Event {}

    public record Tokens(String id, int count) implements Event {}

    public record Template(String id, String prompt) implements Event {}

    /** {@code id} is empty for failures outside a request, such as a failed load. */
    public record Error(String id, String message) implements Event {}

    public static String encode(Object message) {
        ObjectNode node = JSON.valueToTree(message);
        node.put("v", VERSION);
        try {
            return SEPARATOR + JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message, e);
        }
    }

    /** The message in {@code line}, or empty when the line is not protocol (stray library output). */
    public static <T> Optional<T> decode(String line, Class<T> type) throws ProtocolException {
        int start = line.indexOf(SEPARATOR);
        if (start < 0) return Optional.empty();
        try {
            var node = (ObjectNode) JSON.readTree(line.substring(start + 1));
            int version = node.path("v").asInt(-1);
            if (version != VERSION) {
                throw new ProtocolException("protocol version " + version + " where " + VERSION + " was expected; "
                        + "the worker and host come from different builds");
            }
            node.remove("v");
            return Optional.of(JSON.treeToValue(node, type));
        } catch (JsonProcessingException | ClassCastException e) {
            throw new ProtocolException("unreadable protocol line: " + line.substring(start + 1), e);
        }
    }

    public static final class ProtocolException extends Exception {
        public ProtocolException(String message) { super(message); }
        public ProtocolException(String message, Throwable cause) { super(message, cause); }
    }
}
