package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.ModelSpec;
import dev.ragdesk.config.Workspace;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where each role's model file lives: the configured {@code path}, else the download folder. */
public final class ModelFiles {
    /** Every model role, in the order lists show them: the one list of roles. */
    public static final java.util.List<String> ROLES = java.util.List.of("rag", "chat", "whisper", "tts");

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
            case "tts" -> config.models().tts();
            default -> throw new IllegalArgumentException("unknown role " + role + "; roles are " + ROLES);
        };
    }

    /** The file for {@code role}, present or not: {@code path} (relative to the workspace) or {@code .data/models/<repo>/<file>}. */
    public Path location(String role) {
        var spec = spec(role);
        if (spec.hasLocalPath()) return workspace.home().resolve(dev.ragdesk.io.UserPaths.expandHome(spec.path())).normalize();
        return workspace.models().resolve(spec.repo()).resolve(spec.file()).normalize();
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
                + spec.file() + "), or set [models." + role + "].path in config.toml to a local .gguf file");
    }

}
