package dev.ragdesk.rag;

import dev.ragdesk.embed.EmbedModelFiles;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.testing.MiniLm;

import java.nio.file.Path;
import java.util.List;

/**
 * Child-JVM entry point for the kill -9 tests: indexes a folder (args: index, docs, pauseAt);
 * when {@code pauseAt} files are done it prints {@code paused} and blocks on stdin, mid-run,
 * until the test kills it. With two more args (what, MiniLM folder) it embeds as it indexes
 * ("index") or fills in missing vectors ("embed"), committing every 8 files.
 */
public final class IndexProbe {
    public static void main(String[] args) throws Exception {
        int pauseAt = Integer.parseInt(args[2]);
        var what = args.length > 3 ? args[3] : "";
        var embeddings = what.isEmpty() ? Embeddings.none() : Embeddings.of(new EmbedModelFiles(Path.of(args[4], MiniLm.MODEL),
                Path.of(args[4], MiniLm.TOKENIZER), "all-MiniLM-L6-v2"), MiniLm.settings());
        var policy = new DocumentIndex.CommitPolicy(what.isEmpty() ? 64 : 8, java.time.Duration.ofMinutes(5));
        try (var index = DocumentIndex.open(Path.of(args[0]), new Extractors(50_000_000), new Chunker(400, 60), policy, embeddings)) {
            java.util.function.Consumer<IndexProgress> pause = p -> {
                if (p.filesDone() == pauseAt && !p.finished()) {
                    System.out.println("paused");
                    System.out.flush();
                    try {
                        System.in.read();
                    } catch (java.io.IOException ignored) {
                        // killed
                    }
                }
            };
            if (what.equals("embed")) index.embedMissing(pause, () -> false);
            else index.index(List.of(Path.of(args[1])), pause, () -> false);
        }
        System.out.println("finished");
    }
}
