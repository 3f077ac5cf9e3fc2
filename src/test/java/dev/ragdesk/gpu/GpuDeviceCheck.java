package dev.ragdesk.gpu;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import java.util.Set;

/**
 * A manual check for a machine with an NVIDIA GPU (not part of the suite): samples through
 * NVML, holds 1 GiB in a CUDA process to see NVML's per-process memory, compares nvidia-smi,
 * and prints the planner's choice for the two real model shapes against the card's free
 * memory and a 4 GB budget.
 */
public final class GpuDeviceCheck {
    public static void main(String[] args) throws Exception {
        try (var monitor = GpuMonitor.standard(System.getenv())) {
            var sample = monitor.sample();
            System.out.println("source=" + sample.source());
            sample.devices().forEach(d -> System.out.println("device " + d));

            var holder = new ProcessBuilder("python3", "-c",
                    "import torch,sys; x=torch.empty(256*1024*1024, dtype=torch.float32, device='cuda'); "
                            + "print('ready', flush=True); sys.stdin.read()").redirectErrorStream(true).start();
            var out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) System.out.println("python: " + line);
            var held = monitor.sample();
            System.out.println("holder pid=" + holder.pid() + " nvml bytes=" + held.gpuBytesOf(Set.of(holder.pid()))
                    + " (MiB " + (held.gpuBytesOf(Set.of(holder.pid())) >> 20) + ")");
            held.devices().forEach(d -> System.out.println("device with holder " + d));
            var smi = new NvidiaSmiSource("nvidia-smi").read();
            System.out.println("nvidia-smi view: " + smi);
            holder.getOutputStream().close();
            holder.waitFor();

            long free = monitor.sample().largestFreeBytes();
            for (var shape : List.of("llama-3.2-3b", "sarvam-1")) {
                var header = shape.startsWith("llama") ? SyntheticHeaders.llama32_3b() : SyntheticHeaders.sarvam1();
                for (long budgetMb : new long[] {4096, 2048}) {
                    var plan = VramPlanner.plan(header, 4096, free, budgetMb << 20, true);
                    System.out.println("plan " + shape + " free=" + (free >> 20) + "MiB budget=" + budgetMb + "MiB: " + plan);
                }
            }
        }
    }
}
