package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.models.Catalogue;
import dev.ragdesk.models.InstalledModel;
import dev.ragdesk.models.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List each role's model: source, size, licence, where it lives, and whether it is present and verified.")
final class ModelsCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var files = new ModelFiles(ctx.workspace(), ctx.config());
        var rows = new ArrayList<Map<String, Object>>();
        for (var entry : new Catalogue(ctx.config()).entries()) rows.add(row(entry, files));
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(rows));
        } else {
            for (var row : rows) {
                out.printf("%-8s %-10s %s %s%n", row.get("role"), row.get("state"), row.get("repo"), row.get("file"));
                var size = row.get("size_bytes") instanceof Long l && l >= 0
                        ? ((Boolean) row.get("size_is_estimate") ? "about " : "") + Sizes.human(l) : "size unknown";
                out.printf("         %s, %s%n", size, row.get("path"));
                out.printf("         %s; licence: %s%n", row.get("purpose"), row.get("licence"));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static Map<String, Object> row(Catalogue.Entry entry, ModelFiles files) throws IOException {
        var path = files.location(entry.role());
        boolean present = files.present(entry.role());
        var record = InstalledModel.readBeside(path).filter(r -> r.stillMatches(path));
        String state;
        if (!present) state = "missing";
        else if (entry.spec().hasLocalPath()) state = "local";
        else state = record.map(r -> "sha256".equals(r.verified()) ? "verified" : "size-ok").orElse("unverified");
        var row = new LinkedHashMap<String, Object>();
        row.put("role", entry.role());
        row.put("repo", entry.spec().repo());
        row.put("file", entry.spec().file());
        row.put("revision", entry.spec().revision());
        var tokenizer = files.tokenizerLocation(entry.role());
        long bytes = present ? Files.size(path) + (tokenizer.isPresent() ? Files.size(tokenizer.get()) : 0) : entry.approxBytes();
        row.put("size_bytes", bytes);
        row.put("size_is_estimate", !present);
        row.put("path", path.toString());
        tokenizer.ifPresent(t -> row.put("tokenizer", t.toString()));
        row.put("present", present);
        row.put("verified", record.map(InstalledModel::verified).orElse(""));
        row.put("sha256", record.map(InstalledModel::sha256).orElse(""));
        row.put("state", state);
        row.put("purpose", entry.purpose());
        row.put("licence", entry.licence());
        row.put("used_by_app", entry.usedByApp());
        return row;
    }
}
