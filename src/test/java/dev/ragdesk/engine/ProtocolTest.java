package dev.ragdesk.engine;

import com.fasterxml.jackson.databind.json.JsonMapper;
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
    void theWireFormatIsPlainJsonThatAnyJsonReaderSeesTheSameWay() throws Exception {
        var json = JsonMapper.builder().build();
        var text = "quote \" backslash \\ tab\t newline\n नमस्ते 🙂 \u0001";
        var line = Protocol.encode(new Protocol.Generate("g1", text, 8, 0.25, -3, List.of("\nQ:", "</s>"),
                List.of(ChatMessage.user(text), ChatMessage.assistant("ok"))));
        assertFalse(line.substring(1).contains("\n"), "one line");
        var node = json.readTree(line.substring(1));
        assertEquals("generate", node.get("type").asText());
        assertEquals(1, node.get("v").asInt());
        assertEquals(text, node.get("prompt").asText());
        assertEquals(0.25, node.get("temperature").asDouble());
        assertEquals(-3, node.get("seed").asInt());
        assertEquals("</s>", node.get("stop").get(1).asText());
        assertEquals("assistant", node.get("messages").get(1).get("role").asText());
        assertEquals(text, node.get("messages").get(0).get("content").asText());
        assertTrue(json.readTree(Protocol.encode(new Protocol.Generate("g", "p", 1, 0, 0, null, null)).substring(1)).get("messages").isNull(),
                "a completion has no messages");
    }

    @Test
    void fieldsAreReadInAnyOrderUnknownOnesIgnoredAndMissingOnesDefault() throws Exception {
        var line = Protocol.SEPARATOR + "{\"v\":1,\"extra\":{\"nested\":[1,2]},\"ctxSize\":4096,\"type\":\"load\",\"path\":\"/m.gguf\"}";
        assertEquals(new Protocol.Load("/m.gguf", 4096, 0, 0, false), Protocol.decode(line, Protocol.Request.class).orElseThrow());
        var event = Protocol.SEPARATOR + "{\"type\":\"done\",\"id\":\"g\",\"tokens\":3,\"reason\":\"stop\",\"v\":1}";
        assertEquals(new Protocol.Done("g", 3, "stop", 0, 0), Protocol.decode(event, Protocol.Event.class).orElseThrow());
        assertThrows(Protocol.ProtocolException.class, () -> Protocol.decode(event, Protocol.Request.class), "an event is not a request");
        assertThrows(Protocol.ProtocolException.class,
                () -> Protocol.decode(Protocol.SEPARATOR + "{\"type\":\"teleport\",\"v\":1}", Protocol.Request.class));
    }

    @Test
    void everyMessageKindComesBackEqual() throws Exception {
        var chat = List.of(ChatMessage.user("hi"), ChatMessage.assistant(null));
        var requests = List.<Protocol.Request>of(new Protocol.Load("/m.gguf", 2048, -1, 4, true),
                new Protocol.Generate("g", "p", 1, 0.5, 7, List.of("x"), chat), new Protocol.Generate("g", null, 0, 0, 0, null, null),
                new Protocol.Cancel("g"), new Protocol.Tokenize("t", "x"), new Protocol.ApplyTemplate("a", "s", chat), new Protocol.Shutdown());
        var events = List.<Protocol.Event>of(new Protocol.Ready(Long.MAX_VALUE, 12), new Protocol.Loaded(3), new Protocol.Token("g", " the"),
                new Protocol.Done("g", 9, "length", 4, 250), new Protocol.Tokens("t", 17), new Protocol.Template("a", "<s>"),
                new Protocol.Error("", "no such file"));
        for (var r : requests) assertEquals(r, Protocol.decode(Protocol.encode(r), Protocol.Request.class).orElseThrow());
        for (var e : events) assertEquals(e, Protocol.decode(Protocol.encode(e), Protocol.Event.class).orElseThrow());
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
