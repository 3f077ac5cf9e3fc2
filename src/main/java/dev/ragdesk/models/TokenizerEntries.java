package dev.ragdesk.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code tokenizer.*} key-value pairs of a vocabulary-only GGUF (llama.cpp ships one per
 * tokenizer it tests), kept as their raw bytes so a synthetic model carries the real tokenizer
 * exactly: Llama 3's is 128,256 tokens and 280,147 merges, which are copied, not decoded.
 * A chat template in the file is left out; the model brings its own.
 *
 * @param bytes  the pairs, back to back, as they are written into a GGUF's metadata
 * @param count  how many pairs
 * @param tokens the vocabulary's size (the length of tokenizer.ggml.tokens)
 */
record TokenizerEntries(byte[] bytes, int count, int tokens) {
    static TokenizerEntries read(Path vocabulary) throws IOException {
        var file = ByteBuffer.wrap(Files.readAllBytes(vocabulary)).order(ByteOrder.LITTLE_ENDIAN);
        var magic = new byte[4];
        file.get(magic);
        if (!"GGUF".equals(new String(magic, StandardCharsets.US_ASCII))) throw new IOException(vocabulary + " is not a GGUF file");
        int version = file.getInt();
        if (version != 3) throw new IOException(vocabulary + " is GGUF version " + version + ", not 3");
        file.getLong(); // tensors: none in a vocabulary file, and none are read
        long pairs = file.getLong();
        var kept = new ByteArrayOutputStream();
        int count = 0;
        long tokens = 0;
        for (long i = 0; i < pairs; i++) {
            int start = file.position();
            var key = string(file);
            int type = file.getInt();
            if (key.equals("tokenizer.ggml.tokens")) {
                tokens = file.getLong(file.position() + 4);
            }
            skip(file, type);
            if (key.startsWith("tokenizer.") && !key.equals("tokenizer.chat_template")) {
                kept.write(file.array(), start, file.position() - start);
                count++;
            }
        }
        if (tokens == 0) throw new IOException(vocabulary + " has no tokenizer.ggml.tokens");
        return new TokenizerEntries(kept.toByteArray(), count, (int) tokens);
    }

    private static String string(ByteBuffer file) {
        int length = (int) file.getLong();
        var bytes = new byte[length];
        file.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Moves past one value of GGUF {@code type}. */
    private static void skip(ByteBuffer file, int type) throws IOException {
        switch (type) {
            case 0, 1, 7 -> file.position(file.position() + 1);
            case 2, 3 -> file.position(file.position() + 2);
            case 4, 5, 6 -> file.position(file.position() + 4);
            case 10, 11, 12 -> file.position(file.position() + 8);
            case 8 -> {
                int length = (int) file.getLong();
                file.position(file.position() + length);
            }
            case 9 -> {
                int elementType = file.getInt();
                long length = file.getLong();
                for (long i = 0; i < length; i++) skip(file, elementType);
            }
            default -> throw new IOException("unknown GGUF value type " + type);
        }
    }
}
