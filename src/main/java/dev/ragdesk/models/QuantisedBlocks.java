package dev.ragdesk.models;

import java.util.Random;

/**
 * Random but well-formed K-quant blocks for synthetic models: the scales are small finite
 * half-precision numbers, so the weights they decode to are finite and of a trained model's
 * magnitude, and the rest of each block is random bits. A pool is made per tensor and cycled,
 * which writes gigabytes at disk speed.
 */
final class QuantisedBlocks {
    private static final int POOL_BLOCKS = 1024;
    /** 2^-11: with 6-bit scales and 4-bit quants, weights stay below about 0.5. */
    private static final short SCALE = halfOf(1f / 2048);

    private QuantisedBlocks() {}

    static byte[] pool(SyntheticGguf.Storage type, Random random) {
        var pool = new byte[POOL_BLOCKS * type.blockBytes];
        random.nextBytes(pool);
        for (int b = 0; b < POOL_BLOCKS; b++) {
            int at = b * type.blockBytes;
            switch (type) {
                case Q4_K -> {
                    // d and dmin lead the block: ggml_half d, dmin; uint8 scales[12]; uint8 qs[128]
                    putHalf(pool, at, SCALE);
                    putHalf(pool, at + 2, SCALE);
                }
                case Q6_K -> {
                    // uint8 ql[128], qh[64]; int8 scales[16]; ggml_half d
                    for (int i = 0; i < 16; i++) pool[at + 192 + i] = (byte) (random.nextInt(32) - 16);
                    putHalf(pool, at + 208, SCALE);
                }
                default -> throw new IllegalArgumentException(type + " is not a block type");
            }
        }
        return pool;
    }

    private static void putHalf(byte[] bytes, int at, short half) {
        bytes[at] = (byte) half;
        bytes[at + 1] = (byte) (half >> 8);
    }

    /** IEEE half precision of a normal positive float (Java 17 has no Float.floatToFloat16). */
    static short halfOf(float value) {
        int bits = Float.floatToIntBits(value);
        int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
        int mantissa = (bits >>> 13) & 0x3ff;
        if (exponent <= 0 || exponent >= 31) throw new IllegalArgumentException(value + " is not a normal half-precision number");
        return (short) ((exponent << 10) | mantissa);
    }
}
