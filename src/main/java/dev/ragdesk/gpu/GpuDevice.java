package dev.ragdesk.gpu;

import java.util.Map;

/**
 * One GPU's memory at a sample.
 *
 * @param utilization percent busy, or -1 when the source does not say
 * @param processes   GPU memory per process id, where the source lists it
 */
public record GpuDevice(int index, String name, long totalBytes, long usedBytes, long freeBytes, int utilization,
                        Map<Long, Long> processes) {}
