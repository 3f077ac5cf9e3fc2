package dev.ragdesk.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;

/**
 * A worker's log: "LEVEL logger - message" lines on stderr, which the host reads into its own
 * log file. Written by hand rather than through a pattern layout, whose parser and converters
 * took about 40 ms of every worker start, and worker starts are on the swap path.
 */
final class StderrLines extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
        var name = event.getLoggerName();
        var line = new StringBuilder(64).append(event.getLevel().toString());
        while (line.length() < 5) line.append(' ');
        line.append(' ').append(name.substring(name.lastIndexOf('.') + 1)).append(" - ").append(event.getFormattedMessage());
        if (event.getThrowableProxy() != null) line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
        System.err.println(line);
    }
}
