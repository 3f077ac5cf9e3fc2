package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.ModelSpec;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.io.UserPaths;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where each role's model file lives: the configured {@code path}, else the download folder. */
public final class ModelFiles {
    /** Every model role, in the order lists show them: the one list of roles. */
    public static final List<String> ROLES = List.of("rag", "chat", "whisper", "embed", "tts");

    private final Workspace workspace;
    private final Config config;

    public ModelFiles(Workspace workspace, Config config) {
        this.workspace = workspace;
        this.config = config;
    }

    public ModelSpec spec(String role) {
        return switch (role) {
            case "rag" -> config.models().rag();
            case "chat" -> config.models().chat();
            case "whisper" -> config.models().whisper();
            case "embed" -> config.models().embed();
            case "tts" -> config.models().tts();
            default -> throw new IllegalArgumentException("unknown role " + role + "; roles are " + ROLES);
        };
    }

    /** The file for {@code role}, present or not: {@code path} (relative to the workspace) or {@code .data/models/<repo>/<file>}. */
    public Path location(String role) {
        var spec = spec(role);
        if (spec.hasLocalPath()) return workspace.home().resolve(UserPaths.expandHome(spec.path())).normalize();
        return workspace.models().resolve(spec.repo()).resolve(spec.file()).normalize();
    }

    /**
     * The role's second file (the embed model's tokenizer.json), present or not; empty when the
     * role has none. With a local {@code path} it lies beside that file.
     */
    public Optional<Path> tokenizerLocation(String role) {
        var spec = spec(role);
        if (spec.tokenizer().isEmpty()) return Optional.empty();
        if (spec.hasLocalPath()) return Optional.of(location(role).resolveSibling(spec.tokenizer()).normalize());
        return Optional.of(workspace.models().resolve(spec.repo()).resolve(spec.tokenizer()).normalize());
    }

    /** True when every file the role needs is on disk. */
    public boolean present(String role) {
        return Files.isRegularFile(location(role)) && tokenizerLocation(role).map(Files::isRegularFile).orElse(true);
    }

    /** The role's tokenizer file, or an error that says how to get it. */
    public Path requireTokenizer(String role) throws RagdeskException {
        var file = tokenizerLocation(role).orElseThrow(() -> new RagdeskException("[models." + role
                + "] names no tokenizer; set tokenizer = \"tokenizer.json\" (the file from the model's repository)"));
        if (Files.isRegularFile(file)) return file;
        var spec = spec(role);
        if (spec.hasLocalPath()) {
            throw new RagdeskException("the " + role + " tokenizer " + file + " does not exist; put the model's tokenizer.json "
                    + "beside " + location(role).getFileName() + ", or set [models." + role + "].tokenizer to its name there");
        }
        throw new RagdeskException("the " + role + " model's tokenizer is missing: run `ragdesk download " + role + "` ("
                + spec.repo() + " " + spec.tokenizer() + ")");
    }

    /** The file for {@code role}, or an error that says how to get it. */
    public Path require(String role) throws RagdeskException {
        var file = location(role);
        if (Files.isRegularFile(file)) return file;
        var spec = spec(role);
        if (Files.isDirectory(file)) {
            throw new RagdeskException("the " + role + " model path " + file + " is a folder, not a model file; point [models."
                    + role + "].path at the file itself");
        }
        if (spec.hasLocalPath()) {
            throw new RagdeskException("the " + role + " model file " + file + " does not exist; fix [models." + role
                    + "].path in config.toml, or clear it and run `ragdesk download " + role + "`");
        }
        throw new RagdeskException("no " + role + " model yet: run `ragdesk download " + role + "` (" + spec.repo() + " "
                + spec.file() + "), or set [models." + role + "].path in config.toml to a local "
                + (role.equals("embed") ? ".onnx" : ".gguf") + " file");
    }

}
