package dev.ragdesk.gpu;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads GPU memory straight from the driver's NVML library through JNA, as nvitop does: no
 * process spawned per sample. Fails to construct where libnvidia-ml is absent.
 */
public final class NvmlSource implements GpuSource {

    /** The few NVML calls used; structs are read from raw memory to keep the mapping small. */
    interface Nvml extends Library {
        int nvmlInit_v2();
        int nvmlShutdown();
        int nvmlDeviceGetCount_v2(IntByReference count);
        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);
        int nvmlDeviceGetName(Pointer device, byte[] name, int length);
        int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);           // {u64 total, free, used}
        int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization); // {u32 gpu, memory}
        int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference count, Pointer infos);
        String nvmlErrorString(int result);
    }

    private static final int SUCCESS = 0;
    private static final int INSUFFICIENT_SIZE = 7;
    /** nvmlProcessInfo_t (v2/v3): u32 pid, u64 usedGpuMemory, u32 gpuInstanceId, u32 computeInstanceId, padded to 24. */
    private static final int PROCESS_INFO_SIZE = 24;

    private final Nvml nvml;

    public NvmlSource() {
        nvml = Native.load("nvidia-ml", Nvml.class);
        check(nvml.nvmlInit_v2(), "nvmlInit");
    }

    @Override
    public String name() { return "nvml"; }

    @Override
    public synchronized List<GpuDevice> read() {
        var count = new IntByReference();
        check(nvml.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount");
        var devices = new ArrayList<GpuDevice>();
        for (int i = 0; i < count.getValue(); i++) {
            var handle = new PointerByReference();
            check(nvml.nvmlDeviceGetHandleByIndex_v2(i, handle), "nvmlDeviceGetHandleByIndex");
            var device = handle.getValue();
            var name = new byte[96];
            check(nvml.nvmlDeviceGetName(device, name, name.length), "nvmlDeviceGetName");
            var memory = new Memory(24);
            check(nvml.nvmlDeviceGetMemoryInfo(device, memory), "nvmlDeviceGetMemoryInfo");
            var utilization = new Memory(8);
            int busy = nvml.nvmlDeviceGetUtilizationRates(device, utilization) == SUCCESS ? utilization.getInt(0) : -1;
            devices.add(new GpuDevice(i, cString(name), memory.getLong(0), memory.getLong(16), memory.getLong(8), busy,
                    processes(device)));
        }
        return devices;
    }

    private Map<Long, Long> processes(Pointer device) {
        var count = new IntByReference(0);
        int result = nvml.nvmlDeviceGetComputeRunningProcesses_v3(device, count, Pointer.NULL);
        if (result != SUCCESS && result != INSUFFICIENT_SIZE) return Map.of();
        if (count.getValue() == 0) return Map.of();
        var infos = new Memory((long) PROCESS_INFO_SIZE * (count.getValue() + 4));
        count.setValue(count.getValue() + 4);
        if (nvml.nvmlDeviceGetComputeRunningProcesses_v3(device, count, infos) != SUCCESS) return Map.of();
        var map = new HashMap<Long, Long>();
        for (int i = 0; i < count.getValue(); i++) {
            long offset = (long) i * PROCESS_INFO_SIZE;
            long pid = Integer.toUnsignedLong(infos.getInt(offset));
            long used = infos.getLong(offset + 8);
            map.merge(pid, used == -1 ? 0 : used, Long::sum); // NVML_VALUE_NOT_AVAILABLE is all ones
        }
        return map;
    }

    private void check(int result, String call) {
        if (result != SUCCESS) throw new IllegalStateException(call + ": " + nvml.nvmlErrorString(result) + " (" + result + ")");
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) n++;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        nvml.nvmlShutdown();
    }
}
