package dev.ragdesk.rag.solr;

import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.Languages;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.FieldAnalysisRequest;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.client.solrj.response.AnalysisResponseBase;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The configset ragdesk writes, on a real SolrCloud (two nodes, two shards of two replicas): the
 * collection is created from it, and Solr analyses text as the local index does: the oracle is
 * Lucene's own analysis of the same text in this JVM against what Solr's field analysis returns.
 */
@Timeout(120)
class SolrConfigsetTest {
    @TempDir static Path dir;
    static MiniSolrCloudCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("solr.log.dir", dir.resolve("logs").toString());
        var configset = SolrConfigset.write(dir.resolve("conf"), 384);
        cluster = new MiniSolrCloudCluster.Builder(2, dir.resolve("cluster")).addConfig("ragdesk", configset).build();
        CollectionAdminRequest.createCollection("docs", "ragdesk", 2, 2).process(cluster.getSolrClient());
        cluster.waitForActiveCollection("docs", 2, 4);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.shutdown();
    }

    /** Four scripts, and two spellings that only Indic normalisation folds ("अौर" to "और", "অা" to "আ"). */
    static final String TEXT = "दीपक रात में जलता है अौर The lighthouse keepers were lighting lamps; বাতিঘর জ্বলছে অা, கலங்கரை விளக்கம்";

    private static List<String> local(Analyzer analyzer, String field) throws Exception {
        var tokens = new ArrayList<String>();
        try (analyzer; var stream = analyzer.tokenStream(field, TEXT)) {
            var term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) tokens.add(term.toString());
            stream.end();
        }
        return tokens;
    }

    private static List<String> solr(String field) throws Exception {
        var request = new FieldAnalysisRequest().setFieldNames(List.of(field)).setFieldValue(TEXT);
        var response = request.process(cluster.getSolrClient(), "docs");
        var phases = response.getFieldNameAnalysis(field).getIndexPhases();
        AnalysisResponseBase.AnalysisPhase last = null;
        for (var phase : phases) last = phase;
        return last.getTokens().stream().map(AnalysisResponseBase.TokenInfo::getText).toList();
    }

    @Test
    void solrAnalysesTheBaseFieldAsTheLocalIndexDoes() throws Exception {
        var local = local(Languages.base(), Fields.TEXT);
        assertTrue(local.contains("दीपक") && local.contains("lighthouse") && local.contains("और") && local.contains("আ"),
                "the oracle tokenised, case-folded and Indic-normalised the text: " + local);
        assertEquals(local, solr(Fields.TEXT));
    }

    @Test
    void eachLanguageFieldUsesTheLocalIndexsAnalyzer() throws Exception {
        for (var lang : Languages.Lang.values()) {
            var analyzer = Languages.analyzerClass(lang).getConstructor().newInstance();
            assertEquals(local(analyzer, lang.field()), solr(lang.field()), lang.field());
        }
    }

    @Test
    void theVectorFieldFollowsTheEmbeddingModelAndTheSchemaSaysItsVersion() throws Exception {
        var type = new SchemaRequest.FieldType("vector").process(cluster.getSolrClient(), "docs").getFieldType();
        assertEquals("384", String.valueOf(type.getAttributes().get("vectorDimension")));
        assertEquals("dot_product", String.valueOf(type.getAttributes().get("similarityFunction")));
        var field = new SchemaRequest.Field(Fields.vector(384)).process(cluster.getSolrClient(), "docs").getField();
        assertEquals("vector", field.get("type"));
        assertEquals(SolrConfigset.SCHEMA_NAME, new SchemaRequest.SchemaName().process(cluster.getSolrClient(), "docs").getSchemaName());
    }
}
