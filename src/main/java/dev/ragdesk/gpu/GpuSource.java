package dev.ragdesk.gpu;

import java.util.List;

/** One way of reading GPU memory. Sources are tried in order; one that throws is given up on. */
public interface GpuSource extends AutoCloseable {
    String name();

    /** The devices now, or an exception if this source cannot read them (any more). */
    List<GpuDevice> read() throws Exception;

    @Override
    default void close() {}
}
