package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Print the effective config (config.toml over the defaults).",
                "With --init, write the documented default config.toml if there is none."})
final class ConfigCommand implements Callable<Integer> {

    /** The committed, documented config.toml, packaged by the build. */
    static final String DEFAULT_RESOURCE = "/dev/ragdesk/config/config.toml";

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Option(names = "--init", description = "Write the documented default config.toml if none exists.")
    boolean init;

    @Option(names = "--path", description = "Print only the path of config.toml.")
    boolean pathOnly;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (init) return init();
        if (pathOnly) { // where it is, not what it says: no need to read it, or to start logging
            out.println(Workspace.resolve(root.home, rootEnv()).configFile());
            out.flush();
            return ExitCodes.OK;
        }
        var ctx = root.context(false);
        ctx.saidWhereUsed().forEach(line -> spec.commandLine().getErr().println("ragdesk: warning: " + line));
        var file = ctx.workspace().configFile();
        out.println("# effective config; file: " + file + (ctx.loaded().fromFile() ? "" : " (not found, all defaults)"));
        out.print(new ConfigLoader().toToml(ctx.config()));
        out.flush();
        return ExitCodes.OK;
    }

    private int init() throws Exception {
        var workspace = Workspace.resolve(root.home, rootEnv());
        var file = workspace.configFile();
        if (Files.exists(file)) {
            spec.commandLine().getErr().println("ragdesk config: " + file
                    + " already exists and was left as it is; `ragdesk config` shows what it sets.");
            return ExitCodes.RUNTIME_ERROR;
        }
        try (InputStream in = ConfigCommand.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("the build did not package " + DEFAULT_RESOURCE);
            AtomicFiles.write(file, in.readAllBytes());
        } catch (IOException e) {
            throw new RagdeskException("cannot write " + file + ": " + e.getMessage() + "; check the folder's permissions", e);
        }
        spec.commandLine().getOut().println("wrote " + file);
        return ExitCodes.OK;
    }

    private Map<String, String> rootEnv() {
        return root.env();
    }
}
