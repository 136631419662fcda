package dev.asclepius.core.internal.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Formats server-sent events so that any spec-following reader ({@link SseReader}, browsers, the OpenAI
 * SDKs) gets back exactly the data written: each line of the data (split at CRLF, LF or CR) becomes its own
 * {@code data:} line, the event ends with a blank line, and everything is UTF-8 with LF line ends.
 *
 * <p>For a server that writes asynchronously (Jetty's {@code Response.write}), use the static formatters and
 * queue the text; for a blocking stream, wrap it:
 * <pre>{@code
 * SseWriter sse = new SseWriter(out);
 * sse.send(CompletionCodec.writeResponse(chunk));   // "data: {...}\n\n", flushed
 * sse.send(SseEvent.DONE);                          // "data: [DONE]\n\n"
 * }</pre>
 * The first character of each data line is written after {@code "data: "}: the reader drops exactly that one
 * space, so data that itself starts with a space survives.
 */
public final class SseWriter {
    private static final Pattern LINE_END = Pattern.compile("\r\n|\r|\n");

    private final OutputStream out;

    /** A writer onto a blocking stream; {@link #send} flushes after each event so it reaches the client at once. */
    public SseWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Writes a {@code message} event with this data and flushes. */
    public void send(String data) throws IOException {
        write(data(data));
    }

    /** Writes an event with a type and/or id and flushes. */
    public void send(SseEvent event) throws IOException {
        write(event(event));
    }

    /** Writes a comment line (a keep-alive that readers ignore) and flushes. */
    public void comment(String text) throws IOException {
        write(commentLine(text));
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The text of a {@code message} event: {@code data: ...} lines and the blank line that dispatches it. */
    public static String data(String data) {
        StringBuilder sb = new StringBuilder(data.length() + 8);
        appendData(sb, data);
        return sb.append('\n').toString();
    }

    /**
     * The text of an event with its type ({@code event:}, left out when {@code message}) and id ({@code id:},
     * left out when empty).
     *
     * @throws WireException when the type or id holds a line end (or the id a NUL), which would corrupt the stream
     */
    public static String event(SseEvent event) {
        StringBuilder sb = new StringBuilder(event.data().length() + 32);
        if (!event.type().equals(SseEvent.MESSAGE)) {
            sb.append("event: ").append(singleLine(event.type(), "event type")).append('\n');
        }
        if (!event.lastEventId().isEmpty()) {
            if (event.lastEventId().indexOf('\0') >= 0) {
                throw new WireException("An SSE id cannot hold NUL (readers ignore such ids)", null);
            }
            sb.append("id: ").append(singleLine(event.lastEventId(), "id")).append('\n');
        }
        appendData(sb, event.data());
        return sb.append('\n').toString();
    }

    /** A comment line, {@code : text}, followed by its line end; multi-line text becomes several comments. */
    public static String commentLine(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : LINE_END.split(text, -1)) {
            sb.append(": ").append(line).append('\n');
        }
        return sb.toString();
    }

    private static void appendData(StringBuilder sb, String data) {
        for (String line : LINE_END.split(data, -1)) {
            sb.append("data: ").append(line).append('\n');
        }
    }

    private static String singleLine(String value, String what) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new WireException("An SSE " + what + " cannot hold a line end: " + CompletionCodec.abbreviate(value),
                    null);
        }
        return value;
    }
}
