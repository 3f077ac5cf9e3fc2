package dev.ragdesk.config;

import dev.ragdesk.io.UserPaths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Settings the user wrote that cannot be used: a path to nothing, a variable that is not set, a
 * setting the chosen engine or source never reads. Each gets one line naming the key (with its
 * file and line) and what is wrong, shown by every command that loads the config (`config`,
 * `status`, the console, the command that needs it), so nothing is dropped in silence: left
 * alone, search would stay on BM25 or a request would go without its key, and nothing would say why.
 */
public final class SettingsCheck {
    private SettingsCheck() {}

    /**
     * One setting that cannot be used. {@code saidWhereUsed}: the command that needs it fails
     * with its own line (a missing answering model), so only `config` and `status` repeat it;
     * the others (a fallback, a request without its key) are said by every command.
     */
    public record Problem(String key, String line, boolean saidWhereUsed) {}

    /** The problems of {@code loaded} for {@code workspace} and {@code env}; empty for a config with no file. */
    public static List<Problem> problems(ConfigLoader.Loaded loaded, Workspace workspace, Map<String, String> env) {
        if (!loaded.fromFile()) return List.of();
        String text;
        try {
            text = Files.readString(loaded.file());
        } catch (IOException e) {
            return List.of(); // it was just read; the loader reported what it could not
        }
        var check = new Check(loaded.file(), text, workspace, env);
        var config = loaded.config();
        config.models().byRole().forEach(check::model);
        check.engine(config);
        check.hub(config.hub());
        check.voice(config.voice());
        check.solr(config.solr());
        return List.copyOf(check.problems);
    }

    private static final class Check {
        final Path file;
        final String text;
        final Workspace workspace;
        final Map<String, String> env;
        final List<Problem> problems = new ArrayList<>();

        Check(Path file, String text, Workspace workspace, Map<String, String> env) {
            this.file = file;
            this.text = text;
            this.workspace = workspace;
            this.env = env;
        }

        int line(String dotted) {
            return TomlLines.keyLine(text, Arrays.asList(dotted.split("\\.")));
        }

        boolean written(String dotted) {
            return line(dotted) > 0;
        }

        void say(String dotted, String problem) {
            int line = line(dotted);
            // the answering and dictation models fail loudly where they are loaded; the embed model falls back to BM25
            boolean loud = dotted.matches("models\\.(rag|chat|whisper|tts)\\.path");
            problems.add(new Problem(dotted, file + (line > 0 ? ":" + line : "") + ": " + dotted + " " + problem, loud));
        }

        Path resolve(String typed) {
            return workspace.home().resolve(UserPaths.expandHome(typed)).normalize();
        }

        boolean unset(String variable) {
            return env.getOrDefault(variable, "").isBlank();
        }

        void model(String role, ModelSpec spec) {
            var key = "models." + role;
            if (spec.isRemote()) {
                if (written(key + ".path")) say(key + ".path", "is not used: " + key + ".endpoint serves this role, and wins");
                if (!spec.apiKeyEnv().isEmpty() && unset(spec.apiKeyEnv())) {
                    say(key + ".api_key_env", "names $" + spec.apiKeyEnv() + ", which is not set here: requests to "
                            + spec.endpoint() + " would go without a key; export it, or remove the setting if the server needs none");
                }
                return;
            }
            if (written(key + ".api_key_env")) say(key + ".api_key_env", "is not used: " + key + " has no endpoint, so no key is sent");
            if (!spec.hasLocalPath()) return;
            var path = resolve(spec.path());
            if (!Files.exists(path)) {
                say(key + ".path", "is " + path + ", which does not exist: the " + role + " role has no model (it is not"
                        + " downloaded instead); fix the path, or remove it to use the downloaded model");
            } else if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                say(key + ".path", "is " + path + ", which is " + (Files.isDirectory(path) ? "a folder" : "not readable")
                        + ", not a model file; point it at the model file");
            } else if (!spec.tokenizer().isEmpty() && !Files.isRegularFile(path.resolveSibling(spec.tokenizer()))) {
                say(written(key + ".tokenizer") ? key + ".tokenizer" : key + ".path", "needs " + path.resolveSibling(spec.tokenizer())
                        + " beside the model, which does not exist: put the model's tokenizer.json there, or name it with "
                        + key + ".tokenizer");
            }
        }

        void engine(Config config) {
            var kind = config.engine().kind();
            if (!config.engine().llamaServer().isEmpty()) {
                var binary = resolve(config.engine().llamaServer());
                if (kind.equals("jvm")) {
                    say("engine.llama_server", "is not used: engine.kind is \"jvm\"");
                } else if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
                    say("engine.llama_server", "is " + binary + ", which is " + (Files.exists(binary) ? "not an executable file" : "missing")
                            + "; fix the path, or remove it to use ragdesk's own install");
                }
            }
            if (!config.llama().nativeLibDir().isEmpty()) {
                if (!kind.equals("jvm")) {
                    say("llama.native_lib_dir", "is read by the jvm engine only, and engine.kind is \"" + kind
                            + "\"" + (kind.equals("auto") ? " (llama-server wins when one is found)" : "")
                            + "; set engine.kind = \"jvm\" to use it");
                }
                var dir = resolve(config.llama().nativeLibDir());
                if (!Files.isRegularFile(dir.resolve(System.mapLibraryName("jllama")))) {
                    say("llama.native_lib_dir", "is " + dir + ", which holds no " + System.mapLibraryName("jllama")
                            + "; build it (README, GPU notes) or remove the setting");
                }
            }
        }

        void hub(Config.Hub hub) {
            if (written("hub.token_env") && unset(hub.tokenEnv())) {
                say("hub.token_env", "names $" + hub.tokenEnv() + ", which is not set here: downloads go without a token"
                        + " (a gated model answers 401); export it, or remove the setting");
            }
        }

        void solr(Config.Solr solr) {
            for (var key : new String[] {"password_env", "api_key_env"}) {
                var variable = key.equals("password_env") ? solr.passwordEnv() : solr.apiKeyEnv();
                if (!variable.isEmpty() && unset(variable)) {
                    say("solr." + key, "names $" + variable + ", which is not set here: the Solr cluster would get no credentials, "
                            + "and ragdesk stops before it asks; export it");
                }
            }
        }

        void voice(Config.Voice voice) {
            if (written("voice.command") && !voice.source().equals("command")) {
                say("voice.command", "is not used: voice.source is \"" + voice.source() + "\"; set source = \"command\" to record with it");
            }
            if (written("voice.file") && !voice.source().equals("file")) {
                say("voice.file", "is not used: voice.source is \"" + voice.source() + "\"; set source = \"file\" to read it");
            }
            var audioFile = workspace.home().resolve(voice.file()).normalize(); // as dictation resolves it
            if (voice.source().equals("file") && !voice.file().isEmpty() && !Files.isRegularFile(audioFile)) {
                say("voice.file", "is " + audioFile + ", which does not exist; dictation has nothing to read");
            }
        }
    }
}
