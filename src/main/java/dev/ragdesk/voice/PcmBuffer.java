package dev.ragdesk.voice;

import dev.ragdesk.process.Threads;
import java.io.ByteArrayOutputStream;

/**
 * Raw s16le mono audio as a recorder thread appends it, readable meanwhile for the meter. The
 * recorders extend it with how to stop their device.
 */
abstract class PcmBuffer implements Recording {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final float rate;

    PcmBuffer(float rate) {
        this.rate = rate;
    }

    synchronized void append(byte[] data, int length) {
        bytes.write(data, 0, length);
    }

    @Override
    public synchronized double seconds() {
        return bytes.size() / 2.0 / rate;
    }

    /** Loudness of the last tenth of a second. */
    @Override
    public double level() {
        var samples = samples();
        return AudioClip.level(samples, Math.max(0, samples.length - (int) (rate / 10)), samples.length);
    }

    private Thread pump;

    /** Starts the daemon thread that fills this buffer. */
    void startPump(String name, Runnable body) {
        pump = Threads.start(body, name);
    }

    /** Lets the pump copy what the device had already produced before it stopped. */
    void awaitPump() {
        try {
            if (pump != null) pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
