package dev.ragdesk.ui.line;

import dev.ragdesk.Failures;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.io.TerminalText;
import dev.ragdesk.session.Mode;
import dev.ragdesk.session.Session;
import dev.ragdesk.session.SessionEvent;
import dev.ragdesk.session.SlashCommands;
import dev.ragdesk.session.Ticket;
import dev.ragdesk.session.Turn;
import dev.ragdesk.ui.tui.KeyBinding;
import org.jline.keymap.KeyMap;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.FileNameCompleter;
import org.jline.terminal.Terminal;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The line-mode REPL on JLine: same session, modes, slash commands and citations as the
 * console, for dumb terminals, `script` logs and pipes. Answers stream above the prompt; the
 * prompt shows the mode, the model and the memory in use.
 */
public final class LineRepl {
    private final Session session;
    private final Config config;
    private final Path cwd;
    private final BlockingQueue<SessionEvent> answer = new LinkedBlockingQueue<>();
    private volatile boolean waiting;
    private volatile LineReader reader;
    private volatile PrintWriter out;
    private volatile PrintWriter notes;
    private volatile String memory = "";

    public LineRepl(Session session, Config config, Path cwd) {
        this.session = session;
        this.config = config;
        this.cwd = cwd;
    }

    /** The session's listener. */
    public void onEvent(SessionEvent event) {
        if (event instanceof SessionEvent.AnswerToken) {
            answer.add(event);
        } else if (event instanceof SessionEvent.Memory m) {
            var sample = m.sample();
            memory = sample.hasGpu() ? String.format(Locale.ROOT, " %.1fG", sample.devices().get(0).usedBytes() / 1e9)
                    : m.modelRamBytes() > 0 ? String.format(Locale.ROOT, " %.1fG", m.modelRamBytes() / 1e9) : "";
        } else if (event instanceof SessionEvent.AnswerStarted || event instanceof SessionEvent.AnswerFinished
                || event instanceof SessionEvent.AnswerFailed || event instanceof SessionEvent.AnswerCancelled) {
            // the REPL reads how its question ended from the ticket
        } else if (event instanceof SessionEvent.ModelCrashed && waiting) {
            // the question it cut short fails with the same line: a crash is told once
        } else {
            var text = describe(event);
            if (text != null) say(text);
        }
    }

    private static String describe(SessionEvent event) {
        if (event instanceof SessionEvent.Notice n) return "(" + n.message() + ")";
        if (event instanceof SessionEvent.IndexFinished f) return "(" + f.description() + ")";
        if (event instanceof SessionEvent.DownloadFinished d) return "(" + d.target() + ": " + d.message() + ")";
        if (event instanceof SessionEvent.ModelLoading l) return "(loading " + l.name() + " …)";
        if (event instanceof SessionEvent.ModelCrashed c) return "(" + c.line() + ")";
        if (event instanceof SessionEvent.ModeChanged m) return "(" + m.mode().role() + " mode)";
        if (event instanceof SessionEvent.ModelUnloaded u && u.idle()) {
            return "(the " + u.role() + " model was unloaded after going unused, freeing its memory; the next question loads it again)";
        }
        return null;
    }

    /** Out of band lines: above the prompt while editing, in the stream otherwise. */
    private void say(String text) {
        var r = reader;
        if (r != null && !waiting) above(r, text);
        else if (notes != null) {
            notes.println(text);
            notes.flush();
        }
    }

    /** A line above the prompt; model and server text can hold escapes, and JLine prints them as they are. */
    private static void above(LineReader r, String text) {
        r.printAbove(TerminalText.clean(text));
    }

    String prompt() {
        var model = session.model().map(m -> "·" + m.name()).orElse("");
        var rec = session.recording() ? String.format(Locale.ROOT, "● %.0fs ", session.dictationMeter()[0]) : "";
        return rec + session.mode().role() + model + memory + " › ";
    }

    /** Interactive: JLine editing, history in {@code historyFile}, completion, Alt-V dictation. */
    public int runInteractive(Terminal terminal, Path historyFile) {
        out = new PrintWriter(TerminalText.writer(terminal.writer()), true);
        notes = out;
        var r = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("ragdesk")
                .completer(this::complete)
                .variable(LineReader.HISTORY_FILE, historyFile)
                .build();
        if (config.ui().keymap().equals("vi")) r.setKeyMap(LineReader.VIINS);
        installDictation(r);
        reader = r;
        above(r, "(engine: " + session.engine() + " — " + session.engineWhy() + ")");
        boolean interruptedOnce = false;
        try {
            while (true) {
                String line;
                try {
                    line = r.readLine(prompt());
                    interruptedOnce = false;
                } catch (UserInterruptException e) {
                    if (session.recording()) {
                        session.discardDictation();
                        above(r, "(recording discarded)");
                        continue;
                    }
                    if (e.getPartialLine().isEmpty() && interruptedOnce) return 0;
                    interruptedOnce = e.getPartialLine().isEmpty();
                    if (interruptedOnce) above(r, "(Ctrl-C again on an empty line exits)");
                    continue;
                } catch (EndOfFileException e) {
                    return 0;
                }
                if (!handle(line, terminal)) return 0;
            }
        } finally {
            try {
                r.getHistory().save();
            } catch (IOException ignored) {
                // history is a convenience
            }
            reader = null;
        }
    }

    /** Piped: one question (or command) per line; answers to {@code output}, notes in parentheses to {@code errors}. */
    public int runPiped(BufferedReader input, PrintWriter output, PrintWriter errors) throws IOException {
        out = new PrintWriter(TerminalText.writer(output), true);
        notes = new PrintWriter(TerminalText.writer(errors), true);
        String line;
        while ((line = input.readLine()) != null) {
            if (!handle(line, null)) break;
        }
        output.flush();
        return 0;
    }

