package dev.ragdesk.gpu;

/**
 * How many layers to offload and what that should cost in VRAM.
 *
 * @param gpuLayers      layers to offload; {@code totalLayers + 1} means the output layer too
 * @param estimatedBytes weights + KV cache + compute buffers + CUDA overhead for that choice
 * @param reason         one line: why this number
 */
public record VramPlan(int gpuLayers, int totalLayers, long weightBytes, long kvBytes, long computeBytes,
                       long estimatedBytes, long limitBytes, String reason) {}
