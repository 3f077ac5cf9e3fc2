package dev.ragdesk.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.models.SyntheticGguf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class StatusCommandTest {

    @TempDir Path home;

    private String run(String... args) {
        var argv = new ArrayList<>(List.of("status"));
        argv.addAll(List.of(args));
        // no GPU sources, whatever this machine has (a GPU host too)
        var r = CliRun.in(home, Map.of("PATH", home.resolve("no-bin").toString(), "RAGDESK_GPU", "none"), argv.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    @Test
    void jsonHasTheDocumentedFields() throws Exception {
        var model = SyntheticGguf.llama().layers(3).writeTo(home.resolve("m.gguf"));
        Files.writeString(home.resolve("config.toml"), "[models.chat]\npath = \"" + model + "\"\n");
        var json = JsonMapper.builder().build().readTree(run("--json"));
        for (var field : List.of("gpu", "natives", "current_model", "models", "index", "paths", "versions")) {
            assertTrue(json.has(field), field);
        }
        assertEquals("none", json.get("gpu").get("source").asText());
        assertTrue(json.get("gpu").get("ram_total_mb").asLong() > 0);
        assertFalse(json.get("natives").get("gpu_offload").asBoolean());
        assertEquals("none", json.get("current_model").asText());
        assertEquals("not built", json.get("index").asText());
        var chat = json.get("models").get(1);
        assertEquals("chat", chat.get("role").asText());
        assertEquals(3, chat.get("total_layers").asInt());
        assertEquals(0, chat.get("planned_gpu_layers").asInt(), "CPU-only natives plan 0 layers");
        assertEquals("4.2.0", json.get("versions").get("java_llama_cpp").asText());
        assertEquals("9.12.3", json.get("versions").get("lucene").asText());
        assertEquals(home.resolve("index").toString(), json.get("paths").get("index").asText());
    }

    @Test
    void textSaysNoGpuAndShowsRam() {
        var text = run();
        assertTrue(text.startsWith("no GPU (no NVML, no nvidia-smi); RAM "), text);
        assertTrue(text.contains("running: none"), text);
    }
}
