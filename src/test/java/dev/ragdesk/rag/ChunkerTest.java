package dev.ragdesk.rag;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ChunkerTest {

    private static Extracted text(String type, String body) {
        return new Extracted(Path.of("x"), type, List.of(new Section(body, 0, 1)), "");
    }

    @Test
    void smallParagraphsShareAChunkAndKeepTheirLines() {
        var chunks = new Chunker(200, 20).chunk(text("text", "first line\nsecond line\n\nnext paragraph\n"));
        assertEquals(1, chunks.size());
        assertEquals("first line\nsecond line\n\nnext paragraph", chunks.get(0).text());
        assertEquals(1, chunks.get(0).startLine());
        assertEquals(4, chunks.get(0).endLine());
    }

    @Test
    void longTextSplitsAtSentencesIncludingTheDandaWithOverlap() {
        var sentence = "यह एक लंबा वाक्य है जिसमें कई शब्द हैं। ";
        var body = sentence.repeat(20);
        var chunks = new Chunker(200, 40).chunk(text("text", body));
        assertTrue(chunks.size() > 3);
        for (var c : chunks) {
            assertTrue(c.text().length() <= 200 + 40 + 2, "size bound: " + c.text().length());
        }
        assertTrue(chunks.get(0).text().endsWith("।"), "cut after a danda: " + chunks.get(0).text());
        var tailOfFirst = chunks.get(0).text().substring(chunks.get(0).text().length() - 20);
        assertTrue(chunks.get(1).text().contains(tailOfFirst.strip().split(" ")[1]), "the next chunk overlaps the previous");
    }

    @Test
    void headingsStartChunksAndAreRemembered() {
        var md = "# Guide\n\nintro text\n\n## Setup\n\nstep one\n\n## Use\n\nstep two\n";
        var chunks = new Chunker(500, 50).chunk(text("markdown", md));
        assertEquals(3, chunks.size());
        assertEquals(List.of("Guide", "Setup", "Use"), chunks.stream().map(Chunk::heading).toList());
        assertEquals("## Setup\n\nstep one", chunks.get(1).text(), "no overlap across sections");
        assertEquals(5, chunks.get(1).startLine());
        assertEquals("lines 5-7", chunks.get(1).location());
    }

    @Test
    void hashLinesInPlainTextAreNotHeadings() {
        var chunks = new Chunker(500, 50).chunk(text("code", "# a shell comment\necho hi\n"));
        assertEquals("", chunks.get(0).heading());
    }

    @Test
    void pagesNeverShareAChunk() {
        var doc = new Extracted(Path.of("r.pdf"), "pdf", List.of(new Section("page one text", 1, 1), new Section("page two text", 2, 1)), "");
        var chunks = new Chunker(500, 50).chunk(doc);
        assertEquals(2, chunks.size());
        assertEquals("p. 2", chunks.get(1).location());
    }

    @Test
    void aWordlessRunIsCutHard() {
        var chunks = new Chunker(200, 0).chunk(text("text", "x".repeat(1000)));
        assertEquals(5, chunks.size());
        chunks.forEach(c -> assertEquals(200, c.text().length()));
    }
}
