package dev.ragdesk.cli;

import dev.ragdesk.app.Json;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.rag.Documents;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * What bin/ragdesk runs, once per build, to record the class-data-sharing archive of ragdesk's
 * own JVM: it goes through what command lines commonly load (every command's options, logging,
 * config, an index written and searched with the language analyzers, JSON) in a workspace of
 * its own, so later starts map those classes from the archive.
 */
@Command(name = "record-classes", hidden = true, description = "Load what common commands load (for the class-data archive).")
final class RecordClassesCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var all = new CommandLine(new RagdeskCommand(ctx.env()));
        RagdeskCommand.SUBCOMMANDS.forEach((name, command) -> all.addSubcommand(name, command.get()));
        all.getUsageMessage();
        var docs = Files.createDirectories(ctx.workspace().tmp().resolve("record-docs"));
        Files.writeString(docs.resolve("en.md"), "# Lighthouse\n\nThe keeper lights the lamp at dusk.\n");
        Files.writeString(docs.resolve("hi.txt"), "दीपस्तंभ का रखवाला शाम को दीया जलाता है।\n");
        try (var index = Documents.openForWriting(ctx.workspace(), ctx.config())) {
            index.index(List.of(docs), p -> {}, () -> false);
        }
        try (var embeddings = Embeddings.of(ctx.workspace(), ctx.config());
             var retriever = Documents.retriever(ctx.workspace(), ctx.config(), embeddings, ctx.env())) {
            for (var query : List.of("lighthouse lamp", "दीया")) retriever.search(query, 5);
            Json.pretty(Map.of("status", retriever.status()));
        }
        return ExitCodes.OK;
    }
}
