package dev.ragdesk.rag;

import java.nio.file.Path;
import java.util.List;

/**
 * Child-JVM entry point for the kill -9 test: indexes a folder; when {@code pauseAt} files are
 * done it prints {@code paused} and blocks on stdin, mid-run, until the test kills it.
 */
public final class IndexProbe {
    public static void main(String[] args) throws Exception {
        int pauseAt = Integer.parseInt(args[2]);
        var every64 = new DocumentIndex.CommitPolicy(64, java.time.Duration.ofMinutes(5));
        try (var index = DocumentIndex.open(Path.of(args[0]), new Extractors(50_000_000), new Chunker(400, 60), every64, dev.ragdesk.embed.Embeddings.none())) {
            index.index(List.of(Path.of(args[1])), p -> {
                if (p.filesDone() == pauseAt) {
                    System.out.println("paused");
                    System.out.flush();
                    try {
                        System.in.read();
                    } catch (java.io.IOException ignored) {
                        // killed
                    }
                }
            }, () -> false);
        }
        System.out.println("finished");
    }
}
