package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.Embeddings;

import java.io.IOException;

import static dev.ragdesk.rag.SearchBackend.BM25;
import static dev.ragdesk.rag.SearchBackend.HYBRID;
import static dev.ragdesk.rag.SearchBackend.VECTOR;

/**
 * What a search asked for runs, on either backend: "auto" is hybrid with an embed model and
 * vectors, else BM25. Hybrid without vectors runs BM25 and says how to add them; asking for
 * vectors outright when there are none is an error that says the same.
 */
public final class RetrievalPlans {
    /** Counting vectors may cost a pass over the index: only a plan that needs them asks. */
    @FunctionalInterface
    public interface Counts {
        VectorCounts get() throws IOException, RagdeskException;
    }

    private final Config.Retrieval settings;
    private final Embeddings embeddings;

    public RetrievalPlans(Config.Retrieval settings, Embeddings embeddings) {
        this.settings = settings;
        this.embeddings = embeddings;
    }

    /** The plan when nothing is indexed yet. */
    public SearchBackend.Plan empty(String requested) {
        return new SearchBackend.Plan(requested.equals("auto") ? BM25 : requested, "");
    }

    public SearchBackend.Plan plan(String requested, Counts counts) throws IOException, RagdeskException {
        if (requested.equals(BM25)) return new SearchBackend.Plan(BM25, "");
        if (!embeddings.available()) {
            if (requested.equals("auto")) return new SearchBackend.Plan(BM25, "");
            throw new RagdeskException(requested + " search needs the embed model: " + embeddings.missingReason()
                    + "; or search with --mode bm25");
        }
        var v = counts.get();
        var mode = requested.equals("auto") ? HYBRID : requested;
        if (v.chunks() == 0) return new SearchBackend.Plan(mode, "");
        if (v.current() == 0) {
            var note = missingVectors(v, requested.equals(VECTOR));
            if (requested.equals(VECTOR)) throw new RagdeskException(note);
            return new SearchBackend.Plan(BM25, note);
        }
        if (v.current() < v.chunks()) {
            return new SearchBackend.Plan(mode, (v.chunks() - v.current()) + " of " + v.chunks() + " chunks have no vectors from "
                    + embeddings.displayName() + " yet; run `ragdesk index --embed`");
        }
        return new SearchBackend.Plan(mode, "");
    }

    private String missingVectors(VectorCounts v, boolean loadToCompare) throws RagdeskException {
        if (v.lastModel().isEmpty()) {
            return "the index has no vectors yet (it was built without an embed model); run `ragdesk index --embed` to add them";
        }
        String dims = "";
        if (loadToCompare && v.lastDims() > 0) {
            int ours = embeddings.get().dimensions();
            if (ours != v.lastDims()) dims = "; its vectors have " + v.lastDims() + " dimensions and " + embeddings.displayName()
                    + " makes " + ours;
        }
        return "the index's vectors come from another embed model (" + v.lastModel() + dims + "); run `ragdesk index --embed` "
                + "to embed it again with " + embeddings.displayName();
    }

    /** "hybrid (BM25 + …)", or the reason the configured mode cannot run. */
    public String describe(Counts counts) throws IOException {
        try {
            return describe(plan(settings.mode(), counts));
        } catch (RagdeskException e) {
            return "cannot run " + settings.mode() + ": " + e.getMessage();
        }
    }

    public String describe(SearchBackend.Plan plan) {
        var what = switch (plan.mode()) {
            case HYBRID -> "hybrid (BM25 + vectors from " + embeddings.displayName() + ", reciprocal-rank fusion k=" + settings.rrfK() + ")";
            case VECTOR -> "vector (" + embeddings.displayName() + ")";
            default -> "bm25" + (settings.mode().equals("auto") && !embeddings.available()
                    ? " (no embed model: `ragdesk download embed` adds search by meaning)" : "");
        };
        return plan.note().isEmpty() ? what : what + "; " + plan.note();
    }
}
