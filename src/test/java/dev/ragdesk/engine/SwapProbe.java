package dev.ragdesk.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Child-JVM entry point for the swap test, so the host's RSS is measured in a process of its
 * own (small fixed heap) rather than in a test JVM whose heap other tests have grown.
 * Prints {@code key=value} lines.
 */
public final class SwapProbe {
    public static void main(String[] args) throws Exception {
        var dir = Path.of(args[0]);
        int swaps = Integer.parseInt(args[1]);
        try (var h = new HostHarness(dir, true)) {
            var rag = HostHarness.request("rag", h.tinyModel("rag.gguf", 1));
            var chat = HostHarness.request("chat", h.tinyModel("chat.gguf", 2));
            for (int i = 0; i < 4; i++) { // warm up: JIT, class loading, thread pools
                h.host.activate(i % 2 == 0 ? chat : rag);
                h.host.generate(HostHarness.greedy("warm up", 4), s -> {}).await();
            }
            var samples = Collections.synchronizedList(new ArrayList<WorkerCensus.Count>());
            var sampling = new AtomicBoolean(true);
            var sampler = new Thread(() -> {
                while (sampling.get()) {
                    samples.add(WorkerCensus.now());
                    LockSupport.parkNanos(2_000_000); // a sampling interval
                }
            });
            System.gc();
            long rssBefore = WorkerCensus.rssBytes(ProcessHandle.current().pid());
            sampler.start();
            var pids = new HashSet<Long>();
            int holdingAfterEachSwap = Integer.MAX_VALUE;
            int prestarted = 0;
            for (int i = 0; i < swaps; i++) {
                var model = h.host.activate(i % 2 == 0 ? rag : chat);
                pids.add(model.pid());
                if (model.prestarted()) prestarted++;
                holdingAfterEachSwap = Math.min(holdingAfterEachSwap, WorkerCensus.now().holdingModel() == 1 ? 1 : 0);
                int tokens = h.host.generate(HostHarness.greedy("hello", 4), s -> {}).await().tokens();
                if (tokens != 4) throw new IllegalStateException("swap " + i + " generated " + tokens + " tokens");
            }
            sampling.set(false);
            sampler.join();
            System.gc();
            long rssAfter = WorkerCensus.rssBytes(ProcessHandle.current().pid());
            System.out.println("distinct_pids=" + pids.size());
            System.out.println("one_holder_after_each_swap=" + holdingAfterEachSwap);
            System.out.println("samples=" + samples.size());
            System.out.println("max_holding=" + samples.stream().mapToInt(WorkerCensus.Count::holdingModel).max().orElse(-1));
            System.out.println("max_workers=" + samples.stream().mapToInt(WorkerCensus.Count::workers).max().orElse(-1));
            System.out.println("rss_growth_kib=" + (rssAfter - rssBefore) / 1024);
            System.out.println("prestarted=" + prestarted);
        }
        System.out.flush();
        System.exit(0);
    }
}
