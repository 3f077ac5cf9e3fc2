package dev.ragdesk.gpu;

import dev.ragdesk.models.GgufHeader;
import dev.ragdesk.models.SyntheticGguf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VramPlannerTest {
    static final long MB = 1L << 20;

    @Test
    void syntheticHeadersHaveTheRealFilesSizes() {
        // bartowski's Llama-3.2-3B-Instruct-Q4_K_M.gguf is about 2.02 GB; Sarvam-1 Q4_K_M 1.55 GB
        long llama = SyntheticHeaders.llama32_3b().dataBytes();
        long sarvam = SyntheticHeaders.sarvam1().dataBytes();
        assertTrue(llama > 1.8e9 && llama < 2.3e9, "llama " + llama);
        assertTrue(sarvam > 1.35e9 && sarvam < 1.75e9, "sarvam " + sarvam);
    }

    @Test
    void layersGrowWithFreeMemoryAndNeverExceedTheLimit() {
        for (var header : List.of(SyntheticHeaders.llama32_3b(), SyntheticHeaders.sarvam1())) {
            int previous = -1;
            for (long free : new long[] {0, 512 * MB, 1024 * MB, 2048 * MB, 3072 * MB, 4096 * MB, 6144 * MB, 16384 * MB}) {
                var plan = VramPlanner.plan(header, 4096, free, 64_000 * MB, true);
                assertTrue(plan.gpuLayers() >= previous, "monotonic in free memory at " + free / MB + " MB");
                assertTrue(plan.estimatedBytes() <= free, "within free memory at " + free / MB + " MB: " + plan);
                previous = plan.gpuLayers();
            }
            assertEquals(29, previous, "a 16 GB card takes all 28 layers and the output layer");
        }
    }

    @Test
    void fourGigabyteCardPlans() {
        var llama = VramPlanner.plan(SyntheticHeaders.llama32_3b(), 4096, 4096 * MB, 4096 * MB, true);
        var sarvam = VramPlanner.plan(SyntheticHeaders.sarvam1(), 4096, 4096 * MB, 4096 * MB, true);
        assertEquals(29, sarvam.gpuLayers(), "Sarvam-1 Q4_K_M fits whole in 4 GB: " + sarvam);
        assertTrue(llama.gpuLayers() >= 20, "most of Llama 3.2 3B fits: " + llama);
        assertTrue(llama.estimatedBytes() <= 4096 * MB);
        var at2g = VramPlanner.plan(SyntheticHeaders.llama32_3b(), 4096, 2048 * MB, 4096 * MB, true);
        assertTrue(at2g.gpuLayers() > 0 && at2g.gpuLayers() < llama.gpuLayers(), at2g.toString());
        assertEquals(0, VramPlanner.plan(SyntheticHeaders.sarvam1(), 4096, 0, 4096 * MB, true).gpuLayers());
    }

    @Test
    void budgetCapsWhatFreeMemoryAllows() {
        var roomy = VramPlanner.plan(SyntheticHeaders.llama32_3b(), 4096, 24_000 * MB, 1024 * MB, true);
        assertTrue(roomy.estimatedBytes() <= 1024 * MB);
        assertEquals(1024 * MB, roomy.limitBytes());
        assertTrue(roomy.reason().contains("of 28 layers fit in 1024 MB"), roomy.reason());
    }

    @Test
    void biggerContextLeavesRoomForFewerLayers() {
        var small = VramPlanner.plan(SyntheticHeaders.llama32_3b(), 2048, 3000 * MB, 4096 * MB, true);
        var large = VramPlanner.plan(SyntheticHeaders.llama32_3b(), 32768, 3000 * MB, 4096 * MB, true);
        assertTrue(large.gpuLayers() < small.gpuLayers(), small + " vs " + large);
        assertEquals(2048L * 8 * (128 + 128) * 2, VramPlanner.kvBytesPerLayer(SyntheticHeaders.llama32_3b(), "llama", 2048),
                "K and V in f16 for 2048 positions, 8 KV heads of 128 dimensions");
    }

    @Test
    void cpuOnlyNativesPlanNothing() {
        var plan = VramPlanner.plan(SyntheticHeaders.sarvam1(), 4096, 8192 * MB, 4096 * MB, false);
        assertEquals(0, plan.gpuLayers());
        assertTrue(plan.reason().contains("CPU-only"), plan.reason());
    }

    @Test
    void plansTheGeneratedModelFromItsRealHeader(@TempDir Path dir) throws Exception {
        var header = GgufHeader.read(SyntheticGguf.llama().layers(4).writeTo(dir.resolve("t.gguf")));
        var plan = VramPlanner.plan(header, 512, 4096 * MB, 4096 * MB, true);
        assertEquals(4, plan.totalLayers());
        assertEquals(5, plan.gpuLayers(), "a tiny model fits whole");
        long layerBytes = header.tensors().stream().filter(t -> t.name().startsWith("blk.")).mapToLong(GgufHeader.TensorInfo::bytes).sum();
        long outputBytes = header.tensors().stream().filter(t -> t.name().startsWith("output")).mapToLong(GgufHeader.TensorInfo::bytes).sum();
        assertEquals(layerBytes + outputBytes, plan.weightBytes());
    }
}
