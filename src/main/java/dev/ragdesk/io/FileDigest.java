package dev.ragdesk.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A file's digest, read through once in 64 KB pieces. */
public final class FileDigest {
    private FileDigest() {}

    /** @param algorithm a name every JDK has: "SHA-256", "SHA-512" */
    public static byte[] of(Path file, String algorithm) throws IOException {
        try (var in = Files.newInputStream(file)) {
            var digest = MessageDigest.getInstance(algorithm);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) digest.update(buffer, 0, n);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }
}
