package dev.ragdesk.rag;

import dev.ragdesk.rag.Passage;
import dev.ragdesk.RagdeskException;

import java.util.List;

/** Where RAG mode gets passages from: the document index. */
public interface PassageSource {
    /**
     * True when there is nothing to search yet, so RAG mode can say so instead of answering
     * blind. Throws when the index cannot be read (damaged), which is not the same as empty.
     */
    boolean isEmpty() throws RagdeskException;

    /** Up to {@code topK} passages for {@code question}, best first. */
    List<Passage> retrieve(String question, int topK) throws RagdeskException;
}
