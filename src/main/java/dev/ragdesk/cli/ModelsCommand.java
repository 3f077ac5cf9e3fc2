package dev.ragdesk.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.util.List;

import java.util.concurrent.Callable;

@Command(name = "models", mixinStandardHelpOptions = true, description = "List the models for each role and whether they are present.")
final class ModelsCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    /** Accepted so that any invocation gets the plain "not available yet" answer, not a usage error. */
    @Unmatched List<String> arguments;

    @Override
    public Integer call() {
        return NotYetAvailable.report(spec, "the model catalogue");
    }
}
