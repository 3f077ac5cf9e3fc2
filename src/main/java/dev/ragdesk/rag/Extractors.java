package dev.ragdesk.rag;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.ZipFile;

/**
 * Pulls text out of a file, choosing the reader by content as well as by extension: plain
 * text, Markdown, source code, HTML (jsoup), PDF (PDFBox, page by page) and DOCX. Anything it
 * cannot or should not read (binary, empty, too large, encrypted, corrupt) comes back skipped
 * with a one-line reason; it never throws for a bad file.
 */
public final class Extractors {
    private static final Set<String> MARKDOWN = Set.of("md", "markdown", "mdown", "rst");
    private static final Set<String> HTML = Set.of("html", "htm", "xhtml");
    private static final Set<String> CODE = Set.of("java", "kt", "py", "js", "ts", "go", "rs", "c", "h", "cpp", "hpp",
            "cs", "rb", "php", "sh", "scala", "swift", "sql", "toml", "yaml", "yml", "json", "xml", "gradle", "lua");
    private static final String BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,pre,blockquote,td,th,dt,dd,figcaption,caption";

    private final long maxBytes;

    /**
     * The settings that decide whether a file is skipped: a file skipped under other settings
     * (a raised [retrieval].max_file_mb) must be looked at again, not taken as unchanged.
     */
    String skipSettings() {
        return "max_bytes=" + maxBytes;
    }

