package dev.ragdesk.rag;

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
        var hits = retriever.search(query, 3);
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
        assertTrue(retriever.search("zucchini", 3).isEmpty(), "script contents are not text");
        assertTrue(retriever.search("zanzibar", 3).isEmpty(), "hidden folders are not indexed");
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
        assertTrue(retriever.search("powerhouse", 3).isEmpty(), "old text is gone");
        assertTrue(top("ribosomes proteins").path().endsWith("biology.txt"));
    }

    @Test
    void vanishedFilesAreDroppedAndRemoveWorksForFilesAndFolders() throws Exception {
        index(docs);
        Files.delete(docs.resolve("notes/tamil.txt"));
        assertEquals(1, index(docs).removed());
        assertTrue(retriever.search("சென்னை", 3).isEmpty());

        try (var index = DocumentIndex.open(indexDir, new Extractors(50_000_000), new Chunker(400, 60))) {
            assertEquals(1, index.remove(docs.resolve("guide.md")));
            assertEquals(3, index.remove(docs.resolve("notes")), "hindi, bengali, biology");
        }
        assertTrue(retriever.search("Polaris", 3).isEmpty());
        assertTrue(retriever.search("किताब", 3).isEmpty());
        assertFalse(retriever.search("quarterly revenue", 3).isEmpty(), "the rest stays");
    }

    @Test
    void searchWorksWhileAnotherIndexRunIsOpen() throws Exception {
        index(docs);
        try (var index = DocumentIndex.open(indexDir, new Extractors(50_000_000), new Chunker(400, 60))) {
            var seenDuringRun = new ArrayList<Integer>();
            Files.writeString(docs.resolve("notes/more.txt"), "Saturn has rings of ice and rock.\n");
            index.index(List.of(docs), p -> {
                try {
                    seenDuringRun.add(retriever.search("powerhouse", 3).size());
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
            var e = assertThrows(dev.ragdesk.RagdeskException.class,
                    () -> DocumentIndex.open(indexDir, new Extractors(1000), new Chunker(400, 60)));
            assertTrue(e.getMessage().contains("is being updated by another ragdesk process"), e.getMessage());
        }
    }

    @Test
    void missingRootIsNamed() {
        var e = assertThrows(dev.ragdesk.RagdeskException.class, () -> index(tmp.resolve("nowhere")));
        assertEquals("cannot index " + tmp.resolve("nowhere") + ": no such file or folder", e.getMessage());
    }

    private long commitGeneration() throws Exception {
        try (var dir = org.apache.lucene.store.FSDirectory.open(indexDir);
             var reader = org.apache.lucene.index.DirectoryReader.open(dir)) {
            return reader.getIndexCommit().getGeneration();
        }
    }
}
