package dev.ragdesk.rag;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits a document along its structure first (pages, headings, paragraphs, sentences, with
 * the danda "।" as a sentence end), then by size: pieces are packed into chunks of up to
 * {@code chunkChars}, and each chunk after the first in a section starts with the last
 * {@code overlap} characters of the one before. A new heading or page always starts a new
 * chunk, so a citation never straddles two sections.
 */
public final class Chunker {
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?।॥])\\s+");

    private final int chunkChars;
    private final int overlap;

    public Chunker(int chunkChars, int overlap) {
        if (overlap >= chunkChars) throw new IllegalArgumentException("overlap must be smaller than the chunk size");
        this.chunkChars = chunkChars;
        this.overlap = overlap;
    }

    /** A paragraph or a sentence, with its lines and the heading above it. */
    private record Piece(String text, int startLine, int endLine, String heading, boolean startsSection) {}

    public List<Chunk> chunk(Extracted document) {
        var chunks = new ArrayList<Chunk>();
        for (var section : document.sections()) {
            var pieces = new ArrayList<Piece>();
            for (var block : blocks(section, document.hasMarkdownHeadings())) pieces.addAll(split(block));
            pack(pieces, section.page(), chunks);
        }
        return chunks;
    }

    /** Paragraphs (runs of non-blank lines); a heading line closes the paragraph before it and opens a section. */
    private static List<Piece> blocks(Section section, boolean markdownHeadings) {
        var lines = section.text().replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        var blocks = new ArrayList<Piece>();
        var text = new StringBuilder();
        int start = -1;
        String heading = "";
        boolean newSection = true;
        for (int i = 0; i <= lines.length; i++) {
            var line = i < lines.length ? lines[i] : "";
            int lineNo = section.firstLine() + i;
            var headingMatch = markdownHeadings && i < lines.length ? HEADING.matcher(line) : null;
            boolean isHeading = headingMatch != null && headingMatch.matches();
            if (line.isBlank() || isHeading || i == lines.length) {
                if (text.length() > 0) {
                    blocks.add(new Piece(text.toString(), start, lineNo - 1, heading, newSection));
                    newSection = false;
                    text.setLength(0);
                }
                if (isHeading) {
                    heading = headingMatch.group(2);
                    newSection = true;
                    text.append(line.strip());
                    start = lineNo;
                }
                continue;
            }
            if (text.length() == 0) start = lineNo;
            else text.append('\n');
            text.append(line.strip());
        }
        return blocks;
    }

    /** A block that fits stays whole; a longer one is cut at sentence ends, and a too-long sentence at spaces. */
    private List<Piece> split(Piece block) {
        if (block.text().length() <= chunkChars) return List.of(block);
        var pieces = new ArrayList<Piece>();
        int offset = 0;
        var matcher = SENTENCE_END.matcher(block.text());
        var sentences = new ArrayList<int[]>();
        while (matcher.find()) {
            sentences.add(new int[] {offset, matcher.start()});
            offset = matcher.end();
        }
        sentences.add(new int[] {offset, block.text().length()});
        boolean first = true;
        for (var s : sentences) {
            for (var part : hardSplit(block.text().substring(s[0], s[1]))) {
                int line = block.startLine() + count(block.text(), '\n', s[0]);
                pieces.add(new Piece(part, line, Math.min(block.endLine(), line + count(part, '\n', part.length())),
                        block.heading(), first && block.startsSection()));
                first = false;
            }
        }
        return pieces;
    }

    private List<String> hardSplit(String sentence) {
        var parts = new ArrayList<String>();
        var rest = sentence;
        while (rest.length() > chunkChars) {
            int cut = rest.lastIndexOf(' ', chunkChars);
            if (cut < chunkChars / 2) cut = chunkChars;
            parts.add(rest.substring(0, cut));
            rest = rest.substring(cut).stripLeading();
        }
        if (!rest.isBlank()) parts.add(rest);
        return parts;
    }

    private void pack(List<Piece> pieces, int page, List<Chunk> out) {
        var text = new StringBuilder();
        boolean hasOwnText = false; // more than the overlap carried over from the chunk before
        String heading = "";
        int start = 0;
        int end = 0;
        for (var piece : pieces) {
            boolean full = hasOwnText && text.length() + 2 + piece.text().length() > chunkChars;
            if (hasOwnText && (full || piece.startsSection())) {
                var previous = text.toString();
                out.add(new Chunk(previous, heading, page, start, end, out.size()));
                text.setLength(0);
                if (!piece.startsSection()) text.append(tail(previous)); // overlap only within a section
                hasOwnText = false;
            }
            if (!hasOwnText) {
                heading = piece.heading();
                start = piece.startLine();
            }
            if (text.length() > 0) text.append("\n\n");
            text.append(piece.text());
            end = piece.endLine();
            hasOwnText = true;
        }
        if (hasOwnText) out.add(new Chunk(text.toString(), heading, page, start, end, out.size()));
    }

    /** The last {@code overlap} characters, starting at a word boundary. */
    private String tail(String text) {
        if (overlap == 0 || text.length() <= overlap) return overlap == 0 ? "" : text;
        int from = text.length() - overlap;
        int space = text.indexOf(' ', from);
        return (space >= 0 && space < text.length() - 1 ? text.substring(space + 1) : text.substring(from)).strip();
    }

    private static int count(String s, char c, int upTo) {
        int n = 0;
        for (int i = 0; i < upTo && i < s.length(); i++) if (s.charAt(i) == c) n++;
        return n;
    }
}
