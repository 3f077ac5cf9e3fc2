package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.io.AtomicFiles;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.process.Threads;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Resumable, verified downloads. Bytes go to {@code <target>.part}; an interrupted download
 * (a dropped connection, Ctrl-C, kill -9 of the whole app) resumes from the part file's size
 * with {@code Range}. The sha256 is computed while streaming; only a file whose size and hash
 * match is fsynced and renamed into place, so a bad file is never installed.
 */
public final class Downloader {
    private static final Logger log = LoggerFactory.getLogger(Downloader.class);
    private static final int BUFFER = 1 << 20;
    private static final long SPACE_MARGIN = 16L << 20;

    /** Usable bytes in a folder; a parameter so tests can play a nearly full disk. */
    public interface DiskSpace {
        long usableBytes(Path dir) throws IOException;

        DiskSpace REAL = dir -> Files.getFileStore(dir).getUsableSpace();
    }

    /** Waits between retries; a parameter so tests can see the waits without spending them. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;

        Sleeper REAL = d -> Thread.sleep(d.toMillis());
    }

    /** How hard to retry connection errors, 5xx and 429. */
    public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /**
     * What was installed: the bytes' sha256, whether it was checked against a known hash, and
     * how long the final fsync and rename took (the part a plain download tool skips).
     */
    public record Result(Path file, long size, String sha256, boolean hashVerified, long installMs) {}

    private final OkHttpClient client;
    private final DiskSpace disk;
    private final Sleeper sleeper;
    private final RetryPolicy policy;

    public Downloader(OkHttpClient client, DiskSpace disk, Sleeper sleeper, RetryPolicy policy) {
        this.client = client;
        this.disk = disk;
        this.sleeper = sleeper;
        this.policy = policy;
    }

    public static Downloader forHub(HubClient hub) {
        return new Downloader(hub.http(), DiskSpace.REAL, Sleeper.REAL, RetryPolicy.DEFAULT);
    }

