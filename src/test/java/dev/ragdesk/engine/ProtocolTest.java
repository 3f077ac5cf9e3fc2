package dev.ragdesk.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ProtocolTest {

    @Test
    void requestsRoundTripWithVersionAndType() throws Exception {
        var sent = new Protocol.Generate("g7", "Once upon\na time", 32, 0.2, 9, List.of("\nQuestion:"), List.of(ChatMessage.user("hi")));
        var line = Protocol.encode(sent);
        assertEquals(Protocol.SEPARATOR, line.charAt(0));
        assertFalse(line.contains("\n"), "one message is one line");
        assertTrue(line.contains("\"type\":\"generate\"") && line.contains("\"v\":1"), line);
        assertEquals(sent, Protocol.decode(line, Protocol.Request.class).orElseThrow());
        assertEquals(new Protocol.Shutdown(), Protocol.decode(Protocol.encode(new Protocol.Shutdown()), Protocol.Request.class).orElseThrow());
    }

    @Test
    void theHandWrittenReadyLineIsWhatJacksonWrites() throws Exception {
        var json = com.fasterxml.jackson.databind.json.JsonMapper.builder().build();
        for (var ready : List.of(new Protocol.Ready(1, 0), new Protocol.Ready(4_194_304L, 1234), new Protocol.Ready(Long.MAX_VALUE, -1))) {
            var line = Protocol.encode(ready);
            var byJackson = Protocol.encodeWithJackson(ready);
            assertEquals(Protocol.SEPARATOR, line.charAt(0));
            assertEquals(json.readTree(byJackson.substring(1)), json.readTree(line.substring(1)), "the same JSON object");
            assertEquals(ready, Protocol.decode(line, Protocol.Event.class).orElseThrow());
        }
    }

    @Test
    void everyMessageKindSurvivesTheWarmUp() {
        assertDoesNotThrow(Protocol::warmUp, "one of each kind, encoded and decoded, equals what was sent");
    }

    @Test
    void strayOutputIsNotProtocol() throws Exception {
        assertTrue(Protocol.decode("Extracted 'libjllama.so' to '/tmp/libjllama.so'", Protocol.Event.class).isEmpty());
        var token = Protocol.encode(new Protocol.Token("g1", "नमस्ते"));
        assertEquals(new Protocol.Token("g1", "नमस्ते"),
                Protocol.decode("garbage printed without newline" + token, Protocol.Event.class).orElseThrow(),
                "a message is found even after stray text on the same line");
    }

    @Test
    void otherVersionIsRefusedWithAReason() {
        var line = Protocol.SEPARATOR + "{\"v\":2,\"type\":\"ready\",\"pid\":1,\"startupMs\":3}";
        var e = assertThrows(Protocol.ProtocolException.class, () -> Protocol.decode(line, Protocol.Event.class));
        assertTrue(e.getMessage().contains("different builds"), e.getMessage());
    }

    @Test
    void brokenJsonIsAProtocolError() {
        assertThrows(Protocol.ProtocolException.class,
                () -> Protocol.decode(Protocol.SEPARATOR + "{\"v\":1,\"type\":", Protocol.Event.class));
    }

    @Test
    void exitCodesReadAsSignals() {
        assertEquals("killed by SIGKILL", WorkerProcess.describeExit(137));
        assertEquals("killed by SIGSEGV", WorkerProcess.describeExit(139));
        assertEquals("exit code 2", WorkerProcess.describeExit(2));
    }
}
