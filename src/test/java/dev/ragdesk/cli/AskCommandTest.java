package dev.ragdesk.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.process.JvmCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AskCommandTest {

    @TempDir Path home;

    private CliRun ask(String... args) {
        var argv = new ArrayList<>(List.of("ask"));
        argv.addAll(List.of(args));
        return CliRun.in(home, Map.of(), argv.toArray(String[]::new));
    }

    private void configureChatModel() throws Exception {
        var model = SyntheticGguf.llama().writeTo(home.resolve("models/tiny.gguf"));
        // the jvm engine, whatever llama-server this machine has: these tests count its worker JVMs
        Files.writeString(home.resolve("config.toml"), "[engine]\nkind = \"jvm\"\n[models.chat]\npath = \"" + model + "\"\n[llama]\nctx_size = 2048\n");
    }

    @Test
    void streamsAnAnswerAsText() throws Exception {
        configureChatModel();
        var r = ask("--mode", "chat", "--max-tokens", "8", "--temperature", "0", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().isBlank());
        assertTrue(r.err().contains("tiny loaded in"), r.err());
        assertEquals(0, WorkerCensus.now().workers(), "no worker outlives the command");
    }

    @Test
    void jsonSummaryHasTheDocumentedFields() throws Exception {
        configureChatModel();
        var r = ask("--mode", "chat", "--json", "--max-tokens", "8", "--temperature", "0", "--seed", "3", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        var json = JsonMapper.builder().build().readTree(r.out());
        for (var field : List.of("answer", "mode", "model", "load_ms", "ttft_ms", "tokens", "tokens_per_s", "citations")) {
            assertTrue(json.has(field), field + " missing in " + r.out());
        }
        assertEquals("chat", json.get("mode").asText());
        assertEquals("tiny", json.get("model").asText());
        assertEquals(8, json.get("tokens").asInt());
        assertFalse(json.get("answer").asText().isEmpty());
        assertTrue(json.get("citations").isArray() && json.get("citations").isEmpty());
        assertTrue(json.get("load_ms").asLong() > 0 && json.get("ttft_ms").asLong() >= 0);
        var again = JsonMapper.builder().build().readTree(
                ask("--mode", "chat", "--json", "--max-tokens", "8", "--temperature", "0", "--seed", "3", "Once upon a time").out());
        assertEquals(json.get("answer"), again.get("answer"), "same seed and temperature 0: same answer");
    }

    @Test
    void missingModelNamesTheDownloadCommand() {
        var r = ask("--mode", "chat", "hello");
        assertEquals(ExitCodes.RUNTIME_ERROR, r.code());
        assertTrue(r.err().startsWith("ragdesk: no chat model yet: run `ragdesk download chat`"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line");
    }

    @Test
    void badConfiguredPathIsNamed() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[models.chat]\npath = \"nowhere/x.gguf\"\n");
        var r = ask("--mode", "chat", "hello");
        assertEquals(ExitCodes.RUNTIME_ERROR, r.code());
        assertTrue(r.err().contains("the chat model file " + home.resolve("nowhere/x.gguf") + " does not exist"), r.err());
    }

    @Test
    void ragModeWithoutAnIndexSaysSoPlainly() throws Exception {
        configureChatModel();
        var r = ask("--mode", "rag", "what does my contract say?");
        assertEquals(ExitCodes.RUNTIME_ERROR, r.code());
        assertTrue(r.err().contains("no documents are indexed yet"), r.err());
        assertTrue(r.err().contains("--mode chat"), r.err());
    }

    @Test
    void withoutModeAndWithoutDocumentsItChats() throws Exception {
        configureChatModel();
        var r = ask("--max-tokens", "4", "hi");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("(chat mode: no documents indexed yet)"), r.err());
    }

    @Test
    void unknownModeIsAUsageError() {
        var r = ask("--mode", "poetry", "hi");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("mode must be rag or chat"), r.err());
    }

    @Test
    void ctrlCStopsTheAnswerExits130AndLeavesNoWorker() throws Exception {
        configureChatModel();
        var cmd = JvmCommand.current().build(List.of("-Xmx256m"), Main.class.getName(),
                List.of("--home", home.toString(), "ask", "--mode", "chat", "--max-tokens", "1800", "--temperature", "0", "Once upon a time"));
        var process = new ProcessBuilder(cmd).redirectError(home.resolve("err.txt").toFile()).start();
        try {
            var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(out.read() >= 0, "the answer started streaming");
            var workerTag = "-Dde.kherud.llama.tmpdir=" + home.resolve(".data/tmp/llama");
            assertEquals(1, workersTagged(workerTag).size(), "one worker while answering");

            new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
            out.transferTo(Writer.nullWriter());
            assertEquals(ExitCodes.INTERRUPTED, process.waitFor());
            assertTrue(Files.readString(home.resolve("err.txt")).contains("interrupted"));
            assertEquals(List.of(), workersTagged(workerTag), "the worker ended with the command");
        } finally {
            process.destroyForcibly();
        }
    }

    private static List<Long> workersTagged(String tag) {
        return ProcessHandle.allProcesses()
                .filter(p -> WorkerCensus.arguments(p.pid()).contains(tag))
                .map(ProcessHandle::pid)
                .filter(pid -> !WorkerCensus.hasExited(pid))
                .toList();
    }
}
