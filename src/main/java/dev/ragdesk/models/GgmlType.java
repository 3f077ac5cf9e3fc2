package dev.ragdesk.models;

/** Storage sizes of ggml tensor types: bytes per block and elements per block. */
final class GgmlType {
    private GgmlType() {}

    /** {bytes per block, elements per block}, or null for a type id this table does not know. */
    static long[] blockSize(int type) {
        return switch (type) {
            case 0 -> new long[] {4, 1};      // F32
            case 1 -> new long[] {2, 1};      // F16
            case 2 -> new long[] {18, 32};    // Q4_0
            case 3 -> new long[] {20, 32};    // Q4_1
            case 6 -> new long[] {22, 32};    // Q5_0
            case 7 -> new long[] {24, 32};    // Q5_1
            case 8 -> new long[] {34, 32};    // Q8_0
            case 9 -> new long[] {36, 32};    // Q8_1
            case 10 -> new long[] {84, 256};  // Q2_K
            case 11 -> new long[] {110, 256}; // Q3_K
            case 12 -> new long[] {144, 256}; // Q4_K
            case 13 -> new long[] {176, 256}; // Q5_K
            case 14 -> new long[] {210, 256}; // Q6_K
            case 15 -> new long[] {292, 256}; // Q8_K
            case 16 -> new long[] {66, 256};  // IQ2_XXS
            case 17 -> new long[] {74, 256};  // IQ2_XS
            case 18 -> new long[] {98, 256};  // IQ3_XXS
            case 19 -> new long[] {50, 256};  // IQ1_S
            case 20 -> new long[] {18, 32};   // IQ4_NL
            case 21 -> new long[] {110, 256}; // IQ3_S
            case 22 -> new long[] {82, 256};  // IQ2_S
            case 23 -> new long[] {136, 256}; // IQ4_XS
            case 24 -> new long[] {1, 1};     // I8
            case 25 -> new long[] {2, 1};     // I16
            case 26 -> new long[] {4, 1};     // I32
            case 27, 28 -> new long[] {8, 1}; // I64, F64
            case 29 -> new long[] {56, 256};  // IQ1_M
            case 30 -> new long[] {2, 1};     // BF16
            case 34 -> new long[] {54, 256};  // TQ1_0
            case 35 -> new long[] {66, 256};  // TQ2_0
            default -> null;
        };
    }
}
