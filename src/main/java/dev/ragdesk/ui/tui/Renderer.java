package dev.ragdesk.ui.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.screen.Screen;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.models.DownloadProgress;
import dev.ragdesk.session.SlashCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the whole screen from {@link TuiState}: status bar, chat pane, downloads pane, notice
 * line, input line, and the help overlay. Lanterna's screen sends only the cells that changed,
 * and messages keep their wrapped lines, so a streamed token costs one message's re-wrap.
 */
final class Renderer {
    private static final TextColor BAR_BG = TextColor.ANSI.BLUE;
    private static final TextColor BAR_FG = TextColor.ANSI.WHITE_BRIGHT;
    private final boolean mono;
    private final List<String> helpLines;

    Renderer(boolean mono, Map<String, String> keys) {
        this.mono = mono;
        this.helpLines = help(keys);
    }

    /** Rows the downloads pane takes: one per download or indexing run, at most 3; none when idle. */
    static int downloadRows(TuiState s) {
        int n = s.downloads.size() + (s.indexing != null ? 1 : 0);
        return Math.min(3, n);
    }

    void render(Screen screen, TuiState s) {
        var size = screen.getTerminalSize();
        int w = size.getColumns();
        int h = size.getRows();
        screen.clear();
        statusBar(screen, s, w);
        int dl = downloadRows(s);
        int chatTop = 1;
        int chatBottom = h - 3 - dl; // inclusive
        chat(screen, s, chatTop, chatBottom, w);
        downloads(screen, s, chatBottom + 1, dl, w);
        var notice = s.confirmQuit ? "Quit ragdesk? Press Ctrl-C again to quit, any other key to stay."
                : !s.completions.isEmpty() ? String.join("  ", s.completions) : s.notice;
        put(screen, 0, h - 2, w, notice, TextColor.ANSI.YELLOW, TextColor.ANSI.DEFAULT);
        input(screen, s, h - 1, w);
        if (s.help) help(screen, w, h);
    }

    private void statusBar(Screen screen, TuiState s, int w) {
        for (int x = 0; x < w; x++) screen.setCharacter(x, 0, cell(" ", BAR_FG, BAR_BG));
        var mode = s.mode.name().equals("RAG") ? "RAG" : "Chat";
        var hint = "│ F1 help ";
        // widest first; narrower terminals drop the bar, then the index size, then cut the rest
        var candidates = List.of(
                " " + String.join(" │ ", mode, modelState(s) + " · " + s.engine, meter(s, true), s.indexLine) + " ",
                " " + String.join(" │ ", mode, modelState(s), meter(s, true), s.indexLine) + " ",
                " " + String.join(" │ ", mode, modelState(s), meter(s, false), s.indexLine) + " ",
                " " + String.join(" │ ", mode, modelState(s), meter(s, false)) + " ");
        int room = w - TerminalWidth.of(hint);
        var left = candidates.stream().filter(c -> TerminalWidth.of(c) <= room).findFirst()
                .orElse(TerminalWidth.fit(candidates.get(2), Math.max(0, room)));
        put(screen, 0, 0, room, left, BAR_FG, BAR_BG);
        put(screen, Math.max(0, w - TerminalWidth.of(hint)), 0, w, hint, BAR_FG, BAR_BG);
    }

    private static String modelState(TuiState s) {
        var name = s.modelName.isEmpty() ? "no model" : s.modelName;
        long secs = (System.currentTimeMillis() - s.phaseSince) / 1000;
        return switch (s.phase) {
            case NONE -> name;
            case LOADING -> name + " loading " + secs + "s";
            case READY -> name + " ready";
            case GENERATING -> name + " generating" + (s.tokensPerSecond > 0 ? String.format(Locale.ROOT, " %.0f tok/s", s.tokensPerSecond) : "");
            case CRASHED -> name + " crashed";
            case FAILED -> name + " failed";
            case IDLE -> name + " unloaded (idle)";
        };
    }

