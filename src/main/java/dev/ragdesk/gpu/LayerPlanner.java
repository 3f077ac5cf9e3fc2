package dev.ragdesk.gpu;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.models.GgufHeader;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Turns [llama].gpu_layers into a number for one model file: a fixed number as configured, or
 * with "auto" the {@link VramPlanner}'s choice for the card's free memory now.
 */
public final class LayerPlanner {
    private final Config config;
    private final Supplier<GpuSample> gpu;
    private final boolean gpuNatives;
    private final String cpuOnlyReason;

    public LayerPlanner(Config config, Supplier<GpuSample> gpu, boolean gpuNatives) {
        this(config, gpu, gpuNatives, null);
    }

    /** @param cpuOnlyReason what to say when the engine cannot offload (null: the java-llama.cpp natives' reason) */
    public LayerPlanner(Config config, Supplier<GpuSample> gpu, boolean gpuNatives, String cpuOnlyReason) {
        this.config = config;
        this.gpu = gpu;
        this.gpuNatives = gpuNatives;
        this.cpuOnlyReason = cpuOnlyReason;
    }

    /** For CPU-only setups and tests: always 0 unless config fixes a number. */
    public static LayerPlanner cpuOnly(Config config) {
        return new LayerPlanner(config, () -> new GpuSample("none", List.of(), -1, -1), false);
    }

    /** Whether the engine behind this planner can put layers on a GPU at all. */
    public boolean offloads() {
        return gpuNatives;
    }

    public VramPlan plan(Path model) throws RagdeskException {
        return plan(GgufHeader.read(model));
    }

    public VramPlan plan(GgufHeader header) {
        long budget = (long) config.vram().budgetMb() << 20;
        // an engine that cannot offload plans no layers whatever the card holds: no sample (asking
        // NVML through JNA, then nvidia-smi, cost 3-6 ms of every swap on a machine without either)
        long free = gpuNatives ? gpu.get().largestFreeBytes() : 0;
        var plan = VramPlanner.plan(header, config.llama().ctxSize(), free, budget, gpuNatives);
        if (gpuNatives || cpuOnlyReason == null) return plan;
        return new VramPlan(plan.gpuLayers(), plan.totalLayers(), plan.weightBytes(), plan.kvBytes(), plan.computeBytes(),
                plan.estimatedBytes(), plan.limitBytes(), cpuOnlyReason);
    }

    /** The plan behind the last {@link #layersFor} of each model, to compare with what the card reports once loaded. */
    private final Map<Path, VramPlan> lastPlans = new ConcurrentHashMap<>();

    public Optional<VramPlan> lastPlan(Path model) {
        return Optional.ofNullable(lastPlans.get(model));
    }

    public int layersFor(Path model) {
        if (!config.llama().gpuLayers().isAuto()) return config.llama().gpuLayers().count();
        try {
            return layersFor(model, GgufHeader.read(model));
        } catch (RagdeskException e) {
            return 0; // the load itself will report the bad file
        }
    }

    /** {@link #layersFor(Path)} for a header already read. */
    public int layersFor(Path model, GgufHeader header) {
        var configured = config.llama().gpuLayers();
        if (!configured.isAuto()) return configured.count();
        var plan = plan(header);
        lastPlans.put(model, plan);
        LoggerFactory.getLogger(LayerPlanner.class).info("gpu_layers auto for {}: {} ({})", model.getFileName(), plan.gpuLayers(), plan.reason());
        return plan.gpuLayers();
    }
}
