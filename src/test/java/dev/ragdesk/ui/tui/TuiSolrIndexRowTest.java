package dev.ragdesk.ui.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.session.Session;
import dev.ragdesk.testing.SolrCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The console on a team's collection: its status bar names the collection and counts its files,
 * and /index from the console indexes into it (what the virtual terminal shows is the judge).
 */
@Timeout(300)
class TuiSolrIndexRowTest {
    @RegisterExtension static final SolrCloud solr = new SolrCloud(null);

    @Test
    void theStatusBarNamesTheCollectionAndSlashIndexFillsIt() throws Exception {
        var config = solr.config("team", "");
        Documents.createSolrCollection(config, Embeddings.none(), Map.of());
        var docs = solr.dir("docs");
        Files.writeString(docs.resolve("a.txt"), "The avocet wades in the shallows.\n");
        Files.writeString(docs.resolve("b.txt"), "The stilt has long pink legs.\n");

        var terminal = new DefaultVirtualTerminal(new TerminalSize(200, 30));
        var screen = new TerminalScreen(terminal);
        screen.startScreen();
        var home = solr.dir("home");
        TuiApp[] app = {null};
        var live = new Session(new Workspace(home).ensureDataDirs(), config, Map.of("PATH", "", "RAGDESK_GPU", "none"), "4.2.0",
                e -> app[0].post(e), Session.Options.interactive("tui").withHost(ModelHost.Options.defaults().withPrestart(false)));
        try {
            app[0] = new TuiApp(screen, live, config, home, text -> {});
            live.refreshIndexStatus(); // as the console's run loop does when it starts
            assertTrue(app[0].drainUntil(s -> s.indexLine.startsWith("solr team"), Duration.ofSeconds(60)), top(screen, terminal));
            assertTrue(top(screen, terminal).contains("│ solr team 0 files"), top(screen, terminal));

            for (var c : ("/index " + docs).toCharArray()) app[0].postKey(new KeyStroke(c, false, false));
            app[0].postKey(new KeyStroke(KeyType.Enter));
            assertTrue(app[0].drainUntil(s -> s.indexLine.equals("solr team 2 files"), Duration.ofSeconds(60)), top(screen, terminal));
            assertTrue(top(screen, terminal).contains("│ solr team 2 files"), top(screen, terminal));
        } finally {
            live.close();
            screen.stopScreen();
        }
    }

    /** The status bar as the screen last sent it to the terminal. */
    private static String top(TerminalScreen screen, DefaultVirtualTerminal terminal) {
        var sb = new StringBuilder();
        for (int x = 0; x < terminal.getTerminalSize().getColumns(); x++) sb.append(screen.getFrontCharacter(x, 0).getCharacterString());
        return sb.toString();
    }
}
