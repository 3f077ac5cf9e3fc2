package dev.ragdesk.cli;

import dev.ragdesk.io.Sizes;
import dev.ragdesk.models.DownloadProgress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Download progress on stderr: one redrawn line with a bar on a terminal, plain lines (at
 * most one per 10% or state change) when stderr is a pipe or a log.
 */
final class ProgressLine {
    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private int lastDecile = -1;
    private DownloadProgress.State lastState;

    ProgressLine(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    void update(DownloadProgress p) {
        if (terminal) {
            err.print("\r\033[K" + render(p));
            if (p.state() == DownloadProgress.State.DONE) err.println();
            err.flush();
            return;
        }
        int decile = (int) (p.fraction() * 10);
        if (decile != lastDecile || p.state() != lastState) {
            err.println(render(p));
            err.flush();
            lastDecile = decile;
            lastState = p.state();
        }
    }

    static String render(DownloadProgress p) {
        int filled = (int) Math.round(p.fraction() * BAR);
        var bar = "#".repeat(filled) + "-".repeat(BAR - filled);
        return String.format(Locale.ROOT, "[%s] %3.0f%% %s/%s %s %s %s", bar, p.fraction() * 100, Sizes.human(p.done()),
                Sizes.human(p.total()), p.speedText(), p.etaText(), p.stateText())
                .replaceAll(" +$", "").replaceAll("  +", " ");
    }
}
