package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.testing.Fixtures;
import dev.ragdesk.models.SyntheticGguf;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RagCommandsTest {

    @TempDir Path home;
    Path docs;
    final JsonMapper json = JsonMapper.builder().build();

    private CliRun run(String... args) {
        return CliRun.in(home, Map.of(), args);
    }

    @BeforeEach
    void writeDocs() throws Exception {
        docs = Files.createDirectories(home.resolve("docs")).toRealPath();
        Files.writeString(docs.resolve("lighthouse.md"), """
                # Lighthouse manual

                ## Lamp

                The lamp of the lighthouse is lit at dusk and turned off at dawn.

                ## Fog

                In fog the keeper sounds the horn every thirty seconds.
                """);
        Files.writeString(docs.resolve("recipes.txt"), "Bake the bread for forty minutes.\n");
        Files.write(docs.resolve("junk.bin"), new byte[] {0, 1, 2, 3});
    }

    private void configureModels(Path rag) throws Exception {
        var chat = SyntheticGguf.llama().seed(5).writeTo(home.resolve("chat.gguf"));
        Files.writeString(home.resolve("config.toml"), "[models.rag]\npath = \"" + rag + "\"\n[models.chat]\npath = \"" + chat
                + "\"\n[llama]\nctx_size = 2048\n[retrieval]\ntop_k = 3\n");
    }

    @Test
    void indexSearchStatusAndRemove() throws Exception {
        var first = run("index", docs.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith("indexed 2 files"), first.out());
        assertTrue(first.out().contains("skipped " + docs.resolve("junk.bin") + ": binary file"), first.out());

        var again = run("index", "--json", docs.toString()).json();
        assertEquals(0, again.get("indexed").asInt());
        assertEquals(3, again.get("unchanged").asInt());

        var hits = run("search", "--json", "horn", "in", "fog").json();
        assertEquals(1, hits.get(0).get("rank").asInt());
        assertEquals(docs.resolve("lighthouse.md").toString(), hits.get(0).get("path").asText());
        assertEquals("Fog", hits.get(0).get("heading").asText());
        assertTrue(hits.get(0).get("location").asText().startsWith("lines "));
        assertTrue(hits.get(0).get("excerpt").asText().contains("**horn**"));
        assertTrue(hits.get(0).get("score").asDouble() > 0);

        var status = run("index", "--status", "--json").json();
        assertEquals(2, status.get("files").asInt());
        assertEquals(1, status.get("skippedFiles").asInt());

        var removed = run("index", "--remove", docs.resolve("lighthouse.md").toString());
        assertTrue(removed.out().startsWith("removed 1 file"), removed.out());
        assertEquals(0, run("search", "--json", "horn").json().size());
    }

    @Test
    void searchWithoutAnIndexSaysHowToMakeOne() {
        var r = run("search", "anything");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("run `ragdesk index PATH` first"), r.out());
    }

    @Test
    void indexOfAMissingPathIsOneLine() {
        var r = run("index", home.resolve("nope").toString());
        assertEquals(ExitCodes.RUNTIME_ERROR, r.code());
        assertEquals("ragdesk: cannot index " + home.resolve("nope") + ": no such file or folder", r.err().strip());
    }

    @Test
    void ragAnswerCitesTheRetrievedPassages() throws Exception {
        configureModels(SyntheticGguf.llama().writeTo(home.resolve("rag.gguf")));
        run("index", docs.toString());
        var answer = run("ask", "--mode", "rag", "--json", "--max-tokens", "8", "When is the lighthouse lamp lit?").json();
        assertEquals("rag", answer.get("mode").asText());
        var hits = run("search", "--json", "--top", "3", "When is the lighthouse lamp lit?").json();
        var citations = answer.get("citations");
        assertFalse(citations.isEmpty());
        for (int i = 0; i < citations.size(); i++) {
            assertEquals(i + 1, citations.get(i).get("n").asInt());
            assertEquals(hits.get(i).get("path").asText(), citations.get(i).get("path").asText(), "citation " + (i + 1));
            assertEquals(hits.get(i).get("location").asText(), citations.get(i).get("location").asText());
            assertEquals(hits.get(i).get("excerpt").asText(), citations.get(i).get("excerpt").asText());
        }
        var text = run("ask", "--mode", "rag", "--max-tokens", "4", "When is the lighthouse lamp lit?");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("\nSources:\n[1] " + docs.resolve("lighthouse.md") + ", lines "), text.out());
    }

    @Test
    void stories260KAsTheRagModelReturnsMatchingCitations() throws Exception {
        configureModels(Fixtures.require("stories260K.gguf"));
        run("index", docs.toString());
        var answer = run("ask", "--mode", "rag", "--json", "--max-tokens", "16", "--temperature", "0", "how long to bake bread").json();
        assertEquals("stories260K", answer.get("model").asText());
        assertTrue(answer.get("answer").isTextual());
        assertEquals(docs.resolve("recipes.txt").toString(), answer.get("citations").get(0).get("path").asText());
        assertEquals("line 1", answer.get("citations").get(0).get("location").asText());
    }

    @Test
    void nothingRelevantInRagModeIsAClearMessageAndAutoModeFallsBackToChat() throws Exception {
        configureModels(SyntheticGguf.llama().writeTo(home.resolve("rag.gguf")));
        run("index", docs.toString());
        var named = run("ask", "--mode", "rag", "hi");
        assertEquals(ExitCodes.RUNTIME_ERROR, named.code());
        assertTrue(named.err().contains("nothing in your documents matches this question"), named.err());
        assertTrue(named.err().contains("chat mode"), named.err());

        var auto = run("ask", "--max-tokens", "4", "hi");
        assertEquals(0, auto.code(), auto.err());
        assertTrue(auto.err().contains("(rag mode)"), auto.err());
        assertTrue(auto.err().contains("answering in chat mode"), auto.err());
        assertFalse(auto.out().isBlank());
    }
}
