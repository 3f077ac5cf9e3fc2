package dev.ragdesk.rag;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class ExtractorsTest {

    @TempDir Path dir;
    final Extractors extractors = new Extractors(1_000_000);

    @Test
    void typeComesFromContentNotOnlyTheName() throws Exception {
        var pdfNamedTxt = dir.resolve("report.txt");
        Corpus.pdf(pdfNamedTxt, List.of("hello from a pdf"), null);
        var e = extractors.extract(pdfNamedTxt);
        assertEquals("pdf", e.type());
        assertTrue(e.sections().get(0).text().contains("hello from a pdf"));

        var htmlNoExtension = Files.writeString(dir.resolve("page"), "<!DOCTYPE html><html><body><p>hi there</p></body></html>");
        assertEquals("html", extractors.extract(htmlNoExtension).type());

        var png = Files.write(dir.resolve("image.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2});
        assertEquals("binary file (PNG image)", extractors.extract(png).skipReason());
    }

    @Test
    void badUtf8NeverCrashesAndKeepsTheGoodText() throws Exception {
        var bytes = "good words before ".getBytes(StandardCharsets.UTF_8);
        var bad = new byte[bytes.length + 3];
        System.arraycopy(bytes, 0, bad, 0, bytes.length);
        bad[bytes.length] = (byte) 0xC3;
        bad[bytes.length + 1] = (byte) 0x28;
        bad[bytes.length + 2] = 'x';
        var e = extractors.extract(Files.write(dir.resolve("bad.txt"), bad));
        assertFalse(e.isSkipped(), e.skipReason());
        assertTrue(e.sections().get(0).text().startsWith("good words before"));
    }

    @Test
    void utf16WithBomIsDecoded() throws Exception {
        var file = Files.write(dir.resolve("u16.txt"), ("\uFEFF" + "नमस्ते दुनिया").getBytes(StandardCharsets.UTF_16LE));
        var e = extractors.extract(file);
        assertEquals("नमस्ते दुनिया", e.sections().get(0).text());
    }

    @Test
    void tooLargeAndCorruptFilesAreSkippedWithReasons() throws Exception {
        var big = Files.writeString(dir.resolve("big.txt"), "a".repeat(2_000_000));
        assertEquals("larger than 1 MB ([retrieval].max_file_mb)", extractors.extract(big).skipReason());
        var corrupt = Files.write(dir.resolve("broken.pdf"), "%PDF-1.7\nthis is not really a pdf".getBytes());
        assertTrue(extractors.extract(corrupt).skipReason().startsWith("unreadable PDF"), extractors.extract(corrupt).skipReason());
        var zip = dir.resolve("archive.zip");
        try (var out = new ZipOutputStream(new FileOutputStream(zip.toFile()))) {
            out.putNextEntry(new ZipEntry("a.txt"));
            out.write("x".getBytes());
        }
        assertEquals("binary file (zip archive)", extractors.extract(zip).skipReason());
    }

    @Test
    void docxParagraphsAndHeadingsAreRead() throws Exception {
        var docx = dir.resolve("memo.docx");
        try (var out = new ZipOutputStream(new FileOutputStream(docx.toFile()))) {
            out.putNextEntry(new ZipEntry("word/document.xml"));
            out.write("""
                    <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
                    <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Budget</w:t></w:r></w:p>
                    <w:p><w:r><w:t>We spend less </w:t></w:r><w:r><w:t>on paper.</w:t></w:r></w:p>
                    </w:body></w:document>""".getBytes(StandardCharsets.UTF_8));
        }
        var e = extractors.extract(docx);
        assertEquals("docx", e.type());
        assertEquals("# Budget\n\nWe spend less on paper.\n\n", e.sections().get(0).text());
        assertEquals("Budget", new Chunker(500, 0).chunk(e).get(0).heading());
    }

    @Test
    void unreadableFileIsSkippedNotThrown() {
        var e = extractors.extract(dir.resolve("does-not-exist.txt"));
        assertTrue(e.skipReason().startsWith("unreadable"), e.skipReason());
    }
}
