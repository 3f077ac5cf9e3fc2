package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.AppContext;
import dev.ragdesk.app.ContextSource;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.bench.BenchCommand;
import dev.ragdesk.config.ConfigException;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.SettingsCheck;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.log.Logging;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;

@Command(name = "ragdesk",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.Provider.class,
        sortOptions = false,
        description = {
                "Keyboard-driven terminal workstation for local LLMs.",
                "RAG over your documents with Sarvam-1, chat with Llama 3.2; one model in memory at a time.",
                "With no command, starts the full-screen console (tui)."},
        footer = {"", "Exit codes: 0 ok, 1 runtime error, 2 usage or config error, 130 interrupted."})
public final class RagdeskCommand implements Callable<Integer>, ContextSource {

    /**
     * The subcommands, in the order help lists them. {@link Main} registers only the one a
     * command line names (all of them for help or a name it does not know): picocli reads every
     * registered command's annotations at start-up, which cost about 150 ms for all twelve.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        var map = new LinkedHashMap<String, Supplier<Object>>();
        map.put("tui", TuiCommand::new);
        map.put("chat", ChatCommand::new);
        map.put("ask", AskCommand::new);
        map.put("index", IndexCommand::new);
        map.put("search", SearchCommand::new);
        map.put("download", DownloadCommand::new);
        map.put("models", ModelsCommand::new);
        map.put("status", StatusCommand::new);
        map.put("engine", EngineCommand::new);
        map.put("config", ConfigCommand::new);
        map.put("bench", BenchCommand::new);
        map.put("transcribe", TranscribeCommand::new);
        map.put("record-classes", RecordClassesCommand::new); // hidden: bin/ragdesk's class-data archive
        return Collections.unmodifiableMap(map);
    }

    @Option(names = "--home", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Workspace folder holding config.toml, index/ and .data/ "
                    + "(default: $RAGDESK_HOME, which bin/ragdesk sets to its own clone, else the current directory).")
    Path home;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Mirror log lines to stderr (never in the full-screen console).")
    boolean verbose;

    @Spec CommandSpec spec;

    private final Map<String, String> env;
    private AppContext context;

    public RagdeskCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * Resolves the workspace, creates {@code .data} (0700), starts logging into it and loads
     * config.toml. Config warnings go to stderr unless the caller owns the whole screen.
     */
    @Override
    public AppContext context(boolean fullScreen) throws ConfigException, IOException, RagdeskException {
        if (context != null) return context;
        var workspace = Workspace.resolve(home, env).requireOwnedByUser().ensureDataDirs();
        Logging.toWorkspace(workspace, verbose && !fullScreen);
        var log = LoggerFactory.getLogger(RagdeskCommand.class);
        log.info("ragdesk {} starting in {}", VersionInfo.version(), workspace.home());
        var file = new ConfigLoader().load(workspace.configFile());
        var problems = SettingsCheck.problems(file, workspace, env).stream().collect(Collectors.partitioningBy(
                SettingsCheck.Problem::saidWhereUsed, Collectors.mapping(SettingsCheck.Problem::line, Collectors.toList())));
        var loaded = file.plus(problems.get(false));
        for (var warning : loaded.warnings()) {
            log.warn(warning);
            if (!fullScreen) spec.commandLine().getErr().println("ragdesk: warning: " + warning);
        }
        context = new AppContext(workspace, loaded, env, problems.get(true));
        return context;
    }

    Map<String, String> env() { return env; }

    @Override
    public Integer call() throws Exception {
        return new TuiCommand().run(this);
    }
}