    /** Returns false to quit. */
    private boolean handle(String raw, Terminal terminal) {
        var line = raw.strip();
        if (line.isEmpty()) return true;
        if (SlashCommands.isCommand(line)) {
            try {
                var outcome = SlashCommands.run(session, config, line, cwd);
                if (outcome instanceof SlashCommands.Outcome.Quit) return false;
                if (outcome instanceof SlashCommands.Outcome.Show s) say(s.text());
                else if (outcome instanceof SlashCommands.Outcome.Hint h) say("(" + h.text() + ")");
                else if (outcome instanceof SlashCommands.Outcome.Help) say(help(config));
                else if (outcome instanceof SlashCommands.Outcome.Copy) say("(/copy works in the full-screen console)");
                else if (outcome instanceof SlashCommands.Outcome.Downloading d) say("(downloading " + d.target() + " in the background)");
            } catch (IOException e) {
                say("(cannot do that: " + e.getMessage() + ")");
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(LineRepl.class).error("{} failed", line, e);
                say("(" + Failures.oneLine(e) + ")"); // one command failed; the REPL goes on
            }
            return true;
        }
        ask(line, terminal);
        return true;
    }

    /**
     * Asks and streams the answer until its ticket ends. The ticket always ends (answered, failed
     * or cancelled), so this never waits for good; Ctrl-C cancels it wherever it is, queued,
     * loading its model or streaming.
     */
    private void ask(String question, Terminal terminal) {
        answer.clear();
        waiting = true;
        Terminal.SignalHandler previous = null;
        if (terminal != null) previous = terminal.handle(Terminal.Signal.INT, s -> session.cancel());
        try {
            var ticket = session.ask(question);
            while (true) {
                var event = answer.poll(200, TimeUnit.MILLISECONDS);
                if (event instanceof SessionEvent.AnswerToken t && t.ticket() == ticket.id()) {
                    out.print(t.text());
                    out.flush();
                } else if (event == null && ticket.isDone()) {
                    break; // every token comes before the ticket ends, so none is left behind
                }
            }
            var end = ticket.done().join();
            if (end instanceof Ticket.End.Answered a) {
                out.println();
                if (a.cancelled()) out.println("(cancelled)");
                Turn.citations(a.citations()).forEach(c -> out.println(c.label()));
                out.flush();
            } else if (end instanceof Ticket.End.Failed f) {
                say("(" + f.message() + ")");
            } else {
                say("(cancelled)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting = false;
            if (terminal != null) terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    /** Slash commands, then modes and roles, then paths after /index and /remove. */
    void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        var words = line.words();
        if (line.wordIndex() == 0) {
            if (line.word().startsWith("/")) SlashCommands.NAMES.forEach(n -> candidates.add(new Candidate(n)));
            return;
        }
        var command = words.get(0);
        if (SlashCommands.takesPath(command)) new FileNameCompleter().complete(reader, line, candidates);
        else SlashCommands.choices(command).forEach(n -> candidates.add(new Candidate(n)));
    }

    /** The dictation key starts recording; it or Enter stops, and the transcript goes to the cursor, unsent. */
    private void installDictation(LineReader r) {
        r.getWidgets().put("ragdesk-dictate", () -> {
            if (!session.recording()) {
                try {
                    session.startDictation();
                    above(r, "(recording from " + config.voice().source() + ": " + config.ui().keys().get("dictate")
                            + " or Enter stops, Ctrl-C discards)");
                } catch (RagdeskException e) {
                    above(r, "(" + e.getMessage() + ")");
                }
            } else {
                insertTranscript(r);
            }
            r.callWidget(LineReader.REDRAW_LINE);
            return true;
        });
        r.getWidgets().put("ragdesk-accept", () -> {
            if (session.recording()) {
                insertTranscript(r);
                r.callWidget(LineReader.REDRAW_LINE);
            } else {
                r.callWidget(LineReader.ACCEPT_LINE);
            }
            return true;
        });
        var main = r.getKeyMaps().get(LineReader.MAIN);
        main.bind(new Reference("ragdesk-accept"), "\r");
        var dictate = KeyBinding.parse(config.ui().keys().get("dictate"));
        if (dictate.character() != null) {
            var seq = dictate.alt() ? KeyMap.alt(dictate.character()) : dictate.ctrl() ? KeyMap.ctrl(dictate.character())
                    : String.valueOf(dictate.character());
            main.bind(new Reference("ragdesk-dictate"), seq);
        }
    }

    private void insertTranscript(LineReader r) {
        above(r, "(transcribing …)");
        try {
            var text = session.finishDictationNow();
            if (text.isEmpty()) above(r, "(no speech recognised)");
            else r.getBuffer().write(text);
        } catch (RagdeskException e) {
            above(r, "(" + e.getMessage() + ")");
        }
    }

    /** Written from the bindings in force, so a rebound dictation key is shown as it is. */
    static String help(Config config) {
        var dictate = config.ui().keys().get("dictate");
        return "Ask a question, or:\n  " + String.join("\n  ", SlashCommands.HELP) + "\n"
                + "Tab completes; Up/Down walk the history; " + dictate + " dictates (Enter or " + dictate + " stops);\n"
                + "Ctrl-C stops an answer, and twice on an empty line exits.";
    }

    /** For tests: the reader in use. */
    LineReader reader() { return reader; }

    Mode mode() { return session.mode(); }
}
