package dev.ragdesk.rag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal-rank fusion (Cormack et al., 2009): each ranking adds {@code weight / (k + rank)}
 * for every item it holds, ranks counted from 1. Only ranks matter, so BM25 scores and cosine
 * similarities need no common scale. Ties keep the order of first appearance, lists in the
 * order given, so the result is deterministic.
 */
public final class Fusion {
    private Fusion() {}

    /** One ranking to fuse: its name ("bm25", "vector"), its weight, and item ids best first. */
    public record Ranking(String name, double weight, List<Integer> items) {}

    /** A fused item: its score and its 1-based rank in each list that held it, by list name. */
    public record Fused(int item, double score, Map<String, Integer> ranks) {}

    public static List<Fused> reciprocalRank(List<Ranking> rankings, int k, int limit) {
        var scores = new LinkedHashMap<Integer, Double>();
        var ranks = new LinkedHashMap<Integer, Map<String, Integer>>();
        for (var ranking : rankings) {
            int rank = 0;
            for (var item : ranking.items()) {
                rank++;
                if (ranks.computeIfAbsent(item, i -> new LinkedHashMap<>()).putIfAbsent(ranking.name(), rank) != null) continue;
                scores.merge(item, ranking.weight() / (k + rank), Double::sum);
            }
        }
        var fused = new ArrayList<Fused>();
        scores.forEach((item, score) -> fused.add(new Fused(item, score, Collections.unmodifiableMap(ranks.get(item)))));
        fused.sort(Comparator.comparingDouble(Fused::score).reversed()); // stable: ties keep first appearance
        return fused.size() > limit ? List.copyOf(fused.subList(0, limit)) : List.copyOf(fused);
    }
}
