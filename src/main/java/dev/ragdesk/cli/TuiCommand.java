package dev.ragdesk.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "tui", mixinStandardHelpOptions = true,
        description = "Start the full-screen console (the default command).")
final class TuiCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return run(root);
    }

    int run(RagdeskCommand root) throws Exception {
        root.context(true);
        var err = root.spec.commandLine().getErr();
        err.println("ragdesk: the full-screen console is not available yet in this version; "
                + "see `ragdesk --help` for what is.");
        return ExitCodes.USAGE;
    }
}
