package dev.ragdesk.gpu;

import java.util.List;
import java.util.Set;

/**
 * What the memory meter shows: the GPUs (empty when there is none) and, always, system RAM,
 * so the meter is never blank.
 *
 * @param source "nvml", "nvidia-smi" or "none"
 */
public record GpuSample(String source, List<GpuDevice> devices, long ramTotalBytes, long ramAvailableBytes) {

    public boolean hasGpu() { return !devices.isEmpty(); }

    /** GPU memory the given processes (our model worker) use, summed over devices; 0 when unknown. */
    public long gpuBytesOf(Set<Long> pids) {
        long sum = 0;
        for (var d : devices) for (var pid : pids) sum += d.processes().getOrDefault(pid, 0L);
        return sum;
    }

    /** Free memory on the emptiest GPU, or 0 without one. */
    public long largestFreeBytes() {
        return devices.stream().mapToLong(GpuDevice::freeBytes).max().orElse(0);
    }
}
