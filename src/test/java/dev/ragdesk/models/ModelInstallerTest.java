package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.process.JvmCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Downloads against real HTTP servers on loopback that speak the hub's protocol. */
class ModelInstallerTest {
    static final String REPO = "acme/tiny-GGUF";
    static final String FILE = "tiny-Q4_K_M.gguf";

    @TempDir Path dir;
    FakeHub fake;
    final List<Duration> waits = new ArrayList<>();
    final List<DownloadProgress> progress = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeHub();
    }

    @AfterEach
    void stop() throws Exception {
        fake.close();
    }

    private ModelInstaller installer(String token, Downloader.DiskSpace disk) {
        var hub = new HubClient(fake.endpoint(), token);
        var downloader = new Downloader(hub.http(), disk, waits::add, new Downloader.RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5)));
        return new ModelInstaller(hub, downloader, new HfCache(dir.resolve("hf-cache")));
    }

    private ModelInstaller installer() {
        return installer(null, Downloader.DiskSpace.REAL);
    }

    private ModelInstaller.Target target(String file) {
        return new ModelInstaller.Target("chat", REPO, "main", file, "", dir.resolve("models").resolve(REPO).resolve(file));
    }

    private ModelInstaller.Outcome install(ModelInstaller installer, ModelInstaller.Target target) throws Exception {
        return installer.install(target, progress::add, new Transfer());
    }

    @Test
    void downloadsVerifiesAndInstalls() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 3_000_000);
        var outcome = install(installer(), target(FILE));
        assertEquals("downloaded", outcome.how());
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
        assertEquals("sha256", outcome.record().verified());
        assertEquals(FakeHub.sha256(bytes), outcome.record().sha256());
        assertEquals(FakeHub.COMMIT, outcome.record().commit());
        assertFalse(Files.exists(outcome.file().resolveSibling(FILE + ".part")), "no part file left");
        assertEquals(DownloadProgress.State.DONE, progress.get(progress.size() - 1).state());
        assertEquals(bytes.length, progress.get(progress.size() - 1).done());

        var again = install(installer(), target(FILE));
        assertEquals("present", again.how(), "a verified file is not fetched twice");
        assertEquals(1, fake.cdnRequests.size());
    }

    @Test
    void resumesAfterTheConnectionDropsMidBody() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 2_000_000);
        fake.cdnScript.add(FakeHub.dropMidBody());
        var outcome = install(installer(), target(FILE));
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
        assertEquals(2, fake.cdnRequests.size());
        var range = fake.cdnRequests.get(1).getHeader("Range");
        assertNotNull(range, "the second request resumes");
        long from = Long.parseLong(range.replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(from > 0 && from < bytes.length, range);
    }

    @Test
    void serverThatIgnoresRangeStillGivesTheRightFile() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 2_000_000);
        fake.ignoreRange = true;
        fake.cdnScript.add(FakeHub.dropMidBody());
        var outcome = install(installer(), target(FILE));
        assertNotNull(fake.cdnRequests.get(1).getHeader("Range"), "it asked to resume");
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()), "and started over when answered 200");
        assertEquals("sha256", outcome.record().verified());
    }

    @Test
    void resumesAfterTheWholeProcessIsKilled() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 4_000_000);
        fake.throttleBytesPer50ms = 64 * 1024;
        var destination = target(FILE).destination();
        var cmd = JvmCommand.current().build(List.of("-Xmx128m"), DownloadProbe.class.getName(),
                List.of(fake.endpoint(), REPO, FILE, destination.toString()));
        var child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("bytes=") && Long.parseLong(line.substring(6)) > 500_000) break;
            }
            assertNotNull(line, "the child downloaded some bytes");
            child.destroyForcibly(); // kill -9
            child.waitFor();
        }
        var part = destination.resolveSibling(FILE + ".part");
        long kept = Files.size(part);
        assertTrue(kept > 500_000 && kept < bytes.length, "the part file survived: " + kept);
        assertFalse(Files.exists(destination), "nothing half-written was installed");

        fake.throttleBytesPer50ms = 0;
        int before = fake.cdnRequests.size();
        var outcome = install(installer(), target(FILE));
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
        assertEquals("bytes=" + kept + "-", fake.cdnRequests.get(before).getHeader("Range"), "resumed where the dead process stopped");
    }

    @Test
    void shaMismatchInstallsNothingAndShowsBothHashes() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 100_000);
        var wrong = "0".repeat(64);
        var t = new ModelInstaller.Target("chat", REPO, "main", FILE, wrong, dir.resolve("m").resolve(FILE));
        var e = assertThrows(RagdeskException.class, () -> install(installer(), t));
        assertTrue(e.getMessage().contains("config.toml pins sha256 " + wrong), e.getMessage());

        // a hub whose bytes do not match its own hash
        var hub = new HubClient(fake.endpoint(), null);
        var file = hub.describe(REPO, "main", FILE);
        var lying = new HubFile(REPO, "main", FILE, file.size(), wrong, "", file.url());
        var downloader = new Downloader(hub.http(), Downloader.DiskSpace.REAL, waits::add, Downloader.RetryPolicy.DEFAULT);
        var target = dir.resolve("n").resolve(FILE);
        var mismatch = assertThrows(RagdeskException.class, () -> downloader.download(lying, target, wrong, p -> {}, new Transfer()));
        assertEquals("sha256 mismatch for " + REPO + ":" + FILE + ": expected " + wrong + ", got " + FakeHub.sha256(bytes)
                + "; the file was discarded, run again to download it afresh", mismatch.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(target.resolveSibling(FILE + ".part")));
    }

    @Test
    void unauthorisedNamesTheTokenAndTheModelPage() {
        fake.addFile(REPO, FILE, 1000);
        fake.requiredToken = "hf_right";
        var e = assertThrows(HubException.class, () -> install(installer("hf_wrong", Downloader.DiskSpace.REAL), target(FILE)));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
        assertTrue(e.getMessage().contains("https://huggingface.co/" + REPO), e.getMessage());
        assertFalse(e.getMessage().contains("hf_wrong"), "the token never appears in messages");
    }

    @Test
    void notFoundNamesRepoAndFile() {
        fake.addFile(REPO, "other.txt", 10);
        var e = assertThrows(HubException.class, () -> install(installer(), target("missing.gguf")));
        assertTrue(e.getMessage().startsWith(REPO + " has no file like missing.gguf; close matches: other.txt"), e.getMessage());
        var noRepo = new ModelInstaller.Target("x", "acme/nothing", "main", FILE, "", dir.resolve("x"));
        var e2 = assertThrows(HubException.class, () -> install(installer(), noRepo));
        assertTrue(e2.getMessage().contains("no repository acme/nothing"), e2.getMessage());
    }

    @Test
    void serverErrorsAreRetriedWithBackoffAndRetryAfterIsHonoured() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 50_000);
        fake.cdnScript.add(FakeHub.status(500));
        fake.cdnScript.add(FakeHub.tooManyRequests(3));
        fake.cdnScript.add(FakeHub.status(503));
        var outcome = install(installer(), target(FILE));
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
        assertEquals(List.of(Duration.ofMillis(1), Duration.ofSeconds(3), Duration.ofMillis(4)), waits,
                "exponential backoff, except where the server said how long");
        assertTrue(progress.stream().anyMatch(p -> p.state() == DownloadProgress.State.RETRYING));
    }

    /** Item 11: 429 on the HEAD request used to fail at once, though 429 on GET waited as told. */
    @Test
    void tooManyRequestsOnTheHeadRequestIsRetriedLikeTheDownload() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 20_000);
        fake.hubScript.add(FakeHub.tooManyRequests(2));
        fake.hubScript.add(FakeHub.status(503));
        var outcome = install(installer(), target(FILE));
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofMillis(2)), waits, "Retry-After honoured, then backoff");
        assertEquals(3, fake.hubRequests.stream().filter(r -> r.getMethod().equals("HEAD")).count());
    }

    @Test
    void persistentServerErrorsGiveUpKeepingThePart() {
        fake.addFile(REPO, FILE, 50_000);
        for (int i = 0; i < 4; i++) fake.cdnScript.add(FakeHub.status(502));
        var e = assertThrows(HubException.class, () -> install(installer(), target(FILE)));
        assertTrue(e.getMessage().contains("failed 4 times (HTTP 502)"), e.getMessage());
    }

    @Test
    void tokenGoesToTheHubButNeverToTheCdn() throws Exception {
        fake.addFile(REPO, FILE, 10_000);
        fake.requiredToken = "hf_secret_123";
        install(installer("hf_secret_123", Downloader.DiskSpace.REAL), target(FILE));
        assertFalse(fake.hubRequests.isEmpty());
        fake.hubRequests.forEach(r -> assertEquals("Bearer hf_secret_123", r.getHeader("Authorization")));
        assertFalse(fake.cdnRequests.isEmpty());
        fake.cdnRequests.forEach(r -> assertNull(r.getHeader("Authorization"), "no token on the redirect to another host"));
        var log = Path.of("target/test.log");
        if (Files.exists(log)) assertFalse(Files.readString(log).contains("hf_secret_123"), "the token never reaches the log");
    }

    @Test
    void usesTheHuggingFaceCacheInsteadOfDownloading() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 20_000);
        var sha = FakeHub.sha256(bytes);
        var repoDir = dir.resolve("hf-cache").resolve("models--acme--tiny-GGUF");
        var blob = Files.write(Files.createDirectories(repoDir.resolve("blobs")).resolve(sha), bytes);
        var snapshot = Files.createDirectories(repoDir.resolve("snapshots").resolve(FakeHub.COMMIT)).resolve(FILE);
        Files.createSymbolicLink(snapshot, blob);
        Files.writeString(Files.createDirectories(repoDir.resolve("refs")).resolve("main"), FakeHub.COMMIT);

        var outcome = install(installer(), target(FILE));
        assertEquals("linked", outcome.how());
        assertTrue(fake.cdnRequests.isEmpty(), "nothing was downloaded");
        assertTrue(Files.isSymbolicLink(outcome.file()));
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
        assertEquals("sha256", outcome.record().verified(), "the blob's name is its hash");
    }

    @Test
    void fileNameIsResolvedFromTheRepositoryListing() throws Exception {
        var bytes = fake.addFile(REPO, "tiny.Q4_K_M.gguf", 5_000);
        fake.addFile(REPO, "tiny.Q8_0.gguf", 10);
        var outcome = install(installer(), target("tiny-Q4_K_M.gguf"));
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
        assertEquals("tiny.Q4_K_M.gguf", outcome.record().file(), "the record keeps the repository's name");
        assertTrue(fake.hubRequests.stream().anyMatch(r -> r.getPath().startsWith("/api/models/" + REPO)));
    }

    @Test
    void ambiguousNameListsTheCloseMatches() {
        fake.addFile(REPO, "tiny.Q4_K_M.gguf", 10);
        fake.addFile(REPO, "Tiny-Q4-K-M.gguf", 10);
        var e = assertThrows(HubException.class, () -> install(installer(), target("tiny_q4_k_m.gguf")));
        assertTrue(e.getMessage().startsWith("several files match tiny_q4_k_m.gguf; close matches: "), e.getMessage());
        assertTrue(e.getMessage().contains("tiny.Q4_K_M.gguf") && e.getMessage().contains("Tiny-Q4-K-M.gguf"));
    }

    @Test
    void notEnoughDiskIsRefusedUpFront() {
        fake.addFile(REPO, FILE, 50_000_000 / 100);
        var e = assertThrows(RagdeskException.class,
                () -> install(installer(null, d -> 1_000_000), target(FILE)));
        assertTrue(e.getMessage().matches(".* needs 17 MB, 1 MB free in .*; free some space and run again"), e.getMessage());
        assertTrue(fake.cdnRequests.isEmpty(), "no byte was fetched");
    }

    @Test
    void diskFillingUpMidwayKeepsThePartForLater() throws Exception {
        var mount = Files.createDirectories(dir.resolve("small-disk"));
        var mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start().waitFor() == 0;
        assumeTrue(mounted, "skipped: cannot mount a 1 MB tmpfs here (needs root)");
        try {
            fake.addFile(REPO, FILE, 3_000_000);
            var t = new ModelInstaller.Target("chat", REPO, "main", FILE, "", mount.resolve(FILE));
            var e = assertThrows(RagdeskException.class, () -> install(installer(null, d -> Long.MAX_VALUE / 2), t));
            assertTrue(e.getMessage().startsWith("the disk filled up while downloading " + REPO + ":" + FILE), e.getMessage());
            assertTrue(e.getMessage().endsWith("free some space and run again to resume"), e.getMessage());
            assertTrue(Files.size(mount.resolve(FILE + ".part")) > 0, "the part file is kept");
            assertFalse(Files.exists(mount.resolve(FILE)));
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void cancellingKeepsThePartAndTheNextRunResumes() throws Exception {
        var bytes = fake.addFile(REPO, FILE, 3_000_000);
        fake.throttleBytesPer50ms = 64 * 1024;
        var transfer = new Transfer();
        var e = assertThrows(Downloader.DownloadCancelled.class, () -> installer().install(target(FILE), p -> {
            if (p.done() > 300_000) transfer.cancel();
        }, transfer));
        assertTrue(e.getMessage().contains("the next run resumes from there"), e.getMessage());
        long kept = Files.size(target(FILE).destination().resolveSibling(FILE + ".part"));
        assertTrue(kept > 300_000);
        fake.throttleBytesPer50ms = 0;
        var outcome = install(installer(), target(FILE));
        assertArrayEquals(bytes, Files.readAllBytes(outcome.file()));
    }
}
