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

    /**
     * Encodes and decodes one message of each kind. Jackson builds a type's (de)serializer the
     * first time it meets it, which in a worker JVM that has just started cost the first load
     * and the first token of each swap ~50 ms; a pre-started worker does this while it waits.
     */
    public static void warmUp() {
        var chat = List.of(new ChatMessage("user", "hi"));
        var requests = List.<Request>of(new Load("/m.gguf", 2048, 0, 1, false), new Generate("g", "p", 1, 0.5, 1, List.of("x"), chat),
                new Cancel("g"), new Tokenize("t", "x"), new ApplyTemplate("a", "s", chat), new Shutdown());
        var events = List.<Event>of(new Ready(1, 1), new Loaded(1), new Token("g", "x"), new Done("g", 1, "stop", 1, 1),
                new Tokens("t", 1), new Template("a", "p"), new Error("e", "m"));
        try {
            for (var r : requests) requireRoundTrip(r, decode(encode(r), Request.class));
            for (var e : events) requireRoundTrip(e, decode(encode(e), Event.class));
        } catch (ProtocolException e) {
            throw new IllegalStateException("the protocol cannot read its own messages", e);
        }
    }

    private static void requireRoundTrip(Object sent, Optional<?> read) {
        if (!read.equals(Optional.of(sent))) throw new IllegalStateException("the protocol read " + read + " for " + sent);
    }

    public static String encode(Object message) {
        if (message instanceof Ready ready) return readyLine(ready);
        return encodeWithJackson(message);
    }

    /**
     * "ready", written without Jackson: it is a worker's first message, and setting Jackson up
     * for it took ~50 ms of every worker's start to ready, the wait of a swap whose pre-started
     * worker is still starting. Two numbers, nothing to escape; ProtocolTest holds it to
     * Jackson's encoding.
     */
    private static String readyLine(Ready ready) {
        return SEPARATOR + "{\"type\":\"ready\",\"pid\":" + ready.pid() + ",\"startupMs\":" + ready.startupMs()
                + ",\"v\":" + VERSION + "}";
    }

    /** Jackson's encoding of any message; {@link #encode} is this for all but "ready". */
    static String encodeWithJackson(Object message) {
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
