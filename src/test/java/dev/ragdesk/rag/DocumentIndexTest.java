package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** A real on-disk Lucene index over a mixed corpus the test writes. */
class DocumentIndexTest {

    @TempDir Path tmp;
    Path docs;
    Path indexDir;
    Retriever retriever;

    @BeforeEach
    void setUp() throws Exception {
        docs = Corpus.write(tmp.resolve("docs")).toRealPath();
        indexDir = tmp.resolve("index");
        retriever = new Retriever(indexDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        retriever.close();
    }

    private IndexSummary index(Path... roots) throws Exception {
        try (var index = DocumentIndex.open(indexDir, new Extractors(50_000_000), new Chunker(400, 60))) {
            return index.index(List.of(roots), p -> {}, () -> false);
        }
    }

    private SearchHit top(String query) throws Exception {
        var hits = retriever.search(query, 3).hits();
        assertFalse(hits.isEmpty(), "no hit for " + query);
        return hits.get(0);
    }

    @Test
    void indexesTheMixedCorpusAndExplainsWhatItSkipped() throws Exception {
        var summary = index(docs);
        assertEquals(11, summary.filesSeen(), "hidden folders are not walked");
        assertEquals(8, summary.indexed());
        Map<String, String> skipped = summary.skipped().stream()
                .collect(Collectors.toMap(s -> Path.of(s.path()).getFileName().toString(), IndexSummary.Skip::reason));
        assertEquals("binary file", skipped.get("blob.bin"));
        assertEquals("empty file", skipped.get("empty.txt"));
        assertEquals("encrypted PDF (needs a password)", skipped.get("secret.pdf"));
        assertEquals(3, skipped.size(), skipped.toString());
        assertTrue(summary.chunks() >= 8);
        var status = retriever.status();
        assertEquals(8, status.files());
        assertEquals(3, status.skippedFiles());
        assertEquals(summary.chunks(), status.chunks());
        assertFalse(status.updatedAt().isEmpty());
    }

    @Test
    void hindiQueryFindsHindiPassageAlsoInAnotherInflection() throws Exception {
        index(docs);
        assertTrue(top("दिल्ली की इमारतें").path().endsWith("hindi.txt"));
        var inflected = top("किताब"); // the text says किताबें (plural)
        assertTrue(inflected.path().endsWith("hindi.txt"), inflected.toString());
        assertTrue(top("इमारत").path().endsWith("hindi.txt"), "singular finds the plural इमारतें");
    }

    @Test
    void tamilBengaliAndEnglishQueriesFindTheirPassages() throws Exception {
        index(docs);
        assertTrue(top("சென்னை").path().endsWith("tamil.txt"));
        assertTrue(top("কলকাতা রাজধানী").path().endsWith("bengali.txt"));
        var english = top("powerhouse cell");
        assertTrue(english.path().endsWith("biology.txt"));
        assertTrue(english.excerpt().contains("**powerhouse**"), english.excerpt());
        assertTrue(top("photosynthesizing plant").path().endsWith("biology.txt"), "English stemming");
        assertTrue(top("café").path().endsWith("latin1.txt"), "Latin-1 bytes were decoded, not mangled");
    }

    @Test
    void citationsCarryPathPageLinesAndHeading() throws Exception {
        index(docs);
        var pdf = top("quarterly revenue");
        assertEquals(docs.resolve("report.pdf").toString(), pdf.path());
        assertEquals(2, pdf.page());
        assertEquals("p. 2", pdf.location());

        var md = top("Polaris alignment knob");
        assertEquals(docs.resolve("guide.md").toString(), md.path());
        assertEquals("Calibration", md.heading());
        assertEquals(9, md.startLine(), "the Calibration heading's line");
        assertEquals("lines 9-11", md.location());

        var html = top("sunlight tomatoes");
        assertTrue(html.path().endsWith("garden.html"));
        assertEquals("Tomatoes", html.heading());
        assertTrue(retriever.search("zucchini", 3).hits().isEmpty(), "script contents are not text");
        assertTrue(retriever.search("zanzibar", 3).hits().isEmpty(), "hidden folders are not indexed");
    }

    @Test
    void reindexingAnUnchangedFolderTouchesNothing() throws Exception {
        var first = index(docs);
        long generation = commitGeneration();
        var second = index(docs);
        assertEquals(0, second.indexed());
        assertEquals(first.filesSeen(), second.unchanged());
        assertEquals(0, second.removed());
        assertTrue(second.skipped().isEmpty(), "skipped files are remembered, not re-read");
        assertEquals(retriever.status().chunks(), first.chunks());
        assertTrue(commitGeneration() <= generation + 1, "at most an empty final commit");
    }

    @Test
    void editedFileIsReindexedAndItsOldChunksAreGone() throws Exception {
        index(docs);
        Files.writeString(docs.resolve("notes/biology.txt"), "Ribosomes assemble proteins from amino acids.\n");
        var summary = index(docs);
        assertEquals(1, summary.indexed());
        assertTrue(retriever.search("powerhouse", 3).hits().isEmpty(), "old text is gone");
        assertTrue(top("ribosomes proteins").path().endsWith("biology.txt"));
    }

    @Test
    void vanishedFilesAreDroppedAndRemoveWorksForFilesAndFolders() throws Exception {
        index(docs);
        Files.delete(docs.resolve("notes/tamil.txt"));
        assertEquals(1, index(docs).removed());
        assertTrue(retriever.search("சென்னை", 3).hits().isEmpty());

        try (var index = DocumentIndex.open(indexDir, new Extractors(50_000_000), new Chunker(400, 60))) {
            assertEquals(1, index.remove(docs.resolve("guide.md")));
            assertEquals(3, index.remove(docs.resolve("notes")), "hindi, bengali, biology");
        }
        assertTrue(retriever.search("Polaris", 3).hits().isEmpty());
        assertTrue(retriever.search("किताब", 3).hits().isEmpty());
        assertFalse(retriever.search("quarterly revenue", 3).hits().isEmpty(), "the rest stays");
    }

    @Test
    void searchWorksWhileAnotherIndexRunIsOpen() throws Exception {
        index(docs);
        try (var index = DocumentIndex.open(indexDir, new Extractors(50_000_000), new Chunker(400, 60))) {
            var seenDuringRun = new ArrayList<Integer>();
            Files.writeString(docs.resolve("notes/more.txt"), "Saturn has rings of ice and rock.\n");
            index.index(List.of(docs), p -> {
                try {
                    seenDuringRun.add(retriever.search("powerhouse", 3).hits().size());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, () -> false);
            assertTrue(seenDuringRun.stream().allMatch(n -> n == 1), "searches kept answering during the run");
        }
        assertTrue(top("Saturn rings").path().endsWith("more.txt"));
    }

    @Test
    void secondWriterIsRefusedWithAClearMessage() throws Exception {
        try (var first = DocumentIndex.open(indexDir, new Extractors(1000), new Chunker(400, 60))) {
            var e = assertThrows(RagdeskException.class,
                    () -> DocumentIndex.open(indexDir, new Extractors(1000), new Chunker(400, 60)));
            assertTrue(e.getMessage().contains("is being updated by another ragdesk process"), e.getMessage());
        }
    }

    /** Item 9: a file skipped as too large was recorded as unchanged, so raising the limit did nothing. */
    @Test
    void raisingTheSizeLimitIndexesAFileSkippedAsTooLarge() throws Exception {
        var big = Files.createDirectories(tmp.resolve("big"));
        Files.writeString(big.resolve("long.txt"), "The harbour master keeps the tide tables. ".repeat(15_000)); // about 630 kB
        try (var index = DocumentIndex.open(indexDir, new Extractors(300_000), new Chunker(400, 60))) {
            var first = index.index(List.of(big), p -> {}, () -> false);
            assertEquals(1, first.skipped().size());
            assertTrue(first.skipped().get(0).reason().contains("max_file_mb"), first.skipped().toString());
            assertEquals(0, index.index(List.of(big), p -> {}, () -> false).indexed(), "same limit: still skipped, not re-read");
        }
        try (var index = DocumentIndex.open(indexDir, new Extractors(10_000_000), new Chunker(400, 60))) {
            var raised = index.index(List.of(big), p -> {}, () -> false);
            assertEquals(1, raised.indexed(), "the raised limit lets it in: " + raised);
            assertEquals(0, raised.unchanged());
        }
        assertFalse(retriever.search("tide tables", 3).hits().isEmpty());
    }

    /** Item 10: a retriever opened before anything was indexed kept saying the index was empty. */
    @Test
    void aRetrieverOpenedEarlierSeesWhatAnotherWriterIndexedSince() throws Exception {
        assertTrue(retriever.isEmpty());
        index(docs);
        assertFalse(retriever.isEmpty(), "a new index appears");
        var extra = Files.createDirectories(tmp.resolve("extra"));
        Files.writeString(extra.resolve("otters.md"), "Sea otters hold hands while they sleep.\n");
        assertTrue(retriever.search("otters", 3).hits().isEmpty());
        index(extra);
        assertEquals(1, retriever.search("otters", 3).hits().size(), "and so do later commits");
    }

    /** Item 7: a damaged index read as an empty one; it must say it is damaged and how to rebuild it. */
    @Test
    void aDamagedIndexIsNamedAsSuchNotAsEmpty() throws Exception {
        index(docs);
        retriever.close();
        try (var files = Files.list(indexDir)) {
            for (var f : files.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) {
                Files.write(f, "garbage, not a segments file".getBytes());
            }
        }
        retriever = new Retriever(indexDir);
        var empty = assertThrows(RagdeskException.class, retriever::isEmpty);
        assertTrue(empty.getMessage().contains("is damaged"), empty.getMessage());
        assertTrue(empty.getMessage().contains("ragdesk index PATH"), empty.getMessage());
        var search = assertThrows(RagdeskException.class, () -> retriever.search("lamp", 3));
        assertEquals(empty.getMessage(), search.getMessage());
    }

    /** Item 1: more terms than Lucene takes in one query (1024) threw TooManyClauses. */
    @Test
    void aQueryOfAHundredKilobytesKeepsItsTellingTerms() throws Exception {
        index(docs);
        var query = new StringBuilder("chloroplasts ");
        for (int i = 0; query.length() < 100_000; i++) query.append("filler").append(i).append(" the a of ");
        var hits = retriever.search(query.toString(), 3).hits();
        assertFalse(hits.isEmpty());
        assertTrue(hits.get(0).excerpt().contains("**chloroplasts**"), "the one telling word decided: " + hits.get(0).excerpt());
    }

    @Test
    void missingRootIsNamed() {
        var e = assertThrows(RagdeskException.class, () -> index(tmp.resolve("nowhere")));
        assertEquals("cannot index " + tmp.resolve("nowhere") + ": no such file or folder", e.getMessage());
    }

    private long commitGeneration() throws Exception {
        try (var dir = FSDirectory.open(indexDir);
             var reader = DirectoryReader.open(dir)) {
            return reader.getIndexCommit().getGeneration();
        }
    }
}
