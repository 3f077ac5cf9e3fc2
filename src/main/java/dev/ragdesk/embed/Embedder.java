package dev.ragdesk.embed;

import dev.ragdesk.RagdeskException;

import java.util.List;

/**
 * Text to unit-length vectors, the way one model was trained to do it: a query and a passage
 * may be embedded differently (e5's "query: " and "passage: " prefixes), and both land in the
 * same space, so their dot product is their cosine similarity.
 */
public interface Embedder extends AutoCloseable {
    /** Names the vectors: two embedders with the same id give the same vector for the same text. */
    String id();

    /** "intfloat/multilingual-e5-small onnx/model.onnx", for messages. */
    String displayName();

    int dimensions();

    float[] query(String text) throws RagdeskException;

    /** One vector per text, in the order given. */
    List<float[]> passages(List<String> texts) throws RagdeskException;

    @Override
    void close();
}
