package dev.ragdesk.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConfigLoaderTest {

    @TempDir Path dir;
    private final ConfigLoader loader = new ConfigLoader();

    private Path write(String toml) throws Exception {
        var file = dir.resolve("config.toml");
        Files.writeString(file, toml);
        return file;
    }

    @Test
    void missingFileGivesDefaults() throws Exception {
        var loaded = loader.load(dir.resolve("config.toml"));
        assertFalse(loaded.fromFile());
        assertEquals(Config.DEFAULTS, loaded.config());
        assertEquals(4096, loaded.config().llama().ctxSize());
        assertTrue(loaded.config().llama().gpuLayers().isAuto());
        assertEquals(4096, loaded.config().vram().budgetMb());
        assertEquals("QuantFactory/sarvam-1-GGUF", loaded.config().models().rag().repo());
        assertTrue(loaded.warnings().isEmpty());
    }

    @Test
    void valuesOverrideDefaultsKeyByKey() throws Exception {
        var loaded = loader.load(write("""
                [models.chat]
                path = "/models/tiny.gguf"

                [llama]
                gpu_layers = 12
                ctx_size = 2048

                [ui.keys]
                dictate = "Ctrl-R"
                """));
        var c = loaded.config();
        assertTrue(loaded.fromFile());
        assertEquals("/models/tiny.gguf", c.models().chat().path());
        assertEquals("bartowski/Llama-3.2-3B-Instruct-GGUF", c.models().chat().repo(), "unset keys keep their default");
        assertEquals(GpuLayers.of(12), c.llama().gpuLayers());
        assertEquals(2048, c.llama().ctxSize());
        assertEquals(0, c.llama().threads());
        assertEquals("Ctrl-R", c.ui().keys().get("dictate"));
        assertEquals("Enter", c.ui().keys().get("send"));
    }

    @Test
    void theSolrBackendIsCheckedKeyByKey() throws Exception {
        var solr = loader.load(write("""
                [retrieval]
                backend = "solr"

                [solr]
                url = "http://127.0.0.1:8983/solr, http://127.0.0.1:7574/solr"
                collection = "lab"
                """)).config();
        assertEquals("solr", solr.retrieval().backend());
        assertEquals(List.of("http://127.0.0.1:8983/solr", "http://127.0.0.1:7574/solr"), solr.solr().urls());
        assertEquals(2, solr.solr().shards());

        for (var bad : List.of(
                new String[] {"[retrieval]\nbackend = \"elastic\"\n", ":2: retrieval.backend: must be one of lucene, solr"},
                new String[] {"[retrieval]\nbackend = \"solr\"\n", ":2: retrieval.backend: is \"solr\" but [solr] has neither url nor zk_hosts"},
                new String[] {"[solr]\nurl = \"solr1:8983\"\n", ":2: solr.url: must be http:// or https:// URLs"},
                new String[] {"[solr]\nurl = \"http://a/solr\"\nuser = \"team\"\n", ":3: solr.user: is set but [solr].password_env is not"},
                new String[] {"[solr]\nurl = \"http://a/solr\"\ncollection = \"a b\"\n", ":3: solr.collection: must be a Solr collection name"})) {
            var file = write(bad[0]);
            var e = assertThrows(ConfigException.class, () -> loader.load(file));
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }

        var clear = loader.load(write("[solr]\nurl = \"http://solr.lab:8983/solr\"\nuser = \"team\"\npassword_env = \"PW\"\n"));
        assertTrue(clear.warnings().get(0).contains("solr.url is plain http:// to another machine"), clear.warnings().toString());
    }

    @Test
    void syntaxErrorNamesTheLine() throws Exception {
        var file = write("""
                [llama]
                ctx_size = 2048
                threads = = 4
                """);
        var e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertEquals(3, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ":3: "), e.getMessage());
        assertTrue(e.getMessage().contains("TOML syntax error"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void wrongTypeNamesKeyAndLine() throws Exception {
        var file = write("""
                # comment
                [llama]
                ctx_size = "big"
                """);
        var e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertEquals("llama.ctx_size", e.key());
        assertEquals(3, e.line());
        assertEquals(file + ":3: llama.ctx_size: expected a whole number, not \"big\"", e.getMessage());
    }

    @Test
    void negativeCtxSizeIsOutOfRange() throws Exception {
        var file = write("""
                [llama]
                threads = 2
                ctx_size = -5
                """);
        var e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertEquals("llama.ctx_size", e.key());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("must be between 128 and 1048576, not -5"), e.getMessage());
    }

    @Test
    void badGpuLayersWordIsExplained() throws Exception {
        var file = write("[llama]\ngpu_layers = \"most\"\n");
        var e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertEquals("llama.gpu_layers", e.key());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("must be \"auto\" or a whole number"), e.getMessage());
    }

    @Test
    void gpuLayersAcceptsAutoAndNumbers() throws Exception {
        assertTrue(loader.load(write("[llama]\ngpu_layers = \"auto\"\n")).config().llama().gpuLayers().isAuto());
        assertEquals(GpuLayers.of(0), loader.load(write("[llama]\ngpu_layers = 0\n")).config().llama().gpuLayers());
    }

    @Test
    void unknownKeysOnlyWarn() throws Exception {
        var file = write("""
                [llama]
                ctx_size = 1024
                colour = "blue"

                [telemetry]
                on = true
                """);
        var loaded = loader.load(file);
        assertEquals(1024, loaded.config().llama().ctxSize());
        assertEquals(2, loaded.warnings().size(), loaded.warnings().toString());
        assertTrue(loaded.warnings().get(0).startsWith(file + ":3: unknown key llama.colour"), loaded.warnings().get(0));
        assertTrue(loaded.warnings().get(1).contains("unknown key telemetry"), loaded.warnings().get(1));
    }

    /** A key and passages sent over plain http to another machine get one line naming the setting; https and loopback get none. */
    @Test
    void aKeySentInClearIsSaidOnce() throws Exception {
        var file = write("""
                [models.chat]
                endpoint = "http://gpu-box.lab:8000/v1"
                model = "llama"
                api_key_env = "LAB_KEY"

                [models.rag]
                endpoint = "https://gpu-box.lab/v1"
                model = "sarvam"
                api_key_env = "LAB_KEY"

                """);
        var warnings = loader.load(file).warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith(file + ":2: models.chat.endpoint is plain http://"), warnings.get(0));
        assertTrue(warnings.get(0).contains("$LAB_KEY") && warnings.get(0).contains("use https://"), warnings.get(0));
        var loopback = write("[models.chat]\nendpoint = \"http://127.0.0.1:8080/v1\"\nmodel = \"llama\"\napi_key_env = \"K\"\n");
        assertEquals(List.of(), loader.load(loopback).warnings(), "loopback never leaves the machine");
        var withoutKey = write("[models.chat]\nendpoint = \"http://gpu-box.lab:8000/v1\"\nmodel = \"llama\"\n");
        assertEquals(List.of(), loader.load(withoutKey).warnings(), "no key, nothing secret on the wire but the passages, which the user chose");
    }

    @Test
    void unknownKeyActionWarns() throws Exception {
        var loaded = loader.load(write("[ui.keys]\nlaunch_rockets = \"F9\"\n"));
        assertEquals(1, loaded.warnings().size());
        assertTrue(loaded.warnings().get(0).contains("ui.keys.launch_rockets"));
    }

    @Test
    void unreadableFileIsOneLineError() throws Exception {
        var file = dir.resolve("config.toml");
        Files.createDirectory(file);
        var e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertTrue(e.getMessage().startsWith(file + ": is a directory"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void invalidUtf8IsRejectedPlainly() throws Exception {
        var file = dir.resolve("config.toml");
        Files.write(file, new byte[] {'[', 'u', 'i', ']', '\n', 't', 'h', 'e', 'm', 'e', '=', '"', (byte) 0xC3, (byte) 0x28, '"'});
        var e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void overlapMustBeSmallerThanChunk() throws Exception {
        var e = assertThrows(ConfigException.class,
                () -> loader.load(write("[retrieval]\nchunk_chars = 500\nchunk_overlap = 500\n")));
        assertEquals("retrieval.chunk_overlap", e.key());
        assertEquals(3, e.line());
    }

    @Test
    void badEnumAndUrlAreNamed() throws Exception {
        assertEquals("ui.theme", assertThrows(ConfigException.class,
                () -> loader.load(write("[ui]\ntheme = \"neon\"\n"))).key());
        assertEquals("hub.endpoint", assertThrows(ConfigException.class,
                () -> loader.load(write("[hub]\nendpoint = \"huggingface.co\"\n"))).key());
        assertEquals("models.rag.sha256", assertThrows(ConfigException.class,
                () -> loader.load(write("[models.rag]\nsha256 = \"abc\"\n"))).key());
    }

    @Test
    void wholeSectionOfWrongTypeIsNamed() throws Exception {
        var e = assertThrows(ConfigException.class, () -> loader.load(write("llama = 5\n")));
        assertEquals("llama", e.key());
        assertEquals(1, e.line());
    }

    @Test
    void effectiveConfigRoundTrips() throws Exception {
        var custom = loader.load(write("[llama]\nctx_size = 1024\ngpu_layers = 7\n[ui.keys]\nhelp = \"F2\"\n")).config();
        var rendered = loader.toToml(custom);
        assertTrue(rendered.contains("ctx_size = 1024"), rendered);
        var reparsed = loader.load(write(rendered));
        assertEquals(custom, reparsed.config());
        assertTrue(reparsed.warnings().isEmpty(), reparsed.warnings().toString());
    }

    @Test
    void committedConfigTomlLoadsAsTheDefaults() throws Exception {
        var committed = Path.of("config.toml");
        var loaded = loader.load(committed);
        assertTrue(loaded.fromFile(), "the repository ships a documented config.toml");
        assertEquals(Config.DEFAULTS, loaded.config(), "the committed file documents the defaults without changing them");
        assertTrue(loaded.warnings().isEmpty(), loaded.warnings().toString());
    }
}
