package dev.ragdesk.bench;

import dev.ragdesk.cli.AppContext;
import dev.ragdesk.cli.RagdeskCommand;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print numbers; they never fail on a threshold.",
        subcommands = {BenchSwapCommand.class, BenchGenerateCommand.class, BenchDownloadCommand.class, BenchIndexCommand.class, BenchSearchCommand.class,
                BenchStartupCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    /** The workspace context of `ragdesk bench NAME`, from the root command two levels up. */
    static AppContext context(picocli.CommandLine.Model.CommandSpec benchmark) throws Exception {
        return ((RagdeskCommand) benchmark.parent().parent().userObject()).context(false);
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a benchmark: swap, generate, download, index or search");
    }
}
