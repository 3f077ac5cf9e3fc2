package dev.ragdesk.rag.solr;

import dev.ragdesk.io.AtomicFiles;
import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.Languages;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The Solr configset of a ragdesk collection, written from the same definitions as the local
 * index: {@link Fields}' names, {@link Languages}' analysis (the base chain by its factories' classes,
 * each language's analyzer by its class), and a dense vector field whose dimension and similarity
 * follow the embedding model. Solr then analyses text exactly as the local index does. The
 * schema's name carries ragdesk's schema version, so a collection made by another version is
 * recognised before it is written to.
 */
public final class SolrConfigset {
    /** Bumped whenever a field or its analysis changes. */
    public static final String SCHEMA_NAME = "ragdesk-1";
    /** Solr's unique key: "file:HOST:PATH" for a file record, "chunk:HOST:PATH#N" for a chunk. */
    public static final String ID = "id";
    /** Which machine a document came from: several users and machines index into one collection. */
    public static final String HOST = "host";
    /** When a file's record was written, in epoch milliseconds: the collection's "updated" is the newest. */
    public static final String INDEXED_AT = "indexed_at";

    private SolrConfigset() {}

    /** Writes schema.xml and solrconfig.xml into {@code folder} for vectors of {@code dimensions}. */
    public static Path write(Path folder, int dimensions) throws IOException {
        AtomicFiles.writeString(folder.resolve("schema.xml"), schema(dimensions));
        AtomicFiles.writeString(folder.resolve("solrconfig.xml"), SOLRCONFIG);
        return folder;
    }

    /** The configset as the ConfigSets API takes it: a zip of schema.xml and solrconfig.xml. */
    public static byte[] zip(int dimensions) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var file : Map.of("schema.xml", schema(dimensions), "solrconfig.xml", SOLRCONFIG).entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The configset's name in the cluster: one per schema version and vector size. */
    public static String name(int dimensions) {
        return SCHEMA_NAME + "-" + dimensions;
    }

    static String schema(int dimensions) {
        var xml = new StringBuilder();
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<!-- written by ragdesk from its index's field definitions -->\n")
                .append("<schema name=\"").append(SCHEMA_NAME).append("\" version=\"1.7\">\n")
                .append("  <uniqueKey>").append(ID).append("</uniqueKey>\n")
                .append("  <fieldType name=\"string\" class=\"solr.StrField\" sortMissingLast=\"true\"/>\n")
                .append("  <fieldType name=\"pint\" class=\"solr.IntPointField\" docValues=\"true\"/>\n")
                .append("  <fieldType name=\"plong\" class=\"solr.LongPointField\" docValues=\"true\"/>\n")
                .append("  <fieldType name=\"text_base\" class=\"solr.TextField\" positionIncrementGap=\"100\">\n")
                .append("    <analyzer>\n      <tokenizer class=\"").append(Languages.BASE_TOKENIZER.getName()).append("\"/>\n");
        for (var filter : Languages.BASE_FILTERS) xml.append("      <filter class=\"").append(filter.getName()).append("\"/>\n");
        xml.append("    </analyzer>\n  </fieldType>\n");
        for (var lang : Languages.Lang.values()) {
            xml.append("  <fieldType name=\"").append(lang.field()).append("\" class=\"solr.TextField\">\n")
                    .append("    <analyzer class=\"").append(Languages.analyzerClass(lang).getName()).append("\"/>\n")
                    .append("  </fieldType>\n");
        }
        xml.append("  <fieldType name=\"vector\" class=\"solr.DenseVectorField\" vectorDimension=\"").append(dimensions)
                .append("\" similarityFunction=\"").append(Fields.SIMILARITY.name().toLowerCase(Locale.ROOT)).append("\"/>\n");

        field(xml, ID, "string", true, true);
        field(xml, "_version_", "plong", false, false);
        field(xml, HOST, "string", true, true);
        field(xml, Fields.KIND, "string", true, false);
        field(xml, Fields.PATH, "string", true, true);
        xml.append("  <field name=\"").append(Fields.TEXT).append("\" type=\"text_base\" indexed=\"true\" stored=\"true\" ")
                .append("storeOffsetsWithPositions=\"true\"/>\n");
        for (var lang : Languages.Lang.values()) field(xml, lang.field(), lang.field(), true, false);
        field(xml, Fields.LANG, "string", true, true);
        for (var stored : new String[] {Fields.HEADING, Fields.HASH, Fields.TYPE, Fields.SKIP_REASON, Fields.SKIPPED_UNDER}) {
            field(xml, stored, "string", false, true);
        }
        for (var number : new String[] {Fields.PAGE, Fields.START_LINE, Fields.END_LINE, Fields.CHUNKS}) {
            field(xml, number, "pint", false, true);
        }
        field(xml, Fields.ORDINAL, "pint", true, true); // a file's chunks are read back in order, and the stale ones deleted by range
        field(xml, Fields.SIZE, "plong", false, true);
        field(xml, INDEXED_AT, "plong", true, true);
        field(xml, Fields.SKIPPED, "string", true, false);
        field(xml, Fields.EMBED_MODEL, "string", true, true);
        field(xml, Fields.vector(dimensions), "vector", true, false);
        return xml.append("</schema>\n").toString();
    }

    private static void field(StringBuilder xml, String name, String type, boolean indexed, boolean stored) {
        xml.append("  <field name=\"").append(name).append("\" type=\"").append(type).append("\" indexed=\"").append(indexed)
                .append("\" stored=\"").append(stored).append("\"/>\n");
    }

    /** Commits are ragdesk's to make (a file's chunks and record land together); the update log keeps what a node had not committed. */
    private static final String SOLRCONFIG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- written by ragdesk -->
            <config>
              <luceneMatchVersion>9.12</luceneMatchVersion>
              <dataDir>${solr.data.dir:}</dataDir>
              <directoryFactory name="DirectoryFactory" class="${solr.directoryFactory:solr.NRTCachingDirectoryFactory}"/>
              <schemaFactory class="ClassicIndexSchemaFactory"/>
              <updateHandler class="solr.DirectUpdateHandler2">
                <updateLog><str name="dir">${solr.ulog.dir:}</str></updateLog>
                <autoCommit><maxTime>60000</maxTime><openSearcher>false</openSearcher></autoCommit>
              </updateHandler>
              <!-- BM25 with the whole collection's statistics, not each shard's: the same scores as one local index -->
              <statsCache class="org.apache.solr.search.stats.ExactStatsCache"/>
              <requestHandler name="/select" class="solr.SearchHandler"/>
              <!-- the collection's document frequencies of a long question's terms, to keep its rarest (as the local index does) -->
              <searchComponent name="terms" class="solr.TermsComponent"/>
              <requestHandler name="/terms" class="solr.SearchHandler">
                <lst name="defaults"><bool name="terms">true</bool><bool name="distrib">true</bool><str name="shards.qt">/terms</str></lst>
                <arr name="components"><str>terms</str></arr>
              </requestHandler>
            </config>
            """;
}
