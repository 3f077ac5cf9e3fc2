package dev.ragdesk.io;

import java.util.Locale;

/** Byte counts for people: "1.5 GB", "640 MB", "12 KB". Decimal units, as disks and hubs count. */
public final class Sizes {
    private Sizes() {}

    public static String human(long bytes) {
        if (bytes < 0) return "?";
        if (bytes >= 1_000_000_000L) return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        if (bytes >= 1_000_000L) return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
        if (bytes >= 1_000L) return String.format(Locale.ROOT, "%.0f KB", bytes / 1e3);
        return bytes + " B";
    }
}
