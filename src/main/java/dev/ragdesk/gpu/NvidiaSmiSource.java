package dev.ragdesk.gpu;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads GPU memory by running {@code nvidia-smi} in CSV mode; the fallback when NVML cannot be loaded. */
public final class NvidiaSmiSource implements GpuSource {
    static final List<String> QUERY_GPU = List.of("--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu",
            "--format=csv,noheader,nounits");
    static final List<String> QUERY_APPS = List.of("--query-compute-apps=gpu_uuid,pid,used_memory", "--format=csv,noheader,nounits");

    private final String command;

    public NvidiaSmiSource(String command) {
        this.command = command;
    }

    @Override
    public String name() { return "nvidia-smi"; }

    @Override
    public List<GpuDevice> read() throws IOException, InterruptedException {
        var gpus = run(QUERY_GPU);
        String apps;
        try {
            apps = run(QUERY_APPS);
        } catch (IOException e) {
            apps = ""; // some drivers refuse the process query; memory totals still count
        }
        return parse(gpus, apps);
    }

    private String run(List<String> args) throws IOException, InterruptedException {
        var cmd = new ArrayList<String>();
        cmd.add(command);
        cmd.addAll(args);
        var process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("nvidia-smi did not answer in 5 s");
        }
        if (process.exitValue() != 0) throw new IOException("nvidia-smi failed: " + out.strip());
        return out;
    }

    /**
     * Parses {@code --query-gpu} and {@code --query-compute-apps} CSV (no header, no units; MiB).
     * Fields nvidia-smi cannot read come as "[N/A]" or "[Not Supported]".
     */
    static List<GpuDevice> parse(String gpuCsv, String appsCsv) {
        var perUuid = new HashMap<String, Map<Long, Long>>();
        for (var line : appsCsv.split("\\R")) {
            var f = fields(line);
            if (f.length < 3) continue;
            long pid = number(f[1]);
            long mib = number(f[2]);
            if (pid >= 0) perUuid.computeIfAbsent(f[0], u -> new HashMap<>()).merge(pid, Math.max(mib, 0) << 20, Long::sum);
        }
        var devices = new ArrayList<GpuDevice>();
        for (var line : gpuCsv.split("\\R")) {
            var f = fields(line);
            if (f.length < 7) continue;
            long total = number(f[3]);
            long used = number(f[4]);
            long free = number(f[5]);
            if (total < 0) continue;
            if (free < 0 && used >= 0) free = total - used;
            if (used < 0 && free >= 0) used = total - free;
            devices.add(new GpuDevice((int) number(f[0]), f[2], total << 20, Math.max(used, 0) << 20, Math.max(free, 0) << 20,
                    (int) number(f[6]), Map.copyOf(perUuid.getOrDefault(f[1], Map.of()))));
        }
        return devices;
    }

    private static String[] fields(String line) {
        if (line.isBlank()) return new String[0];
        var parts = line.split(",");
        for (int i = 0; i < parts.length; i++) parts[i] = parts[i].strip();
        return parts;
    }

    /** A number, or -1 for "[N/A]", "[Not Supported]" and anything else unreadable. */
    private static long number(String field) {
        try {
            return Math.round(Double.parseDouble(field));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
