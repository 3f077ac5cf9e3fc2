package dev.ragdesk.rag;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A small mixed corpus written by the tests: four languages, Markdown, HTML, PDFs and bad files. */
public final class Corpus {
    static final String HINDI = """
            भारत की राजधानी नई दिल्ली है। दिल्ली में कई ऐतिहासिक इमारतें हैं।
            शहर के पुस्तकालय में बहुत सारी पुरानी किताबें रखी हुई हैं।
            """;
    static final String TAMIL = "சென்னை தமிழ்நாட்டின் தலைநகரம் ஆகும். மெரினா கடற்கரை மிகவும் நீளமானது.\n";
    static final String BENGALI = "কলকাতা পশ্চিমবঙ্গের রাজধানী। হাওড়া সেতু গঙ্গা নদীর উপর অবস্থিত।\n";
    static final String ENGLISH = """
            The mitochondria is the powerhouse of the cell.
            Photosynthesis happens in the chloroplasts of green plants.
            """;
    static final String MARKDOWN = """
            # Field guide

            An introduction to the field kit.

            ## Installation

            Unpack the telescope and mount it on the tripod.

            ## Calibration

            Point the lens at Polaris and turn the alignment knob until the star is centred.
            """;
    static final String HTML = """
            <!doctype html><html><head><title>Garden notes</title><script>var ignored = "zucchini";</script></head>
            <body><h1>Tomatoes</h1><p>Tomatoes need six hours of <b>sunlight</b> every day.</p>
            <h2>Watering</h2><ul><li>Water the basil at dawn.</li></ul></body></html>
            """;
    static final List<String> PDF_PAGES = List.of(
            "Annual report. Introduction and summary of the year.",
            "Quarterly revenue grew by twelve percent in the northern region.",
            "Outlook and risks for the coming year.");

    private Corpus() {}

    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("notes"));
        Files.writeString(dir.resolve("notes/hindi.txt"), HINDI);
        Files.writeString(dir.resolve("notes/tamil.txt"), TAMIL);
        Files.writeString(dir.resolve("notes/bengali.txt"), BENGALI);
        Files.writeString(dir.resolve("notes/biology.txt"), ENGLISH);
        Files.writeString(dir.resolve("guide.md"), MARKDOWN);
        Files.writeString(dir.resolve("garden.html"), HTML);
        pdf(dir.resolve("report.pdf"), PDF_PAGES, null);
        pdf(dir.resolve("secret.pdf"), List.of("The vault code is hidden here."), "hunter2");
        var binary = new byte[4096];
        new Random(3).nextBytes(binary);
        binary[10] = 0;
        Files.write(dir.resolve("blob.bin"), binary);
        Files.write(dir.resolve("latin1.txt"), "Le café crème était très bon à Genève.\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("empty.txt"), new byte[0]);
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/config"), "hidden folders are not indexed: zanzibar");
        return dir;
    }

    public static void pdf(Path file, List<String> pages, String password) throws IOException {
        try (var document = new PDDocument()) {
            var font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (var text : pages) {
                var page = new PDPage();
                document.addPage(page);
                try (var content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(font, 12);
                    content.newLineAtOffset(72, 700);
                    content.showText(text);
                    content.endText();
                }
            }
            if (password != null) {
                var policy = new StandardProtectionPolicy("owner-" + password, password, new AccessPermission());
                policy.setEncryptionKeyLength(128);
                document.protect(policy);
            }
            document.save(file.toFile());
        }
    }
}
