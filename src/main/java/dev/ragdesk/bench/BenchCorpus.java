package dev.ragdesk.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic corpus for the index and search benchmarks: English-like words with a
 * Zipf-ish spread and one paragraph in four in Hindi, written as plain text files.
 */
final class BenchCorpus {
    private static final String[] HINDI = {"भारत", "दिल्ली", "पुस्तक", "किताबें", "नदी", "पहाड़", "विद्यालय", "इतिहास",
            "सरकार", "किसान", "बाज़ार", "मौसम", "पानी", "शहर", "गाँव", "रेलगाड़ी", "समाचार", "परिवार", "भाषा", "संगीत"};

    final List<String> vocabulary = new ArrayList<>();
    private final SplittableRandom random;

    BenchCorpus(long seed) {
        random = new SplittableRandom(seed);
        var letters = "etaoinshrdlcumwfgypbvk";
        for (int i = 0; i < 8000; i++) {
            var w = new StringBuilder();
            int len = 3 + random.nextInt(8);
            for (int j = 0; j < len; j++) w.append(letters.charAt(random.nextInt(letters.length())));
            vocabulary.add(w.toString());
        }
    }

    /** A word with probability falling off with its rank, as in real text. */
    String word() {
        double u = random.nextDouble();
        return vocabulary.get((int) Math.min(vocabulary.size() - 1, Math.pow(vocabulary.size(), u) - 1));
    }

    String paragraph(int chars) {
        var sb = new StringBuilder();
        boolean hindi = random.nextInt(4) == 0;
        while (sb.length() < chars) {
            sb.append(hindi ? HINDI[random.nextInt(HINDI.length)] : word());
            sb.append(random.nextInt(12) == 0 ? (hindi ? "। " : ". ") : " ");
        }
        return sb.toString().strip();
    }

    /** Writes files of {@code chunksPerFile} paragraphs, each about one chunk long; returns the bytes written. */
    long write(Path dir, int files, int chunksPerFile, int chunkChars) throws IOException {
        Files.createDirectories(dir);
        long bytes = 0;
        for (int f = 0; f < files; f++) {
            var text = new StringBuilder();
            for (int c = 0; c < chunksPerFile; c++) text.append(paragraph(chunkChars - 40)).append("\n\n");
            var file = dir.resolve(String.format("doc-%05d.txt", f));
            Files.writeString(file, text);
            bytes += Files.size(file);
        }
        return bytes;
    }

    String query() {
        int words = 1 + random.nextInt(3);
        var q = new StringBuilder();
        for (int i = 0; i < words; i++) {
            q.append(random.nextInt(5) == 0 ? HINDI[random.nextInt(HINDI.length)] : vocabulary.get(random.nextInt(2000))).append(' ');
        }
        return q.toString().strip();
    }
}
