package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata and tensor table of a GGUF file, read without touching the weights. Used to
 * reject bad files with a precise reason before a worker is started, and to plan VRAM.
 */
public record GgufHeader(int version, Map<String, Object> metadata, List<TensorInfo> tensors,
                         long dataOffset, long fileSize) {

    /** One tensor's name, shape (innermost first), ggml type and offset into the data section. */
    public record TensorInfo(String name, long[] dims, int type, long offset) {
        public long elements() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }

        /** Bytes this tensor occupies, or -1 for a ggml type this reader does not know. */
        public long bytes() {
            var size = GgmlType.blockSize(type);
            return size == null ? -1 : elements() / size[1] * size[0];
        }
    }

    /** An array value: its element count, with the elements themselves only for short arrays. */
    public record ArrayValue(int elementType, long length, List<Object> elements) {}

    private static final int MAX_KEPT_ARRAY = 64;

    public String architecture() { return String.valueOf(metadata.getOrDefault("general.architecture", "")); }

    public String name() { return String.valueOf(metadata.getOrDefault("general.name", "")); }

    public boolean hasChatTemplate() { return metadata.containsKey("tokenizer.chat_template"); }

    public long number(String key, long fallback) {
        return metadata.get(key) instanceof Number n ? n.longValue() : fallback;
    }

    /** Bytes the data section needs: the end of the furthest tensor, or -1 if a type is unknown. */
    public long dataBytes() {
        long end = 0;
        for (var t : tensors) {
            long b = t.bytes();
            if (b < 0) return -1;
            end = Math.max(end, t.offset() + b);
        }
        return end;
    }

    /** Reads the header or fails with one line that says what is wrong with the file. */
    public static GgufHeader read(Path file) throws RagdeskException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new RagdeskException("model file not found: " + file);
        } catch (IOException e) {
            throw new RagdeskException("cannot read model file " + file + ": " + e.getMessage());
        }
        if (Files.isDirectory(file)) throw new RagdeskException("model path is a folder, not a GGUF file: " + file);
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            var header = new Reader(channel).header(size);
            long needed = header.dataBytes();
            if (needed >= 0 && header.dataOffset + needed > size) {
                throw new RagdeskException("model file is truncated: " + file + " has " + size + " bytes but its tensors need "
                        + (header.dataOffset + needed) + "; download it again");
            }
            return header;
        } catch (EOFException e) {
            throw new RagdeskException("model file is truncated inside its header: " + file + " (" + size + " bytes); download it again");
        } catch (IOException e) {
            throw new RagdeskException("cannot read model file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Little-endian GGUF reader over a buffer it refills from the file, counting the bytes it
     * consumes. Array elements past the few kept are skipped, not decoded: a Llama 3 vocabulary
     * is 128k tokens and 280k merges (10 MB), which decoded into strings cost 50-160 ms per read,
     * twice on every swap.
     */
    private static final class Reader {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 18).order(ByteOrder.LITTLE_ENDIAN).flip();
        private long position;

        Reader(FileChannel channel) { this.channel = channel; }

        GgufHeader header(long fileSize) throws IOException, RagdeskException {
            if (fileSize < 4) throw new RagdeskException("not a GGUF model file (only " + fileSize + " bytes)");
            var magic = new byte[4];
            need(4);
            buffer.get(magic);
            position += 4;
            if (!"GGUF".equals(new String(magic, StandardCharsets.ISO_8859_1))) {
                throw new RagdeskException("not a GGUF model file (it starts with \"" + printable(magic)
                        + "\", not \"GGUF\"); point the config at a .gguf file");
            }
            int version = i32();
            if (version < 2 || version > 3) throw new RagdeskException("unsupported GGUF version " + version + " (2 and 3 are supported)");
            long tensorCount = i64();
            long kvCount = i64();
            if (tensorCount < 0 || tensorCount > 1_000_000 || kvCount < 0 || kvCount > 1_000_000) {
                throw new RagdeskException("corrupt GGUF header (tensor count " + tensorCount + ", key count " + kvCount + ")");
            }
            var metadata = new LinkedHashMap<String, Object>();
            for (long i = 0; i < kvCount; i++) {
                var key = string();
                metadata.put(key, value(i32()));
            }
            var tensors = new ArrayList<TensorInfo>();
            for (long i = 0; i < tensorCount; i++) {
                var name = string();
                int nDims = i32();
                if (nDims < 1 || nDims > 4) throw new RagdeskException("corrupt GGUF tensor " + name + " with " + nDims + " dimensions");
                var dims = new long[nDims];
                for (int d = 0; d < nDims; d++) dims[d] = i64();
                tensors.add(new TensorInfo(name, dims, i32(), i64()));
            }
            long alignment = metadata.get("general.alignment") instanceof Number n ? n.longValue() : 32;
            long dataOffset = (position + alignment - 1) / alignment * alignment;
            return new GgufHeader(version, Map.copyOf(metadata), List.copyOf(tensors), dataOffset, fileSize);
        }

        private Object value(int type) throws IOException, RagdeskException {
            return switch (type) {
                case 0 -> (long) u8();
                case 1 -> (long) (byte) u8();
                case 2 -> (long) Short.toUnsignedInt(i16());
                case 3 -> (long) i16();
                case 4 -> Integer.toUnsignedLong(i32());
                case 5 -> (long) i32();
                case 6 -> Float.intBitsToFloat(i32());
                case 7 -> u8() != 0;
                case 8 -> string();
                case 9 -> array();
                case 10, 11 -> i64();
                case 12 -> Double.longBitsToDouble(i64());
                default -> throw new RagdeskException("corrupt GGUF metadata (value type " + type + ")");
            };
        }

        private ArrayValue array() throws IOException, RagdeskException {
            int elementType = i32();
            long length = i64();
            if (length < 0) throw new RagdeskException("corrupt GGUF array length " + length);
            var kept = new ArrayList<>();
            for (long i = 0; i < Math.min(length, MAX_KEPT_ARRAY); i++) kept.add(value(elementType));
            skipElements(elementType, length - kept.size());
            return new ArrayValue(elementType, length, kept);
        }

        private void skipElements(int type, long count) throws IOException, RagdeskException {
            if (count == 0) return;
            int width = switch (type) {
                case 0, 1, 7 -> 1;
                case 2, 3 -> 2;
                case 4, 5, 6 -> 4;
                case 10, 11, 12 -> 8;
                default -> -1;
            };
            if (width > 0) {
                if (count > Long.MAX_VALUE / width) throw new RagdeskException("corrupt GGUF array length " + count);
                skip(count * width);
            } else if (type == 8) {
                for (long i = 0; i < count; i++) skip(stringLength());
            } else {
                for (long i = 0; i < count; i++) value(type); // nested arrays: rare, and short in practice
            }
        }

        private short i16() throws IOException { need(2); position += 2; return buffer.getShort(); }
        private int u8() throws IOException { need(1); position++; return Byte.toUnsignedInt(buffer.get()); }
        private int i32() throws IOException { need(4); position += 4; return buffer.getInt(); }
        private long i64() throws IOException { need(8); position += 8; return buffer.getLong(); }

        private String string() throws IOException, RagdeskException {
            int len = (int) stringLength();
            var bytes = new byte[len];
            for (int done = 0; done < len; ) {
                need(1);
                int n = Math.min(len - done, buffer.remaining());
                buffer.get(bytes, done, n);
                done += n;
            }
            position += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private long stringLength() throws IOException, RagdeskException {
            long len = i64();
            if (len < 0 || len > 64L << 20) throw new RagdeskException("corrupt GGUF string length " + len);
            return len;
        }

        /** Makes at least {@code n} (at most the buffer's size) bytes readable, or throws EOFException. */
        private void need(int n) throws IOException {
            if (buffer.remaining() >= n) return;
            buffer.compact();
            while (buffer.position() < n) {
                if (channel.read(buffer) < 0) throw new EOFException();
            }
            buffer.flip();
        }

        private void skip(long n) throws IOException {
            if (n <= buffer.remaining()) {
                buffer.position(buffer.position() + (int) n);
            } else {
                long beyond = n - buffer.remaining();
                buffer.clear().flip();
                if (channel.position() + beyond > channel.size()) throw new EOFException();
                channel.position(channel.position() + beyond);
            }
            position += n;
        }

        private static String printable(byte[] b) {
            var sb = new StringBuilder();
            for (byte x : b) sb.append(x >= 32 && x < 127 ? (char) x : '?');
            return sb.toString();
        }
    }
}
