package dev.ragdesk.rag;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The index's schema, in one place so that writer and reader agree: the field names, and how a
 * chunk and a file record become Lucene documents and are read back from stored fields. The
 * names are public for the Solr backend's schema ({@code rag.solr.SolrConfigset}), which is
 * written from them and from {@link Languages}' analysis, so the two backends index alike.
 */
public final class Fields {
    public static final String KIND = "kind";           // "chunk" or "file"
    public static final String PATH = "path";           // absolute path: the key for updates and removal
    public static final String TEXT = "text";           // base field, stored with offsets for highlighting
    public static final String HEADING = "heading";
    public static final String PAGE = "page";
    public static final String START_LINE = "start_line";
    public static final String END_LINE = "end_line";
    public static final String ORDINAL = "ordinal";
    public static final String LANG = "lang";
    public static final String HASH = "sha256";         // file docs: content hash, what "changed" means
    public static final String SIZE = "size";
    public static final String TYPE = "type";
    public static final String CHUNKS = "chunks";
    public static final String SKIPPED = "skipped";     // file docs: "yes" when the file was not indexed
    public static final String SKIP_REASON = "skipped_reason"; // file docs: why, or empty
    public static final String SKIPPED_UNDER = "skipped_under"; // file docs: the settings a skip was decided under
    public static final String EMBED_MODEL = "embed_model"; // chunk and file docs: id of the model that made the vectors
    public static final String EMBED_NAME = "embed_name";   // commit data: that model's name, for messages
    public static final String EMBED_DIMS = "embed_dims";   // commit data: its dimensions

    /** How chunk vectors are compared: they are normalised, so the dot product is the cosine. */
    public static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;

    /** One vector field per dimension count: a model of another size never clashes with old vectors. */
    public static String vector(int dimensions) { return VECTOR_PREFIX + dimensions; }

    /** The dimension count a {@link #vector} field is named for; 0 for any other field. */
    public static int dimensionsOf(String field) {
        if (!field.startsWith(VECTOR_PREFIX)) return 0;
        try {
            return Integer.parseInt(field.substring(VECTOR_PREFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static final String VECTOR_PREFIX = "vector_";

    public static final String CHUNK = "chunk";
    public static final String FILE = "file";

    /** The base text field's type: stored, with offsets for highlighting. */
    static final FieldType TEXT_WITH_OFFSETS = textWithOffsets();

    private Fields() {}

    static Document chunk(String path, Chunk chunk) {
        var doc = new Document();
        doc.add(new StringField(KIND, CHUNK, Field.Store.NO));
        doc.add(new StringField(PATH, path, Field.Store.YES));
        doc.add(new Field(TEXT, chunk.text(), TEXT_WITH_OFFSETS));
        var langs = Languages.detect(chunk.text());
        for (var lang : langs) doc.add(new TextField(lang.field(), chunk.text(), Field.Store.NO));
        doc.add(new StringField(LANG, langs.isEmpty() ? "" : langs.iterator().next().code, Field.Store.YES));
        doc.add(new StoredField(HEADING, chunk.heading()));
        doc.add(new StoredField(PAGE, chunk.page()));
        doc.add(new StoredField(START_LINE, chunk.startLine()));
        doc.add(new StoredField(END_LINE, chunk.endLine()));
        doc.add(new StoredField(ORDINAL, chunk.ordinal()));
        return doc;
    }

    /** A chunk's vector, and the id of the model that made it (vector search filters on it). */
    static void addVector(Document doc, float[] vector, String model) {
        doc.add(new KnnFloatVectorField(vector(vector.length), vector, SIMILARITY));
        doc.add(new StringField(EMBED_MODEL, model, Field.Store.NO));
    }

    static Chunk chunkOf(Document doc) {
        return new Chunk(doc.get(TEXT), doc.get(HEADING), intOf(doc, PAGE), intOf(doc, START_LINE), intOf(doc, END_LINE),
                intOf(doc, ORDINAL));
    }

    static Document file(FileRecord record) {
        var doc = new Document();
        doc.add(new StringField(KIND, FILE, Field.Store.NO));
        doc.add(new StringField(PATH, record.path(), Field.Store.YES));
        doc.add(new StoredField(HASH, record.hash()));
        doc.add(new StoredField(SIZE, record.size()));
        doc.add(new StoredField(TYPE, record.type()));
        doc.add(new StoredField(CHUNKS, record.chunks()));
        doc.add(new StringField(SKIPPED, record.skipReason().isEmpty() ? "" : "yes", Field.Store.NO));
        doc.add(new StoredField(SKIP_REASON, record.skipReason()));
        if (!record.skipReason().isEmpty()) doc.add(new StoredField(SKIPPED_UNDER, record.skippedUnder()));
        if (!record.embedModel().isEmpty()) doc.add(new StringField(EMBED_MODEL, record.embedModel(), Field.Store.YES));
        return doc;
    }

    static FileRecord fileOf(Document doc) {
        return new FileRecord(doc.get(PATH), doc.get(HASH), longOf(doc, SIZE), orEmpty(doc.get(TYPE)), intOf(doc, CHUNKS),
                orEmpty(doc.get(SKIP_REASON)), orEmpty(doc.get(SKIPPED_UNDER)), orEmpty(doc.get(EMBED_MODEL)));
    }

    private static int intOf(Document doc, String name) {
        var field = doc.getField(name);
        return field == null ? 0 : field.numericValue().intValue();
    }

    private static long longOf(Document doc, String name) {
        var field = doc.getField(name);
        return field == null ? 0 : field.numericValue().longValue();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static FieldType textWithOffsets() {
        var type = new FieldType(TextField.TYPE_STORED);
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        type.freeze();
        return type;
    }
}
