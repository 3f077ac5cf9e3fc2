package dev.ragdesk.voice;

/** Audio as Whisper takes it: 16 kHz mono floats in [-1, 1]. */
public record AudioClip(float[] samples) {
    public static final int RATE = 16_000;

    public double seconds() { return samples.length / (double) RATE; }

    /** Signed 16-bit little-endian mono at 16 kHz, the record commands' format. */
    public static AudioClip fromS16le(byte[] bytes, int length) {
        var samples = new float[length / 2];
        for (int i = 0; i < samples.length; i++) {
            int lo = bytes[2 * i] & 0xFF;
            int hi = bytes[2 * i + 1];
            samples[i] = (short) ((hi << 8) | lo) / 32768f;
        }
        return new AudioClip(samples);
    }

    /** Mono samples at {@code rate} resampled to 16 kHz by linear interpolation. */
    public static AudioClip resampled(float[] mono, float rate) {
        if (Math.abs(rate - RATE) < 1) return new AudioClip(mono);
        int n = (int) Math.floor(mono.length * (RATE / (double) rate));
        var out = new float[n];
        double step = rate / (double) RATE;
        for (int i = 0; i < n; i++) {
            double pos = i * step;
            int j = (int) pos;
            double frac = pos - j;
            float a = mono[Math.min(j, mono.length - 1)];
            float b = mono[Math.min(j + 1, mono.length - 1)];
            out[i] = (float) (a + (b - a) * frac);
        }
        return new AudioClip(out);
    }

    /** Root-mean-square level of the last {@code samples} samples, 0..1, for a recording meter. */
    public static double level(float[] samples, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum += samples[i] * samples[i];
        return to > from ? Math.sqrt(sum / (to - from)) : 0;
    }
}
