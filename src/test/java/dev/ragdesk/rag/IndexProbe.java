package dev.ragdesk.rag;

import dev.ragdesk.embed.EmbedModelFiles;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.testing.MiniLm;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

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
        Embeddings embeddings = what.isEmpty() || what.equals("commit") ? Embeddings.none() : Embeddings.of(new EmbedModelFiles(Path.of(args[4], MiniLm.MODEL),
                Path.of(args[4], MiniLm.TOKENIZER), "all-MiniLM-L6-v2"), MiniLm.settings());
        var policy = new DocumentIndex.CommitPolicy(what.isEmpty() || what.equals("commit") ? 64 : 8, Duration.ofMinutes(5));
        // "commit": stop inside the second commit, its pending_segments file written and synced, not yet renamed
        UnaryOperator<Directory> around = what.equals("commit")
                ? d -> new FilterDirectory(d) {
                    private int commits;

                    @Override
                    public void rename(String source, String dest) throws IOException {
                        if (source.startsWith("pending_segments") && ++commits == 2) pause();
                        super.rename(source, dest);
                    }
                }
                : UnaryOperator.identity();
        try (var index = DocumentIndex.open(Path.of(args[0]), new Extractors(50_000_000), new Chunker(400, 60), policy, embeddings, around)) {
            Consumer<IndexProgress> pause = p -> {
                if (p.filesDone() == pauseAt && !p.finished()) pause();
            };
            if (what.equals("embed")) index.embedMissing(pause, () -> false);
            else index.index(List.of(Path.of(args[1])), pause, () -> false);
        }
        System.out.println("finished");
    }

    /** Says so, then blocks until the test kills this process. */
    private static void pause() {
        System.out.println("paused");
        System.out.flush();
        try {
            System.in.read();
        } catch (IOException ignored) {
            // killed
        }
    }
}
