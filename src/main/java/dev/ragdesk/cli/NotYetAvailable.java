package dev.ragdesk.cli;

import picocli.CommandLine.Model.CommandSpec;

/** How a registered but unbuilt command answers: plainly, with exit 2, never pretending to work. */
final class NotYetAvailable {
    private NotYetAvailable() {}

    static int report(CommandSpec spec, String what) {
        spec.commandLine().getErr().println("ragdesk " + spec.name() + ": " + what
                + " is not available yet in this version; see `ragdesk --help` for what is.");
        return ExitCodes.USAGE;
    }
}