    /**
     * Downloads {@code file} to {@code target}, verifying it against {@code expectedSha256}
     * (empty: the hub gave none, so only the size is checked).
     */
    public Result download(HubFile file, Path target, String expectedSha256, Consumer<DownloadProgress> listener,
                           Transfer transfer) throws RagdeskException, InterruptedException {
        var part = target.resolveSibling(target.getFileName() + ".part");
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new RagdeskException("cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        var meter = new Meter(file.displayName(), file.size(), listener);
        var hash = new RunningHash();
        retrying("download of " + file.displayName(), "the partial file is kept, run again to resume", transfer,
                () -> cancelled(file, part), () -> meter.state(DownloadProgress.State.RETRYING),
                () -> fetch(file, part, hash, meter, transfer));
        return finish(file, target, part, expectedSha256, hash, meter);
    }

    /** One try at something the hub may refuse for a while (connection errors, 429, 5xx). */
    interface Attempt<T> {
        T run() throws RagdeskException, Retryable;
    }

    /**
     * The one retry loop for hub requests, HEAD and GET alike: transient failures are tried
     * again under the policy, waiting as Retry-After says or with exponential backoff.
     */
    <T> T retrying(String what, String giveUpHint, Transfer transfer, Supplier<RagdeskException> cancelled,
                   Runnable beforeWait, Attempt<T> attempt) throws RagdeskException, InterruptedException {
        for (int n = 1; ; n++) {
            if (transfer.isCancelled()) throw cancelled.get();
            try {
                return attempt.run();
            } catch (Retryable r) {
                if (transfer.isCancelled()) throw cancelled.get();
                if (n >= policy.maxAttempts()) {
                    throw new HubException(r.status, what + " failed " + n + " times (" + r.getMessage() + "); " + giveUpHint);
                }
                var wait = r.retryAfter != null ? r.retryAfter : backoff(n);
                log.warn("{}: {}; retry {} of {} in {} ms", what, r.getMessage(), n, policy.maxAttempts() - 1, wait.toMillis());
                beforeWait.run();
                sleeper.sleep(wait);
            }
        }
    }

    /** One HTTP attempt. Returns true when the part file holds the whole file. */
    private boolean fetch(HubFile file, Path part, RunningHash hash, Meter meter, Transfer transfer)
            throws RagdeskException, Retryable {
        long have = sizeOf(part);
        if (file.size() >= 0 && have > file.size()) {
            delete(part);
            have = 0;
        }
        if (file.size() >= 0 && have == file.size() && have > 0) return true;
        ensureSpace(file, part, file.size() < 0 ? 0 : file.size() - have);

        var request = new Request.Builder().url(file.url()).get();
        if (have > 0) request.header("Range", "bytes=" + have + "-");
        meter.state(DownloadProgress.State.CONNECTING);
        var call = client.newCall(request.build());
        transfer.track(call);
        try (Response response = call.execute()) {
            int code = response.code();
            if (code == 416 && have > 0) return true; // the part already holds everything the server has
            Retryable.throwIfTransient(response);
            if (!response.isSuccessful()) throw HubClient.failure(code, file.repo(), file.file(), file.revision());
            if (code == 206 && !rangeStartsAt(response, have)) {
                delete(part); // a range we did not ask for: start clean on the next attempt
                throw new Retryable(code, "unexpected Content-Range " + response.header("Content-Range"), Duration.ZERO);
            }
            if (code != 206 && have > 0) {
                log.info("{}: server ignored the range request; starting over", file.displayName());
                have = 0;
            }
            hash.catchUp(part, have);
            meter.start(have);
            try (var channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                channel.truncate(have);
                channel.position(have);
                copy(response.body().source(), channel, hash, meter, transfer);
            }
            long now = sizeOf(part);
            if (file.size() >= 0 && now < file.size()) throw new Retryable(0, "connection closed at " + now + " of " + file.size() + " bytes", null);
            return true;
        } catch (IOException e) {
            if (transfer.isCancelled()) throw cancelled(file, part);
            if (isDiskFull(e, part)) throw diskFull(file, part);
            throw new Retryable(0, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    /**
     * Copies in 1 MB blocks (the socket yields 8 KB at a time; one write per block is cheaper)
     * and hashes on a second thread, so sha256 overlaps the network instead of adding to it.
     */
    private static void copy(BufferedSource in, FileChannel out, RunningHash hash, Meter meter, Transfer transfer)
            throws IOException {
        try (var hasher = new PipelinedHash(hash)) {
            boolean end = false;
            while (!end) {
                var buffer = hasher.borrow();
                int filled = 0;
                int n = 0;
                IOException broken = null;
                try {
                    while (filled < buffer.length && (n = in.read(buffer, filled, buffer.length - filled)) > 0) filled += n;
                } catch (IOException e) {
                    broken = e; // keep what arrived before the break, so a resume starts after it
                }
                end = n < 0;
                if (filled == 0) {
                    hasher.giveBack(buffer);
                    if (broken != null) throw broken;
                    break;
                }
                var bb = ByteBuffer.wrap(buffer, 0, filled);
                while (bb.hasRemaining()) out.write(bb);
                hasher.hash(buffer, filled);
                meter.add(filled);
                if (broken != null) throw broken;
                if (transfer.isCancelled()) throw new IOException("cancelled");
            }
            hasher.drain();
        }
    }

    private Result finish(HubFile file, Path target, Path part, String expectedSha256, RunningHash hash, Meter meter)
            throws RagdeskException {
        meter.state(DownloadProgress.State.VERIFYING);
        long t0 = System.nanoTime();
        long size = sizeOf(part);
        hash.catchUp(part, size);
        var actual = hash.hex();
        if (file.size() >= 0 && size != file.size()) {
            throw new RagdeskException("download of " + file.displayName() + " ended at " + size + " of " + file.size()
                    + " bytes; run again to resume");
        }
        if (!expectedSha256.isEmpty() && !expectedSha256.equals(actual)) {
            delete(part);
            meter.state(DownloadProgress.State.FAILED);
            throw new RagdeskException("sha256 mismatch for " + file.displayName() + ": expected " + expectedSha256
                    + ", got " + actual + "; the file was discarded, run again to download it afresh");
        }
        try {
            try (var channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            AtomicFiles.moveIntoPlace(part, target);
        } catch (IOException e) {
            throw new RagdeskException("cannot install " + target + ": " + e.getMessage(), e);
        }
        log.info("{}: {} bytes verified and installed ({} ms to verify, fsync and rename)", file.displayName(), size,
                (System.nanoTime() - t0) / 1_000_000);
        meter.done(size);
        return new Result(target, size, actual, !expectedSha256.isEmpty(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void ensureSpace(HubFile file, Path part, long needed) throws RagdeskException {
        long usable;
        try {
            usable = disk.usableBytes(part.getParent());
        } catch (IOException e) {
            return; // unknown: let the write itself tell
        }
        if (usable < needed + SPACE_MARGIN) {
            throw new RagdeskException(file.displayName() + " needs " + Sizes.human(needed + SPACE_MARGIN) + ", "
                    + Sizes.human(usable) + " free in " + part.getParent() + "; free some space and run again");
        }
    }

    private boolean isDiskFull(IOException e, Path part) {
        var message = String.valueOf(e.getMessage());
        if (message.contains("No space left") || message.contains("Disk quota exceeded")) return true;
        try {
            return disk.usableBytes(part.getParent()) == 0;
        } catch (IOException ignored) {
            return false;
        }
    }

    private RagdeskException diskFull(HubFile file, Path part) {
        return new RagdeskException("the disk filled up while downloading " + file.displayName() + "; " + sizeOf(part)
                + " bytes are kept in " + part + ", free some space and run again to resume");
    }

    private static RagdeskException cancelled(HubFile file, Path part) {
        return new DownloadCancelled("download of " + file.displayName() + " stopped; " + sizeOf(part)
                + " bytes are kept in " + part + " and the next run resumes from there");
    }

    /** A download stopped on request; the partial file is kept. */
    public static final class DownloadCancelled extends RagdeskException {
        DownloadCancelled(String message) { super(message); }
    }

    private Duration backoff(int attempt) {
        long ms = policy.firstBackoff().toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(ms, policy.maxBackoff().toMillis()));
    }

    /** Retry-After in seconds or as an HTTP date; capped at two minutes. */
    static Duration retryAfter(Response response) {
        var value = response.header("Retry-After");
        if (value == null) return null;
        try {
            return Duration.ofSeconds(Math.min(120, Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException e) {
            try {
                var at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                var wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait.compareTo(Duration.ofMinutes(2)) > 0 ? Duration.ofMinutes(2) : wait;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    private static boolean rangeStartsAt(Response response, long offset) {
        var range = response.header("Content-Range", "");
        return range.startsWith("bytes " + offset + "-");
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", file, e.toString());
        }
    }


    /** Feeds written blocks to the running hash on its own thread, in order, through a small pool of buffers. */
    private static final class PipelinedHash implements AutoCloseable {
        private static final byte[] STOP = new byte[0];
        private final BlockingQueue<byte[]> pool = new ArrayBlockingQueue<>(4);
        private final BlockingQueue<byte[]> work = new ArrayBlockingQueue<>(5);
        private final BlockingQueue<Integer> lengths = new ArrayBlockingQueue<>(5);
        private final CountDownLatch finished = new CountDownLatch(1);
        private final Thread thread;

        PipelinedHash(RunningHash hash) {
            for (int i = 0; i < 4; i++) pool.add(new byte[BUFFER]);
            thread = Threads.start(() -> {
                try {
                    while (true) {
                        var block = work.take();
                        if (block == STOP) break;
                        hash.update(block, lengths.take());
                        pool.put(block);
                    }
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                } finally {
                    finished.countDown();
                }
            }, "sha256");
        }

        byte[] borrow() throws IOException {
            try {
                return pool.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }

        void giveBack(byte[] block) { pool.offer(block); }

        void hash(byte[] block, int length) throws IOException {
            try {
                lengths.put(length);
                work.put(block);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }

        /** Waits until every submitted block is hashed. */
        void drain() throws IOException {
            try {
                work.put(STOP);
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }

        /** On failure paths: let the hasher finish what it has, so the running hash matches the part file. */
        @Override
        public void close() {
            if (finished.getCount() > 0) {
                work.offer(STOP);
                try {
                    finished.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** sha256 of the part file's bytes, kept across attempts; re-read from disk only when it fell behind. */
    private static final class RunningHash {
        private MessageDigest digest = newDigest();
        private long hashed;

        void catchUp(Path part, long upTo) throws RagdeskException {
            if (upTo == hashed) return;
            digest = newDigest();
            hashed = 0;
            if (upTo == 0) return;
            try (var in = Files.newInputStream(part)) {
                var buffer = new byte[BUFFER];
                while (hashed < upTo) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, upTo - hashed));
                    if (n < 0) break;
                    update(buffer, n);
                }
            } catch (IOException e) {
                throw new RagdeskException("cannot read " + part + ": " + e.getMessage(), e);
            }
        }

        void update(byte[] bytes, int n) {
            digest.update(bytes, 0, n);
            hashed += n;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }

        private static MessageDigest newDigest() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Turns byte counts into throttled progress events with speed and ETA. */
    private static final class Meter {
        private final String name;
        private final long total;
        private final Consumer<DownloadProgress> listener;
        private long done;
        private long windowStart;
        private long windowBytes;
        private double speed;
        private long lastEvent;

        Meter(String name, long total, Consumer<DownloadProgress> listener) {
            this.name = name;
            this.total = total;
            this.listener = listener;
        }

        void start(long already) {
            done = already;
            windowStart = System.nanoTime();
            windowBytes = 0;
            emit(DownloadProgress.State.DOWNLOADING);
        }

        void add(int n) {
            done += n;
            windowBytes += n;
            long now = System.nanoTime();
            if (now - windowStart >= 500_000_000L) {
                double current = windowBytes * 1e9 / (now - windowStart);
                speed = speed == 0 ? current : 0.7 * speed + 0.3 * current;
                windowStart = now;
                windowBytes = 0;
            }
            if (now - lastEvent >= 200_000_000L) emit(DownloadProgress.State.DOWNLOADING);
        }

        void state(DownloadProgress.State state) { emit(state); }

        void done(long size) {
            done = size;
            emit(DownloadProgress.State.DONE);
        }

        private void emit(DownloadProgress.State state) {
            lastEvent = System.nanoTime();
            long eta = speed > 0 && total > 0 ? (long) ((total - done) / speed) : -1;
            listener.accept(new DownloadProgress(name, done, total, speed, eta, state));
        }
    }
}
