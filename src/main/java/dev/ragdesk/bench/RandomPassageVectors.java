package dev.ragdesk.bench;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.embed.Embedder;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * For the 100k-chunk search benchmark: each passage gets a random unit vector (seeded by its
 * text, so runs agree) instead of a model's, because embedding 100k chunks on two cores takes
 * longer than the benchmark should; queries are embedded by the real model, under its id, so a
 * search pays the real query cost. HNSW search cost depends on the graph, not on what the
 * vectors mean, and random vectors are its harder case.
 */
final class RandomPassageVectors implements Embedder {
    private final Embedder real;

    RandomPassageVectors(Embedder real) {
        this.real = real;
    }

    @Override public String id() { return real.id(); }
    @Override public String displayName() { return real.displayName(); }
    @Override public int dimensions() { return real.dimensions(); }
    @Override public float[] query(String text) throws RagdeskException { return real.query(text); }

    @Override
    public List<float[]> passages(List<String> texts) {
        var out = new ArrayList<float[]>(texts.size());
        for (var text : texts) {
            var random = new SplittableRandom(text.hashCode());
            var v = new float[real.dimensions()];
            double norm = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
                norm += v[i] * v[i];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < v.length; i++) v[i] *= inv;
            out.add(v);
        }
        return out;
    }

    @Override
    public void close() {
        real.close();
    }
}
