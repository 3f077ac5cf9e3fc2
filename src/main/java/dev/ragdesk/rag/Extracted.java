package dev.ragdesk.rag;

import java.nio.file.Path;
import java.util.List;

/**
 * What an extractor got out of one file, or why it skipped it.
 *
 * @param type       "text", "markdown", "code", "html", "pdf" or "docx"
 * @param skipReason empty when the file was read; else one line saying why not
 */
public record Extracted(Path path, String type, List<Section> sections, String skipReason) {
    public static Extracted skipped(Path path, String reason) {
        return new Extracted(path, "", List.of(), reason);
    }

    public boolean isSkipped() { return !skipReason.isEmpty(); }

    /** Markdown and HTML mark headings with "#", which the chunker follows. */
    public boolean hasMarkdownHeadings() { return type.equals("markdown") || type.equals("html") || type.equals("docx"); }
}
