package dev.ragdesk.rag;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FusionTest {

    @Test
    void scoresAreTheSumOfWeightOverKPlusRank() {
        var bm25 = new Fusion.Ranking("bm25", 1.0, List.of(10, 20, 30));
        var vector = new Fusion.Ranking("vector", 1.0, List.of(30, 40, 10));
        var fused = Fusion.reciprocalRank(List.of(bm25, vector), 60, 10);

        // worked by hand: 10 = 1/61 + 1/63, 30 = 1/63 + 1/61, 20 = 1/62, 40 = 1/62
        assertEquals(List.of(10, 30, 20, 40), fused.stream().map(Fusion.Fused::item).toList(),
                "10 and 30 tie and keep first appearance; then 20 (bm25 #2) before 40 (vector #2)");
        assertEquals(1.0 / 61 + 1.0 / 63, fused.get(0).score(), 1e-12);
        assertEquals(1.0 / 62, fused.get(2).score(), 1e-12);
        assertEquals(Map.of("bm25", 1, "vector", 3), fused.get(0).ranks());
        assertEquals(Map.of("vector", 2), fused.get(3).ranks(), "found by one list only");
    }

    @Test
    void beingInBothListsBeatsTopOfOne() {
        var fused = Fusion.reciprocalRank(List.of(
                new Fusion.Ranking("bm25", 1.0, List.of(1, 2, 3, 4, 5)),
                new Fusion.Ranking("vector", 1.0, List.of(6, 7, 8, 9, 5))), 60, 3);
        assertEquals(5, fused.get(0).item(), "5th in both (2/65) beats 1st in one (1/61)");
        assertEquals(3, fused.size(), "cut at the limit");
    }

    @Test
    void weightsAndKShapeTheOrder() {
        var lists = List.of(new Fusion.Ranking("bm25", 1.0, List.of(1, 2)), new Fusion.Ranking("vector", 3.0, List.of(2, 1)));
        assertEquals(2, Fusion.reciprocalRank(lists, 60, 2).get(0).item(), "the heavier list's first wins");

        // a small k makes the top of a list count for much more than its tail
        var unequal = List.of(new Fusion.Ranking("bm25", 1.0, List.of(1, 3, 4)), new Fusion.Ranking("vector", 1.0, List.of(2, 4, 3)));
        assertEquals(1, Fusion.reciprocalRank(unequal, 0, 4).get(0).item(), "k=0: 1/1 beats 1/2 + 1/3");
        assertEquals(3, Fusion.reciprocalRank(unequal, 60, 4).get(0).item(), "k=60: 1/62 + 1/63 beats 1/61");
    }

    @Test
    void aListRepeatingAnItemCountsItOnce() {
        var fused = Fusion.reciprocalRank(List.of(new Fusion.Ranking("bm25", 1.0, List.of(7, 7, 8))), 60, 5);
        assertEquals(1.0 / 61, fused.get(0).score(), 1e-12);
        assertEquals(Map.of("bm25", 1), fused.get(0).ranks());
    }

    @Test
    void noListsNoItems() {
        assertTrue(Fusion.reciprocalRank(List.of(), 60, 5).isEmpty());
    }
}
