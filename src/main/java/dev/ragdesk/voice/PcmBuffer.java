package dev.ragdesk.voice;

import java.io.ByteArrayOutputStream;

/** Raw s16le mono audio as a recorder thread appends it, readable meanwhile for the meter. */
final class PcmBuffer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final float rate;

    PcmBuffer(float rate) {
        this.rate = rate;
    }

    synchronized void append(byte[] data, int length) {
        bytes.write(data, 0, length);
    }

    synchronized double seconds() {
        return bytes.size() / 2.0 / rate;
    }

    /** Loudness of the last tenth of a second. */
    double level() {
        var samples = samples();
        return AudioClip.level(samples, Math.max(0, samples.length - (int) (rate / 10)), samples.length);
    }

    /** Everything so far, at 16 kHz. */
    AudioClip clip() {
        return AudioClip.resampled(samples(), rate);
    }

    private float[] samples() {
        byte[] copy;
        synchronized (this) {
            copy = bytes.toByteArray();
        }
        return AudioClip.fromS16le(copy, copy.length - copy.length % 2).samples();
    }
}