    public Extractors(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public Extracted extract(Path file) {
        try {
            long size = Files.size(file);
            if (size == 0) return Extracted.skipped(file, "empty file");
            if (size > maxBytes) {
                return Extracted.skipped(file, "larger than " + maxBytes / 1_000_000 + " MB ([retrieval].max_file_mb)");
            }
            var head = head(file);
            var ext = extension(file);
            if (startsWith(head, "%PDF-")) return pdf(file);
            if (startsWith(head, "PK\u0003\u0004")) {
                return ext.equals("docx") ? docx(file) : Extracted.skipped(file, "binary file (zip archive)");
            }
            var magic = binaryMagic(head);
            if (magic != null) return Extracted.skipped(file, "binary file (" + magic + ")");
            if (looksBinary(head)) return Extracted.skipped(file, "binary file");
            var text = TextDecoder.decode(Files.readAllBytes(file));
            if (HTML.contains(ext) || looksLikeHtml(text)) return html(file, text);
            if (text.isBlank()) return Extracted.skipped(file, "no text in it");
            var type = MARKDOWN.contains(ext) ? "markdown" : CODE.contains(ext) ? "code" : "text";
            return new Extracted(file, type, List.of(new Section(text, 0, 1)), "");
        } catch (IOException | RuntimeException e) {
            return Extracted.skipped(file, "unreadable (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private static Extracted pdf(Path file) {
        try (var document = Loader.loadPDF(file.toFile())) {
            var stripper = new PDFTextStripper();
            var sections = new ArrayList<Section>();
            for (int page = 1; page <= document.getNumberOfPages(); page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                var text = stripper.getText(document);
                if (!text.isBlank()) sections.add(new Section(text, page, 1));
            }
            if (sections.isEmpty()) return Extracted.skipped(file, "PDF without extractable text (scanned images?)");
            return new Extracted(file, "pdf", sections, "");
        } catch (InvalidPasswordException e) {
            return Extracted.skipped(file, "encrypted PDF (needs a password)");
        } catch (IOException | RuntimeException e) {
            return Extracted.skipped(file, "unreadable PDF (" + e.getMessage() + ")");
        }
    }

    /** HTML as Markdown-like text: block elements become paragraphs and h1..h6 become "#" headings. */
    private static Extracted html(Path file, String source) {
        var document = Jsoup.parse(source);
        var out = new StringBuilder();
        var title = document.title();
        if (!title.isBlank()) out.append("# ").append(title.strip()).append("\n\n");
        var blocks = document.body().select(BLOCKS);
        for (Element block : blocks) {
            if (block.parents().stream().anyMatch(p -> p.is(BLOCKS))) continue; // its text is in the outer block
            var text = block.text().strip();
            if (text.isEmpty()) continue;
            var tag = block.tagName();
            if (tag.matches("h[1-6]")) out.append("#".repeat(tag.charAt(1) - '0')).append(' ');
            out.append(text).append("\n\n");
        }
        if (blocks.isEmpty()) out.append(document.body().text());
        var text = out.toString();
        if (text.isBlank()) return Extracted.skipped(file, "HTML without text");
        return new Extracted(file, "html", List.of(new Section(text, 0, 1)), "");
    }

    /** DOCX paragraphs from word/document.xml, with Heading styles as "#" headings. */
    private static Extracted docx(Path file) {
        try (var zip = new ZipFile(file.toFile())) {
            var entry = zip.getEntry("word/document.xml");
            if (entry == null) return Extracted.skipped(file, "not a Word document (no word/document.xml)");
            try (InputStream in = zip.getInputStream(entry)) {
                var text = docxText(in);
                if (text.isBlank()) return Extracted.skipped(file, "Word document without text");
                return new Extracted(file, "docx", List.of(new Section(text, 0, 1)), "");
            }
        } catch (IOException | XMLStreamException | RuntimeException e) {
            return Extracted.skipped(file, "unreadable Word document (" + e.getMessage() + ")");
        }
    }

    private static String docxText(InputStream in) throws XMLStreamException {
        // the JDK's own parser, whatever else is on the classpath: another StAX (Woodstox, which Solr's
        // test framework brings) refuses the ACCESS_EXTERNAL_DTD property that keeps external entities out
        var factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        var reader = factory.createXMLStreamReader(in);
        var out = new StringBuilder();
        var paragraph = new StringBuilder();
        int headingLevel = 0;
        boolean inText = false;
        while (reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                var name = reader.getLocalName();
                if (name.equals("t")) inText = true;
                else if (name.equals("tab")) paragraph.append('\t');
                else if (name.equals("pStyle")) {
                    var style = String.valueOf(reader.getAttributeValue(reader.getNamespaceURI(), "val"));
                    if (style.matches("(?i)heading ?[1-9]")) headingLevel = style.charAt(style.length() - 1) - '0';
                }
            } else if (event == XMLStreamConstants.CHARACTERS && inText) {
                paragraph.append(reader.getText());
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                var name = reader.getLocalName();
                if (name.equals("t")) inText = false;
                else if (name.equals("p")) {
                    if (!paragraph.toString().isBlank()) {
                        if (headingLevel > 0) out.append("#".repeat(headingLevel)).append(' ');
                        out.append(paragraph.toString().strip()).append("\n\n");
                    }
                    paragraph.setLength(0);
                    headingLevel = 0;
                }
            }
        }
        return out.toString();
    }

    private static byte[] head(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(8192);
        }
    }

    private static String extension(Path file) {
        var name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static boolean startsWith(byte[] head, String prefix) {
        if (head.length < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (head[i] != (byte) prefix.charAt(i)) return false;
        return true;
    }

    private static String binaryMagic(byte[] h) {
        if (h.length >= 4 && (h[0] & 0xFF) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') return "PNG image";
        if (h.length >= 3 && (h[0] & 0xFF) == 0xFF && (h[1] & 0xFF) == 0xD8 && (h[2] & 0xFF) == 0xFF) return "JPEG image";
        if (startsWith(h, "GIF8")) return "GIF image";
        if (h.length >= 4 && h[0] == 0x7F && h[1] == 'E' && h[2] == 'L' && h[3] == 'F') return "executable";
        if (h.length >= 2 && (h[0] & 0xFF) == 0x1F && (h[1] & 0xFF) == 0x8B) return "gzip archive";
        if (startsWith(h, "GGUF")) return "GGUF model";
        return null;
    }

    /** NUL bytes, or many control characters, outside a UTF-16 byte-order mark. */
    private static boolean looksBinary(byte[] head) {
        if (head.length >= 2 && ((head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE
                || (head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF)) return false;
        int control = 0;
        for (byte b : head) {
            int v = b & 0xFF; // bytes of UTF-8 text above 0x7F are letters, not controls
            if (v == 0) return true;
            if (v < 0x09 || (v > 0x0D && v < 0x20)) control++;
        }
        return control > head.length / 10;
    }

    private static boolean looksLikeHtml(String text) {
        var start = text.stripLeading();
        var lower = start.substring(0, Math.min(start.length(), 200)).toLowerCase(Locale.ROOT);
        return lower.startsWith("<!doctype html") || lower.startsWith("<html");
    }
}
