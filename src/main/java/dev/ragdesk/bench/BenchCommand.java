package dev.ragdesk.bench;

import dev.ragdesk.app.AppContext;
import dev.ragdesk.app.ContextSource;
import picocli.CommandLine.Command;
import picocli.CommandLine;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print numbers; they never fail on a threshold.",
        subcommands = {BenchSwapCommand.class, BenchGenerateCommand.class, BenchDownloadCommand.class, BenchIndexCommand.class, BenchSearchCommand.class,
                BenchStartupCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand ContextSource root;

    /** The workspace context of `ragdesk bench NAME`. */
    AppContext context() throws Exception {
        return root.context(false);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark: swap, generate, download, index or search");
    }
}
