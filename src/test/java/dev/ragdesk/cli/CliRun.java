package dev.ragdesk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One command line run in-process, with what it printed. */
record CliRun(int code, String out, String err) {

    static CliRun exec(Map<String, String> env, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** {@code ragdesk --home HOME args...} */
    static CliRun in(Path home, Map<String, String> env, String... args) {
        var argv = new ArrayList<>(List.of("--home", home.toString()));
        argv.addAll(List.of(args));
        return exec(env, argv.toArray(String[]::new));
    }

    JsonNode json() throws Exception {
        return JsonMapper.builder().build().readTree(out);
    }
}
