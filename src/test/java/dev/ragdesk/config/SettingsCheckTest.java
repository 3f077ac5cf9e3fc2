package dev.ragdesk.config;

import dev.ragdesk.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Settings the user wrote that cannot be used each get one line naming the key, its line and the trouble. */
class SettingsCheckTest {
    @TempDir Path home;

    private List<String> problems(String toml, Map<String, String> env) throws Exception {
        Files.writeString(home.resolve("config.toml"), toml);
        var loaded = new ConfigLoader().load(home.resolve("config.toml"));
        return SettingsCheck.problems(loaded, new Workspace(home), env).stream().map(SettingsCheck.Problem::line).toList();
    }

    private List<String> problems(String toml) throws Exception {
        return problems(toml, Map.of());
    }

    private String only(List<String> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    @Test
    void anEmbedModelPathToNothingIsNamedNotLeftToBm25() throws Exception {
        var line = only(problems("[models.embed]\npath = \"models/e5.onnx\"\n"));
        assertTrue(line.startsWith(home.resolve("config.toml") + ":2: models.embed.path is " + home.resolve("models/e5.onnx")
                + ", which does not exist"), line);
    }

    @Test
    void aModelFileWithoutItsTokenizerBesideItIsNamed() throws Exception {
        Files.createDirectories(home.resolve("m"));
        Files.writeString(home.resolve("m/model.onnx"), "x");
        var line = only(problems("[models.embed]\npath = \"m/model.onnx\"\n"));
        assertTrue(line.contains("models.embed.path needs " + home.resolve("m/tokenizer.json")), line);
        Files.writeString(home.resolve("m/tokenizer.json"), "{}");
        assertEquals(List.of(), problems("[models.embed]\npath = \"m/model.onnx\"\n"), "both files there: nothing to say");
    }

    @Test
    void aSolrCredentialVariableThatIsNotSetIsNamed() throws Exception {
        var toml = "[solr]\nurl = \"https://solr.lab:8983/solr\"\nuser = \"team\"\npassword_env = \"LAB_SOLR_PW\"\n";
        var line = only(problems(toml));
        assertTrue(line.startsWith(home.resolve("config.toml") + ":4: solr.password_env names $LAB_SOLR_PW, which is not set here"), line);
        assertEquals(List.of(), problems(toml, Map.of("LAB_SOLR_PW", "secret")));
    }

    @Test
    void aKeyVariableThatIsNotSetIsNamedAndASetOneIsNot() throws Exception {
        var toml = "[models.chat]\nendpoint = \"https://vllm.lab/v1\"\nmodel = \"llama\"\napi_key_env = \"LAB_KEY\"\n";
        var line = only(problems(toml));
        assertTrue(line.startsWith(home.resolve("config.toml") + ":4: models.chat.api_key_env names $LAB_KEY, which is not set here"), line);
        assertEquals(List.of(), problems(toml, Map.of("LAB_KEY", "secret")));
    }

    @Test
    void settingsNothingReadsAreNamed() throws Exception {
        assertTrue(only(problems("[models.chat]\napi_key_env = \"K\"\n")).contains("models.chat.api_key_env is not used: models.chat has no endpoint"));
        var server = Files.writeString(home.resolve("llama-server"), "#!/bin/sh\n");
        server.toFile().setExecutable(true);
        assertTrue(only(problems("[engine]\nkind = \"jvm\"\nllama_server = \"llama-server\"\n"))
                .contains("engine.llama_server is not used: engine.kind is \"jvm\""));
        assertTrue(only(problems("[voice]\ncommand = \"arecord -f S16_LE\"\n")).contains("voice.command is not used: voice.source is \"mic\""));
        var remote = only(problems("[models.rag]\npath = \"a.gguf\"\nendpoint = \"https://x/v1\"\nmodel = \"m\"\n"));
        assertTrue(remote.contains("models.rag.path is not used: models.rag.endpoint serves this role"), remote);
    }

    @Test
    void aNativeLibraryFolderIsReadByTheJvmEngineOnly() throws Exception {
        Files.createDirectories(home.resolve("natives"));
        Files.writeString(home.resolve("natives").resolve(System.mapLibraryName("jllama")), "x");
        var line = only(problems("[llama]\nnative_lib_dir = \"natives\"\n"));
        assertTrue(line.contains("llama.native_lib_dir is read by the jvm engine only, and engine.kind is \"auto\""), line);
        assertEquals(List.of(), problems("[engine]\nkind = \"jvm\"\n[llama]\nnative_lib_dir = \"natives\"\n"));
        assertTrue(only(problems("[engine]\nkind = \"jvm\"\n[llama]\nnative_lib_dir = \"elsewhere\"\n")).contains("holds no"));
    }

    @Test
    void aTokenVariableIsNamedOnlyWhenTheUserWroteIt() throws Exception {
        assertEquals(List.of(), problems("[hub]\nendpoint = \"https://huggingface.co\"\n"), "the default HF_TOKEN may well be unset");
        var line = only(problems("[hub]\ntoken_env = \"MY_HF\"\n"));
        assertTrue(line.contains("hub.token_env names $MY_HF, which is not set here: downloads go without a token"), line);
    }

    /** A missing answering model fails where it is loaded, in its own line; only config and status repeat it. */
    @Test
    void aMissingChatModelIsLeftToTheCommandThatLoadsIt() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[models.chat]\npath = \"nope.gguf\"\n");
        var loaded = new ConfigLoader().load(home.resolve("config.toml"));
        var problem = SettingsCheck.problems(loaded, new Workspace(home), Map.of()).get(0);
        assertTrue(problem.saidWhereUsed(), problem.toString());
        var err = new StringWriter();
        Main.run(new String[] {"--home", home.toString(), "config"}, Map.of(), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertTrue(err.toString().contains("models.chat.path is " + home.resolve("nope.gguf")), "config says it: " + err);
    }

    @Test
    void theCommandLineSaysItOnceAndStatusListsIt() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[models.embed]\npath = \"nowhere.onnx\"\n");
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(new String[] {"--home", home.toString(), "status", "--json"},
                Map.of("PATH", "", "RAGDESK_GPU", "none"), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        assertEquals(1, err.toString().lines().filter(l -> l.contains("models.embed.path")).count(), "one line: " + err);
        assertTrue(out.toString().contains("\"config_warnings\""), out.toString());
        assertTrue(out.toString().contains("models.embed.path is"), "status lists it");
    }
}
