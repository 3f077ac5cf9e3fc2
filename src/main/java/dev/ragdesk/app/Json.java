package dev.ragdesk.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The JSON that commands print with --json. */
public final class Json {
    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final JsonMapper COMPACT = JsonMapper.builder().build();

    private Json() {}

    public static String pretty(Object value) throws JsonProcessingException {
        return PRETTY.writeValueAsString(value);
    }

    /** One line, for outputs that scripts read line by line. */
    public static String line(Object value) throws JsonProcessingException {
        return COMPACT.writeValueAsString(value);
    }
}
