package dev.ragdesk.rag;

import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;

/**
 * Scalar-quantised HNSW for every vector field: int8 in memory instead of float32. Each
 * segment names its format, so a plain reader opens the index without this class.
 */
final class QuantisedVectorsCodec extends FilterCodec {
    private final KnnVectorsFormat vectors = new Lucene99HnswScalarQuantizedVectorsFormat();

    QuantisedVectorsCodec() {
        super("Lucene912", new Lucene912Codec());
    }

    @Override
    public KnnVectorsFormat knnVectorsFormat() {
        return new PerFieldKnnVectorsFormat() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return vectors;
            }
        };
    }
}
