package dev.ragdesk.models;

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
}
