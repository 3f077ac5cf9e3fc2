package dev.ragdesk.rag;

/** Field names of the Lucene index; one place so writer and reader agree. */
final class Fields {
    static final String KIND = "kind";           // "chunk" or "file"
    static final String PATH = "path";           // absolute path: the key for updates and removal
    static final String TEXT = "text";           // base field, stored with offsets for highlighting
    static final String HEADING = "heading";
    static final String PAGE = "page";
    static final String START_LINE = "start_line";
    static final String END_LINE = "end_line";
    static final String ORDINAL = "ordinal";
    static final String LANG = "lang";
    static final String HASH = "sha256";         // file docs: content hash, what "changed" means
    static final String SIZE = "size";
    static final String TYPE = "type";
    static final String CHUNKS = "chunks";
    static final String SKIPPED = "skipped";     // file docs: why the file was not indexed, or empty
    static final String SKIPPED_UNDER = "skipped_under"; // file docs: the settings a skip was decided under
    static final String EMBED_MODEL = "embed_model"; // chunk and file docs: id of the model that made the vectors
    static final String EMBED_NAME = "embed_name";   // commit data: that model's name, for messages
    static final String EMBED_DIMS = "embed_dims";   // commit data: its dimensions

    /** One vector field per dimension count: a model of another size never clashes with old vectors. */
    static String vector(int dimensions) { return "vector_" + dimensions; }

    static final String CHUNK = "chunk";
    static final String FILE = "file";

    private Fields() {}
}
