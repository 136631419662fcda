package dev.asclepius.core.internal.wire;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads server-sent events from a byte stream as the HTML standard's "event stream interpretation" says
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * <ul>
 *   <li>UTF-8, one leading byte-order mark ignored; lines end with CRLF, LF or CR (a CR at the end of one read
 *       and an LF at the start of the next are one line end);</li>
 *   <li>a line starting with {@code :} is a comment (keep-alives); {@code field: value} loses one leading space
 *       of the value; a line without a colon is a field with an empty value;</li>
 *   <li>{@code data} lines are joined with {@code \n}; {@code event} sets the type; {@code id} (without NUL) sets
 *       the last event id, which persists; {@code retry} (digits only) sets the reconnection time; other fields
 *       are ignored;</li>
 *   <li>a blank line dispatches the event, unless no data was given (then the type is reset and nothing is
 *       dispatched); an event cut off by the end of the stream is discarded.</li>
 * </ul>
 * {@code [DONE]} is OpenAI's convention, not SSE's: it arrives as an ordinary event ({@link SseEvent#isDone()}).
 *
 * <p>A hostile or broken server cannot exhaust memory: a line longer than {@code maxLineChars}, or an event
 * whose data exceeds {@code maxEventChars}, is a {@link WireException}. Not thread-safe; one reader per stream.
 */
public final class SseReader implements Closeable {
    /** Default longest line: far above any completion chunk (a few hundred bytes) yet bounded. */
    public static final int DEFAULT_MAX_LINE_CHARS = 1 << 20;
    /** Default most data per event. */
    public static final int DEFAULT_MAX_EVENT_CHARS = 4 << 20;

    private final Reader in;
    private final int maxLineChars;
    private final int maxEventChars;
    private final char[] buf = new char[8192];
    private int pos;
    private int limit;
    private boolean atStart = true;
    private boolean skipLf;
    private boolean eof;
    private String lastEventId = "";
    private OptionalLong retryMillis = OptionalLong.empty();

    /** A reader with the default limits. */
    public SseReader(InputStream in) {
        this(in, DEFAULT_MAX_LINE_CHARS, DEFAULT_MAX_EVENT_CHARS);
    }

    public SseReader(InputStream in, int maxLineChars, int maxEventChars) {
        if (maxLineChars <= 0 || maxEventChars <= 0) {
            throw new IllegalArgumentException("SSE limits must be > 0, got " + maxLineChars + " and " + maxEventChars);
        }
        // Malformed UTF-8 becomes U+FFFD, as the spec's "UTF-8 decode" does.
        this.in = new InputStreamReader(in, StandardCharsets.UTF_8);
        this.maxLineChars = maxLineChars;
        this.maxEventChars = maxEventChars;
    }

    /**
     * The next event, or empty at the end of the stream (a trailing event without its blank line is dropped).
     *
     * @throws WireException when a line or an event is over its limit
     * @throws IOException   when the connection fails
     */
    public Optional<SseEvent> next() throws IOException {
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        String type = "";
        String line;
        while ((line = readLine()) != null) {
            if (line.isEmpty()) {
                if (!hasData) {
                    type = "";   // spec: no data -> reset the buffers, dispatch nothing
                    continue;
                }
                return Optional.of(new SseEvent(type.isEmpty() ? SseEvent.MESSAGE : type, data.toString(), lastEventId));
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(line.length() > colon + 1 && line.charAt(colon + 1) == ' '
                    ? colon + 2 : colon + 1);
            switch (field) {
                case "data" -> {
                    if (hasData) {
                        data.append('\n');
                    }
                    if (data.length() + value.length() > maxEventChars) {
                        throw new WireException("A server-sent event is over " + maxEventChars + " characters of "
                                + "data; the stream was abandoned (a broken or hostile server)", null);
                    }
                    data.append(value);
                    hasData = true;
                }
                case "event" -> type = value;
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastEventId = value;
                    }
                }
                case "retry" -> {
                    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9') && value.length() < 19) {
                        retryMillis = OptionalLong.of(Long.parseLong(value));
                    }
                }
                default -> {
                    // unknown fields are ignored
                }
            }
        }
        return Optional.empty();
    }

    /** The last {@code retry:} value in milliseconds (the server's suggested reconnection delay), if any. */
    public OptionalLong retryMillis() {
        return retryMillis;
    }

    /** One line without its end, or null at the end of the stream (a last line without an end is returned). */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (pos == limit && !fill()) {
                return line.length() > 0 ? line.toString() : null;
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int start = pos;
            while (pos < limit && buf[pos] != '\n' && buf[pos] != '\r') {
                pos++;
            }
            if (line.length() + (pos - start) > maxLineChars) {
                throw new WireException("A server-sent event line is over " + maxLineChars + " characters; the stream "
                        + "was abandoned (a broken or hostile server)", null);
            }
            line.append(buf, start, pos - start);
            if (pos < limit) {
                skipLf = buf[pos] == '\r';   // CRLF is one line end, even split across two reads
                pos++;
                return line.toString();
            }
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        if (atStart) {
            atStart = false;
            if (buf[0] == '\uFEFF') {
                pos = 1;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
