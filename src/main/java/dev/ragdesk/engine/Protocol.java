package dev.ragdesk.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The line-delimited JSON spoken between the host and a model worker over the worker's
 * stdin/stdout. Each message is one line: an ASCII record separator (0x1E), then a JSON object
 * with {@code "v"} (protocol version) and {@code "type"}. The separator keeps the channel
 * readable when a native library prints stray text to stdout: anything before it, and any
 * line without it, is not protocol and goes to the log.
 *
 * <p>Written and read with Jackson's streaming parser and generator, field by field, not with
 * its object mapper: a worker is a fresh JVM on every swap, and the mapper's set-up for these
 * thirteen records (annotation scanning, reflection, serializer construction) cost each worker
 * ~0.2 s of CPU, which back-to-back swaps on two cores paid in full.
 */
public final class Protocol {
    public static final int VERSION = 1;
    public static final char SEPARATOR = '\u001E';

    private static final JsonFactory JSON = new JsonFactory();

    private Protocol() {}

    /** Host → worker. */
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
        var text = new StringWriter();
        text.write(SEPARATOR);
        try (var g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("type", typeName(message));
            writeFields(g, message);
            g.writeNumberField("v", VERSION);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + message, e);
        }
        return text.toString();
    }

    private static String typeName(Object message) {
        if (message instanceof Load) return "load";
        if (message instanceof Generate) return "generate";
        if (message instanceof Cancel) return "cancel";
        if (message instanceof Tokenize) return "tokenize";
        if (message instanceof ApplyTemplate) return "apply-template";
        if (message instanceof Shutdown) return "shutdown";
        if (message instanceof Ready) return "ready";
        if (message instanceof Loaded) return "loaded";
        if (message instanceof Token) return "token";
        if (message instanceof Done) return "done";
        if (message instanceof Tokens) return "tokens";
        if (message instanceof Template) return "template";
        if (message instanceof Error) return "error";
        throw new IllegalArgumentException("not a protocol message: " + message);
    }

    private static void writeFields(JsonGenerator g, Object message) throws IOException {
        if (message instanceof Load m) {
            g.writeStringField("path", m.path());
            g.writeNumberField("ctxSize", m.ctxSize());
            g.writeNumberField("gpuLayers", m.gpuLayers());
            g.writeNumberField("threads", m.threads());
            g.writeBooleanField("flashAttn", m.flashAttn());
        } else if (message instanceof Generate m) {
            g.writeStringField("id", m.id());
            g.writeStringField("prompt", m.prompt());
            g.writeNumberField("maxTokens", m.maxTokens());
            g.writeNumberField("temperature", m.temperature());
            g.writeNumberField("seed", m.seed());
            writeStrings(g, "stop", m.stop());
            writeMessages(g, "messages", m.messages());
        } else if (message instanceof Cancel m) {
            g.writeStringField("id", m.id());
        } else if (message instanceof Tokenize m) {
            g.writeStringField("id", m.id());
            g.writeStringField("text", m.text());
        } else if (message instanceof ApplyTemplate m) {
            g.writeStringField("id", m.id());
            g.writeStringField("system", m.system());
            writeMessages(g, "messages", m.messages());
        } else if (message instanceof Ready m) {
            g.writeNumberField("pid", m.pid());
            g.writeNumberField("startupMs", m.startupMs());
        } else if (message instanceof Loaded m) {
            g.writeNumberField("loadMs", m.loadMs());
        } else if (message instanceof Token m) {
            g.writeStringField("id", m.id());
            g.writeStringField("text", m.text());
        } else if (message instanceof Done m) {
            g.writeStringField("id", m.id());
            g.writeNumberField("tokens", m.tokens());
            g.writeStringField("reason", m.reason());
            g.writeNumberField("firstTokenMs", m.firstTokenMs());
            g.writeNumberField("totalMs", m.totalMs());
        } else if (message instanceof Tokens m) {
            g.writeStringField("id", m.id());
            g.writeNumberField("count", m.count());
        } else if (message instanceof Template m) {
            g.writeStringField("id", m.id());
            g.writeStringField("prompt", m.prompt());
        } else if (message instanceof Error m) {
            g.writeStringField("id", m.id());
            g.writeStringField("message", m.message());
        }
    }

    private static void writeStrings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeFieldName(name);
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (var v : values) g.writeString(v);
        g.writeEndArray();
    }

    private static void writeMessages(JsonGenerator g, String name, List<ChatMessage> messages) throws IOException {
        g.writeFieldName(name);
        if (messages == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (var m : messages) {
            g.writeStartObject();
            g.writeStringField("role", m.role());
            g.writeStringField("content", m.content());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The message in {@code line}, or empty when the line is not protocol (stray library output). */
    public static <T> Optional<T> decode(String line, Class<T> type) throws ProtocolException {
        int start = line.indexOf(SEPARATOR);
        if (start < 0) return Optional.empty();
        var json = line.substring(start + 1);
        Fields fields;
        try (var p = JSON.createParser(json)) {
            fields = Fields.read(p);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException("unreadable protocol line: " + json, e);
        }
        long version = fields.number("v", -1);
        if (version != VERSION) {
            throw new ProtocolException("protocol version " + version + " where " + VERSION + " was expected; "
                    + "the worker and host come from different builds");
        }
        var message = fields.message();
        if (!type.isInstance(message)) throw new ProtocolException("unreadable protocol line: " + json + " (not a " + type.getSimpleName() + ")");
        return Optional.of(type.cast(message));
    }

    /** One message's fields as read: strings, numbers, booleans, lists of strings or of chat messages; absent ones take defaults. */
    private record Fields(Map<String, Object> values) {
        static Fields read(JsonParser p) throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a JSON object");
            var values = new HashMap<String, Object>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var name = p.currentName();
                values.put(name, value(p, p.nextToken()));
            }
            return new Fields(values);
        }

        private static Object value(JsonParser p, JsonToken token) throws IOException {
            switch (token) {
                case VALUE_STRING: return p.getText();
                case VALUE_NUMBER_INT: return p.getLongValue();
                case VALUE_NUMBER_FLOAT: return p.getDoubleValue();
                case VALUE_TRUE: return Boolean.TRUE;
                case VALUE_FALSE: return Boolean.FALSE;
                case VALUE_NULL: return null;
                case START_ARRAY: {
                    var list = new ArrayList<Object>();
                    JsonToken next;
                    while ((next = p.nextToken()) != JsonToken.END_ARRAY) list.add(value(p, next));
                    return list;
                }
                case START_OBJECT: {
                    var object = new HashMap<String, Object>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        var name = p.currentName();
                        object.put(name, value(p, p.nextToken()));
                    }
                    return object;
                }
                default: throw new IOException("unexpected " + token);
            }
        }

        String string(String name) {
            var v = values.get(name);
            return v == null ? null : v.toString();
        }

        long number(String name, long absent) {
            return values.get(name) instanceof Number n ? n.longValue() : absent;
        }

        int integer(String name) {
            return Math.toIntExact(number(name, 0));
        }

        double decimal(String name) {
            return values.get(name) instanceof Number n ? n.doubleValue() : 0;
        }

        boolean bool(String name) {
            return Boolean.TRUE.equals(values.get(name));
        }

        List<String> strings(String name) {
            if (!(values.get(name) instanceof List<?> list)) return null;
            var out = new ArrayList<String>(list.size());
            for (var item : list) out.add(item == null ? null : item.toString());
            return out;
        }

        List<ChatMessage> messages(String name) throws IOException {
            if (!(values.get(name) instanceof List<?> list)) return null;
            var out = new ArrayList<ChatMessage>(list.size());
            for (var item : list) {
                if (!(item instanceof Map<?, ?> m)) throw new IOException(name + " holds something other than messages");
                out.add(new ChatMessage(asString(m.get("role")), asString(m.get("content"))));
            }
            return out;
        }

        private static String asString(Object v) {
            return v == null ? null : v.toString();
        }

        Object message() throws ProtocolException {
            var type = string("type");
            try {
                return switch (type == null ? "" : type) {
                    case "load" -> new Load(string("path"), integer("ctxSize"), integer("gpuLayers"), integer("threads"), bool("flashAttn"));
                    case "generate" -> new Generate(string("id"), string("prompt"), integer("maxTokens"), decimal("temperature"),
                            integer("seed"), strings("stop"), messages("messages"));
                    case "cancel" -> new Cancel(string("id"));
                    case "tokenize" -> new Tokenize(string("id"), string("text"));
                    case "apply-template" -> new ApplyTemplate(string("id"), string("system"), messages("messages"));
                    case "shutdown" -> new Shutdown();
                    case "ready" -> new Ready(number("pid", 0), number("startupMs", 0));
                    case "loaded" -> new Loaded(number("loadMs", 0));
                    case "token" -> new Token(string("id"), string("text"));
                    case "done" -> new Done(string("id"), integer("tokens"), string("reason"), number("firstTokenMs", 0), number("totalMs", 0));
                    case "tokens" -> new Tokens(string("id"), integer("count"));
                    case "template" -> new Template(string("id"), string("prompt"));
                    case "error" -> new Error(string("id"), string("message"));
                    default -> throw new ProtocolException("unknown message type \"" + type + "\"");
                };
            } catch (IOException | ArithmeticException e) {
                throw new ProtocolException("unreadable " + type + " message: " + e.getMessage(), e);
            }
        }
    }

    public static final class ProtocolException extends Exception {
        public ProtocolException(String message) { super(message); }
        public ProtocolException(String message, Throwable cause) { super(message, cause); }
    }
}
