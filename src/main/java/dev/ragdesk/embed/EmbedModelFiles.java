package dev.ragdesk.embed;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.models.ModelFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The two files of an embed model, and the name its vectors go by. */
public record EmbedModelFiles(Path model, Path tokenizer, String displayName) {

    /** The embed role of config.toml, present or not. */
    public static EmbedModelFiles of(Workspace workspace, Config config) {
        var files = new ModelFiles(workspace, config);
        var spec = config.models().embed();
        var model = files.location("embed");
        var tokenizer = files.tokenizerLocation("embed").orElse(model.resolveSibling("tokenizer.json"));
        var name = spec.hasLocalPath() ? model.getFileName().toString() : spec.repo() + " " + spec.file();
        return new EmbedModelFiles(model, tokenizer, name);
    }

    public boolean present() {
        return Files.isRegularFile(model) && Files.isRegularFile(tokenizer);
    }

    /**
     * What the vectors depend on: the model and tokenizer (by name and size, so nothing is
     * hashed on each start) and the conventions the texts are embedded with. Another id means
     * the index's vectors must be made again.
     */
    public String id(Config.Embedding settings) {
        try {
            var key = model.getFileName() + "|" + Files.size(model) + "|" + Files.size(tokenizer) + "|" + settings.queryPrefix()
                    + "|" + settings.passagePrefix() + "|" + settings.pooling() + "|" + settings.maxTokens();
            var digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (IOException e) {
            return "unreadable";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
