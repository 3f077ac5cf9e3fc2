package dev.ragdesk.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A program asked a question: its answer, or nothing, never a caller held by a program that does not end. */
@Timeout(60)
class ProgramOutputTest {
    @TempDir Path dir;

    @Test
    void anAnswerComesBackWhole() {
        assertEquals(Optional.of("one\ntwo\n"), ProgramOutput.of(List.of("sh", "-c", "echo one; echo two >&2")));
        assertEquals(Optional.empty(), ProgramOutput.of(List.of(dir.resolve("no-such-program").toString())));
    }

    @Test
    void aProgramThatHangsIsEndedAtTheLimit() throws Exception {
        var pidFile = dir.resolve("pid");
        var answer = ProgramOutput.of(List.of("sh", "-c", "echo started; echo $$ > " + pidFile + "; exec sleep 600"), Map.of(),
                Duration.ofMillis(500));
        assertEquals(Optional.empty(), answer);
        var pid = Long.parseLong(Files.readString(pidFile).strip());
        var process = ProcessHandle.of(pid);
        if (process.isPresent()) process.get().onExit().get(10, TimeUnit.SECONDS);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the hung program is gone");
    }
}
