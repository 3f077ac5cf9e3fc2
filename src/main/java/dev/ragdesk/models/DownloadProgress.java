package dev.ragdesk.models;

import dev.ragdesk.io.Sizes;

import java.util.Locale;

/**
 * A download's progress, for the CLI's bars and the console's downloads pane.
 *
 * @param total        bytes expected, or -1 if unknown
 * @param bytesPerSecond recent speed
 * @param etaSeconds   time left at that speed, or -1 if unknown
 */
public record DownloadProgress(String name, long done, long total, double bytesPerSecond, long etaSeconds, State state) {
    public enum State { QUEUED, CONNECTING, DOWNLOADING, VERIFYING, RETRYING, DONE, FAILED, CANCELLED }

    public double fraction() {
        return total > 0 ? Math.min(1.0, (double) done / total) : 0;
    }

    /** "25 MB/s", or empty before a speed is known. */
    public String speedText() {
        return bytesPerSecond > 0 ? Sizes.human((long) bytesPerSecond) + "/s" : "";
    }

    /** "ETA 3m05s", "ETA 1h02m", or empty when unknown. */
    public String etaText() {
        if (etaSeconds < 0) return "";
        return "ETA " + (etaSeconds >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", etaSeconds / 3600, etaSeconds % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", etaSeconds / 60, etaSeconds % 60));
    }

    /** The state's name where it is worth showing (not while plainly downloading). */
    public String stateText() {
        return state == State.DOWNLOADING ? "" : state.name().toLowerCase(Locale.ROOT);
    }
}
