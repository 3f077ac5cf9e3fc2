package dev.ragdesk.embed;

import dev.ragdesk.process.Threads;
import dev.ragdesk.RagdeskException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one thread that calls into ONNX Runtime and the tokenizer. It has a deep stack: ONNX
 * Runtime 1.29's native start-up overruns Java's default 1 MB thread stack and the JVM dies of
 * SIGSEGV with no error report (measured here: crashes at -Xss1m, runs at -Xss2m), so no
 * caller's thread, whatever its stack, ever runs that code.
 */
final class NativeLane implements AutoCloseable {
    private static final long STACK_BYTES = 16L << 20;

    @FunctionalInterface
    interface Work<T> {
        T run() throws Exception;
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(Threads.daemon("ragdesk-embed", STACK_BYTES));

    /** Runs {@code work} on the lane and rethrows what it threw, as it threw it. */
    <T> T call(Work<T> work) throws Exception {
        var future = thread.submit(work::run);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new RagdeskException("cancelled while embedding", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            if (e.getCause() instanceof Error error) throw error;
            throw e;
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
