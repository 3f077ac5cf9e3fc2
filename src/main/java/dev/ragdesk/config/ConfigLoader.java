package dev.ragdesk.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads config.toml into {@link Config}, or explains in one line why it cannot. */
public final class ConfigLoader {

    /** The effective config, where it came from, and any keys that were ignored. */
    public record Loaded(Config config, Path file, boolean fromFile, List<String> warnings) {
        /** These warnings and {@code more}. */
        public Loaded plus(List<String> more) {
            var all = new ArrayList<>(warnings);
            all.addAll(more);
            return new Loaded(config, file, fromFile, List.copyOf(all));
        }
    }

    private final TomlMapper mapper = TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    public Loaded load(Path file) throws ConfigException {
        if (!Files.exists(file)) return new Loaded(Config.DEFAULTS, file, false, List.of());
        var text = read(file);
        var tree = parse(file, text);
        var unknown = new ArrayList<String>();
        var config = bind(file, text, tree, unknown);
        var violations = ConfigValidator.validate(config);
        if (!violations.isEmpty()) {
            var v = violations.get(0);
            var more = violations.size() > 1 ? " (and " + (violations.size() - 1) + " more problem(s))" : "";
            throw new ConfigException(file, TomlLines.lineOf(text, v.path()), String.join(".", v.path()), v.problem() + more, null);
        }
        var warnings = new ArrayList<String>();
        unknown.sort(Comparator.comparingInt(key -> TomlLines.lineOf(text, Arrays.asList(key.split("\\.")))));
        for (var key : unknown) {
            warnings.add(location(file, text, key) + "unknown key " + key + " is ignored (see the README's config reference)");
        }
        for (var action : config.ui().keys().keySet()) {
            if (!Config.Ui.DEFAULT_KEYS.containsKey(action)) {
                warnings.add(location(file, text, "ui.keys." + action) + "unknown key action ui.keys." + action
                        + " is ignored; actions are " + String.join(", ", Config.Ui.DEFAULT_KEYS.keySet()));
            }
        }
        config.models().byRole().forEach((role, spec) -> {
            if (spec.isRemote() && !spec.apiKeyEnv().isEmpty() && sentInClear(spec.endpoint())) {
                warnings.add(location(file, text, "models." + role + ".endpoint") + "models." + role + ".endpoint is plain http:// to "
                        + "another machine, so the key in $" + spec.apiKeyEnv() + " and your questions and passages cross the network"
                        + " unencrypted; use https://");
            }
        });
        var solr = config.solr();
        boolean credentials = !solr.passwordEnv().isEmpty() || !solr.apiKeyEnv().isEmpty();
        if (credentials && solr.urls().stream().anyMatch(ConfigLoader::sentInClear)) {
            warnings.add(location(file, text, "solr.url") + "solr.url is plain http:// to another machine, so the Solr credentials and"
                    + " your documents cross the network unencrypted; use https://");
        }
        return new Loaded(config, file, true, List.copyOf(warnings));
    }

    /** http:// to anything but this machine; names are not resolved (no lookup at start-up), so only literal loopback counts. */
    static boolean sentInClear(String endpoint) {
        try {
            var uri = URI.create(endpoint);
            if (!"http".equalsIgnoreCase(uri.getScheme())) return false;
            var host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            return !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false; // the endpoint's own check names a malformed URL
        }
    }

    /** Writes the effective config as TOML with one {@code [table]} per section, as {@code ragdesk config} prints it. */
    public String toToml(Config config) {
        var out = new StringBuilder();
        writeTable(out, "", mapper.valueToTree(config));
        return out.toString().stripLeading();
    }

    private void writeTable(StringBuilder out, String name, JsonNode table) {
        var scalars = new StringBuilder();
        var subtables = new ArrayList<Map.Entry<String, JsonNode>>();
        table.fields().forEachRemaining(field -> {
            if (field.getValue().isObject()) subtables.add(field);
            else scalars.append(field.getKey()).append(" = ").append(tomlValue(field.getValue())).append('\n');
        });
        if (!name.isEmpty() && (scalars.length() > 0 || subtables.isEmpty())) out.append("\n[").append(name).append("]\n");
        out.append(scalars);
        for (var sub : subtables) writeTable(out, name.isEmpty() ? sub.getKey() : name + "." + sub.getKey(), sub.getValue());
    }

    /** JSON string escapes (quote, backslash, newline, unicode) are all valid in a TOML basic string. */
    private static String tomlValue(JsonNode value) {
        return value.toString();
    }

    private static String read(Path file) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            var reason = Files.isDirectory(file) ? "is a directory, not a file" : "cannot be read (" + e.getMessage() + ")";
            throw new ConfigException(file, 0, "", reason + "; fix its permissions or move it away to use the defaults", e);
        }
        try {
            var text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text; // some editors start UTF-8 with a byte-order mark
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, 0, "", "is not valid UTF-8; save it as UTF-8 text", e);
        }
    }

    private JsonNode parse(Path file, String text) throws ConfigException {
        try {
            var tree = mapper.readTree(text);
            return tree == null ? mapper.createObjectNode() : tree;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            int line = loc == null ? 0 : loc.getLineNr();
            throw new ConfigException(file, Math.max(line, 0), "", "TOML syntax error: " + firstLine(e.getOriginalMessage()), e);
        }
    }

    private Config bind(Path file, String text, JsonNode tree, List<String> unknown) throws ConfigException {
        var reader = mapper.readerFor(Config.class).withHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                                 Object beanOrClass, String propertyName) throws IOException {
                unknown.add(dotted(p.getParsingContext().pathAsPointer().toString()));
                p.skipChildren();
                return true;
            }
        });
        try {
            return reader.readValue(tree);
        } catch (JsonMappingException e) {
            var path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                    .toList();
            throw new ConfigException(file, TomlLines.lineOf(text, path), String.join(".", path), describe(e), e);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "", "cannot be read (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    private static String describe(JsonMappingException e) {
        if (e instanceof ValueInstantiationException && e.getCause() != null) return e.getCause().getMessage();
        if (e instanceof InvalidFormatException f) {
            return "expected " + expected(f.getTargetType()) + ", not " + quoted(f.getValue());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "expected " + expected(m.getTargetType());
        }
        return firstLine(e.getOriginalMessage());
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "a whole number";
        if (type == Double.class || type == double.class) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "a string in quotes";
        if (Map.class.isAssignableFrom(type) || type.isRecord()) return "a table";
        return type.getSimpleName();
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String location(Path file, String text, String dottedKey) {
        int line = TomlLines.lineOf(text, Arrays.asList(dottedKey.split("\\.")));
        return file + (line > 0 ? ":" + line : "") + ": ";
    }

    private static String dotted(String pointer) {
        return Arrays.stream(pointer.split("/")).filter(part -> !part.isEmpty()).collect(Collectors.joining("."));
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown problem";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
