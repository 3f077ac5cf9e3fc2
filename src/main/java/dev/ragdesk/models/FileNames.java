package dev.ragdesk.models;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Matches a wanted file name against a repository's listing, forgiving case and punctuation. */
final class FileNames {
    private FileNames() {}

    static String match(String repo, String wanted, List<String> files) throws HubException {
        if (files.contains(wanted)) return wanted;
        var key = normalise(wanted);
        var same = files.stream().filter(f -> normalise(f).equals(key)).toList();
        if (same.size() == 1) return same.get(0);
        var close = files.stream()
                .filter(f -> !f.startsWith("."))
                .sorted(Comparator.comparingInt(f -> distance(normalise(f), key)))
                .limit(5)
                .toList();
        var why = same.size() > 1 ? "several files match " + wanted : repo + " has no file like " + wanted;
        throw new HubException(404, why + "; close matches: " + (close.isEmpty() ? "none" : String.join(", ", close))
                + ". Set [models.*].file in config.toml to one of them");
    }

    /** Lower case, letters and digits only: "sarvam-1.Q4_K_M.gguf" and "Sarvam-1-Q4_K_M.gguf" agree. */
    static String normalise(String name) {
        var base = name.substring(name.lastIndexOf('/') + 1);
        return base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** Levenshtein distance, for ranking suggestions. */
    static int distance(String a, String b) {
        var prev = new int[b.length() + 1];
        var cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            var t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