    /** VRAM used/total with a bar and the model's share; system RAM and the worker's RSS without a GPU. */
    private static String meter(TuiState s, boolean withBar) {
        var g = s.gpu;
        if (g == null) return "mem …";
        if (g.hasGpu()) {
            var d = g.devices().get(0);
            long model = s.modelGpu;
            return "VRAM " + (withBar ? bar((double) d.usedBytes() / Math.max(1, d.totalBytes()), 8) + " " : "")
                    + gb(d.usedBytes()) + "/" + gb(d.totalBytes()) + (model > 0 ? " model " + gb(model) : "");
        }
        long used = g.ramTotalBytes() - g.ramAvailableBytes();
        return "RAM " + (withBar ? bar((double) used / Math.max(1, g.ramTotalBytes()), 8) + " " : "")
                + gb(used) + "/" + gb(g.ramTotalBytes()) + (s.modelRam > 0 ? " model " + Sizes.human(s.modelRam) : "");
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1fG", bytes / 1e9);
    }

    static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "█".repeat(filled) + "░".repeat(width - filled);
    }

    private void chat(Screen screen, TuiState s, int top, int bottom, int w) {
        int height = bottom - top + 1;
        if (height <= 0) return;
        var lines = new ArrayList<Line>();
        for (var m : s.messages) {
            var prefix = switch (m.role) {
                case "user" -> "you › ";
                case "assistant" -> "ai  › ";
                default -> "";
            };
            var body = m.lines(Math.max(10, w - prefix.length()));
            boolean code = false;
            for (int i = 0; i < body.size(); i++) {
                var text = body.get(i);
                if (text.startsWith("```")) code = !code;
                var kind = m.role.equals("system") ? Kind.SYSTEM : code || text.startsWith("```") ? Kind.CODE
                        : m.role.equals("user") ? Kind.USER : text.startsWith("  [") ? Kind.CITATION : Kind.ANSWER;
                lines.add(new Line((i == 0 ? prefix : " ".repeat(prefix.length())) + text, kind));
            }
            if (m.streaming) lines.add(new Line(" ".repeat(prefix.length()) + "▍", Kind.ANSWER));
            lines.add(new Line("", Kind.ANSWER));
        }
        int maxScroll = Math.max(0, lines.size() - height);
        s.scroll = Math.min(s.scroll, maxScroll);
        int first = Math.max(0, lines.size() - height - s.scroll);
        for (int row = 0; row < height && first + row < lines.size(); row++) {
            var line = lines.get(first + row);
            drawStyled(screen, 0, top + row, w, line);
        }
        if (s.scroll > 0) put(screen, w - 12, top, 12, "↑ " + s.scroll + " more", TextColor.ANSI.BLACK, TextColor.ANSI.YELLOW);
    }

    private enum Kind { USER, ANSWER, CODE, CITATION, SYSTEM }

    private record Line(String text, Kind kind) {}

    /** Light Markdown: **bold** in answers, code in cyan, citations dimmed. */
    private void drawStyled(Screen screen, int x, int y, int w, Line line) {
        var fg = switch (line.kind) {
            case USER -> TextColor.ANSI.GREEN_BRIGHT;
            case CODE -> TextColor.ANSI.CYAN;
            case CITATION, SYSTEM -> TextColor.ANSI.WHITE;
            case ANSWER -> TextColor.ANSI.DEFAULT;
        };
        if (line.kind != Kind.ANSWER || !line.text.contains("**")) {
            put(screen, x, y, w, line.text, fg, TextColor.ANSI.DEFAULT);
            return;
        }
        int col = x;
        boolean bold = false;
        for (var piece : line.text.split("\\*\\*", -1)) {
            col += put(screen, col, y, w - (col - x), piece, fg, TextColor.ANSI.DEFAULT, bold ? new SGR[] {SGR.BOLD} : new SGR[0]);
            bold = !bold;
        }
    }

    private void downloads(Screen screen, TuiState s, int top, int rows, int w) {
        int row = 0;
        if (s.indexing != null && row < rows) {
            var p = s.indexing;
            var frac = p.filesTotal() == 0 ? 0 : (double) p.filesDone() / p.filesTotal();
            put(screen, 0, top + row++, w, String.format(Locale.ROOT, "index %s %3.0f%% %d/%d%s %s", bar(frac, 16), frac * 100,
                    p.filesDone(), p.filesTotal(), p.chunksEmbedded() > 0 ? ", " + p.chunksEmbedded() + " embedded" : "",
                    p.currentFile()), TextColor.ANSI.CYAN, TextColor.ANSI.DEFAULT);
        }
        for (var p : s.downloads.values()) {
            if (row >= rows) break;
            put(screen, 0, top + row++, w, downloadLine(p), TextColor.ANSI.CYAN, TextColor.ANSI.DEFAULT);
        }
    }

    static String downloadLine(DownloadProgress p) {
        return String.format(Locale.ROOT, "%s %s %3.0f%% %s %s %s", p.name(), bar(p.fraction(), 16), p.fraction() * 100,
                p.speedText(), p.etaText(), p.stateText()).strip();
    }

    private void input(Screen screen, TuiState s, int y, int w) {
        var prompt = (s.mode.name().equals("RAG") ? "rag" : "chat") + " › ";
        var text = s.input.text();
        int promptWidth = TerminalWidth.of(prompt);
        int cursorCol = TerminalWidth.of(text.substring(0, s.input.cursor()));
        int room = Math.max(1, w - promptWidth - 1);
        int shift = Math.max(0, cursorCol - room); // keep the cursor visible on long input
        var visible = dropColumns(text, shift);
        put(screen, 0, y, w, prompt, TextColor.ANSI.GREEN_BRIGHT, TextColor.ANSI.DEFAULT);
        put(screen, promptWidth, y, w - promptWidth, visible, TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT);
        screen.setCursorPosition(new TerminalPosition(Math.min(w - 1, promptWidth + cursorCol - shift), y));
    }

    private static String dropColumns(String text, int columns) {
        int dropped = 0;
        var cells = TerminalWidth.cells(text);
        int i = 0;
        while (i < cells.size() && dropped < columns) dropped += TerminalWidth.of(cells.get(i++).codePointAt(0));
        return String.join("", cells.subList(i, cells.size()));
    }

    /** The help overlay, written from the bindings in force, so a rebound key is shown as it is. */
    static List<String> help(Map<String, String> keys) {
        var lines = new ArrayList<String>(List.of("ragdesk — keys", ""));
        var rows = new String[][] {
                {keys.get("send"), "send"},
                {keys.get("toggle_mode"), "switch RAG / Chat (empty line); complete (typing)"},
                {keys.get("cancel"), "cancel the answer; when idle, quit (asks first)"},
                {keys.get("scroll_up") + "/" + keys.get("scroll_down"), "scroll the conversation"},
                {"Up/Down", "input history"},
                {keys.get("redraw"), "redraw"},
                {keys.get("help") + " or ?", "this help"},
                {keys.get("dictate"), "dictation (" + keys.get("dictate") + " or " + keys.get("send") + " stops)"}};
        for (var row : rows) lines.add(String.format(Locale.ROOT, "%-16s %s", row[0], row[1]));
        lines.add("");
        lines.addAll(SlashCommands.HELP);
        lines.add("");
        lines.add(keys.get("help") + ", ? or Esc closes this help");
        return lines;
    }

    private void help(Screen screen, int w, int h) {
        int boxW = Math.min(w - 2, 72);
        int boxH = Math.min(h - 2, helpLines.size() + 2);
        int left = (w - boxW) / 2;
        int top = (h - boxH) / 2;
        for (int y = 0; y < boxH; y++) {
            for (int x = 0; x < boxW; x++) screen.setCharacter(left + x, top + y, cell(" ", TextColor.ANSI.WHITE_BRIGHT, TextColor.ANSI.BLACK));
        }
        for (int i = 0; i < helpLines.size() && i + 1 < boxH - 1; i++) {
            put(screen, left + 2, top + 1 + i, boxW - 4, helpLines.get(i), TextColor.ANSI.WHITE_BRIGHT, TextColor.ANSI.BLACK);
        }
    }

    private int put(Screen screen, int x, int y, int maxWidth, String text, TextColor fg, TextColor bg, SGR... sgr) {
        int col = 0;
        for (var c : TerminalWidth.cells(text)) {
            int cw = TerminalWidth.of(c.codePointAt(0));
            if (col + cw > maxWidth) break;
            screen.setCharacter(x + col, y, cell(c, fg, bg, sgr));
            col += cw;
        }
        return col;
    }

    private TextCharacter cell(String c, TextColor fg, TextColor bg, SGR... sgr) {
        return mono ? TerminalCell.of(c, TextColor.ANSI.DEFAULT, TextColor.ANSI.DEFAULT, sgr) : TerminalCell.of(c, fg, bg, sgr);
    }
}
