package dev.asclepius.core.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each rule of the HTML standard's event stream interpretation, and the size limits. */
class SseReaderTest {

    private static List<SseEvent> read(String stream) throws IOException {
        return read(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<SseEvent> read(InputStream in) throws IOException {
        List<SseEvent> out = new ArrayList<>();
        try (SseReader r = new SseReader(in)) {
            Optional<SseEvent> e;
            while ((e = r.next()).isPresent()) {
                out.add(e.get());
            }
        }
        return out;
    }

    private static List<String> data(String stream) throws IOException {
        return read(stream).stream().map(SseEvent::data).toList();
    }

    @Test
    void multiLineDataIsJoinedWithLf() throws IOException {
        assertThat(data("data: first\ndata: second\ndata:third\n\n")).containsExactly("first\nsecond\nthird");
    }

    @Test
    void everyLineEndWorksAndMixes() throws IOException {
        assertThat(data("data: a\r\ndata: b\r\n\r\n")).containsExactly("a\nb");
        assertThat(data("data: a\rdata: b\r\r")).containsExactly("a\nb");
        assertThat(data("data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r")).containsExactly("a\nb\nc", "d");
    }

    @Test
    void crlfSplitAcrossReadsIsOneLineEnd() throws IOException {
        // One byte per read: the CR and its LF always arrive in different reads.
        byte[] bytes = "data: a\r\n\r\ndata: b\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            int i;

            @Override
            public int read() {
                return i < bytes.length ? bytes[i++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (i >= bytes.length) {
                    return -1;
                }
                b[off] = bytes[i++];
                return 1;
            }
        };
        assertThat(read(trickle)).extracting(SseEvent::data).containsExactly("a", "b");
    }

    @Test
    void blankLineDispatchesAndNoDataDispatchesNothing() throws IOException {
        assertThat(data("\n\n\ndata: x\n\n\n\n")).containsExactly("x");
        // An event: line without data is not dispatched, and its type does not leak into the next event.
        List<SseEvent> events = read("event: ping\n\ndata: y\n\n");
        assertThat(events).containsExactly(new SseEvent("message", "y", ""));
    }

    @Test
    void emptyDataLineDispatchesAnEmptyEvent() throws IOException {
        assertThat(data("data\n\n")).containsExactly("");
        assertThat(data("data:\ndata:\n\n")).containsExactly("\n");
    }

    @Test
    void commentsAreIgnored() throws IOException {
        assertThat(data(": keep-alive\ndata: a\n:another\n\n: trailing\n\n")).containsExactly("a");
    }

    @Test
    void onlyOneLeadingSpaceIsDropped() throws IOException {
        assertThat(data("data:  two spaces\n\ndata:none\n\n")).containsExactly(" two spaces", "none");
        assertThat(data("data: a: b\n\n")).as("only the first colon splits").containsExactly("a: b");
    }

    @Test
    void eventTypeAndIdAreReportedAndTheIdPersists() throws IOException {
        List<SseEvent> events = read("event: error\nid: 7\ndata: boom\n\ndata: next\n\nid\ndata: cleared\n\n");
        assertThat(events).containsExactly(new SseEvent("error", "boom", "7"), new SseEvent("message", "next", "7"),
                new SseEvent("message", "cleared", ""));
    }

    @Test
    void idWithNulIsIgnored() throws IOException {
        assertThat(read("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n")).extracting(SseEvent::lastEventId)
                .containsExactly("1", "1");
    }

    @Test
    void retryTakesOnlyDigitsAndUnknownFieldsAreIgnored() throws IOException {
        try (SseReader r = new SseReader(new ByteArrayInputStream(
                "retry: 1500\nfoo: bar\ndata: a\n\nretry: 2s\ndata: b\n\n".getBytes(StandardCharsets.UTF_8)))) {
            assertThat(r.next()).contains(SseEvent.message("a"));
            assertThat(r.retryMillis()).hasValue(1500);
            assertThat(r.next()).contains(SseEvent.message("b"));
            assertThat(r.retryMillis()).as("'2s' is not all digits: ignored").hasValue(1500);
            assertThat(r.next()).isEmpty();
        }
    }

    @Test
    void leadingBomIsSkippedOnceOnly() throws IOException {
        assertThat(data("\uFEFFdata: a\n\n")).containsExactly("a");
        // A second BOM is part of the line: the field name becomes "\uFEFFdata", unknown, ignored.
        assertThat(data("\uFEFF\uFEFFdata: a\n\n")).isEmpty();
    }

    @Test
    void anEventCutOffByTheEndOfTheStreamIsDiscarded() throws IOException {
        assertThat(data("data: whole\n\ndata: cut")).containsExactly("whole");
        assertThat(data("data: whole\n\ndata: cut\n")).containsExactly("whole");
    }

    @Test
    void doneIsAnOrdinaryEventTheCallerRecognises() throws IOException {
        List<SseEvent> events = read("data: {\"a\":1}\n\ndata: [DONE]\n\n");
        assertThat(events).extracting(SseEvent::isDone).containsExactly(false, true);
    }

    @Test
    void multiByteUtf8SplitAcrossReadsIsDecoded() throws IOException {
        String text = "température 37,5 °C – 血压";
        byte[] bytes = ("data: " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            int i;

            @Override
            public int read() {
                return i < bytes.length ? bytes[i++] & 0xff : -1;
            }
        };
        assertThat(read(trickle)).extracting(SseEvent::data).containsExactly(text);
    }

    @Test
    void aLineOverTheLimitIsRefusedWithoutReadingItAll() {
        // An endless line: the reader must stop at its limit instead of buffering forever.
        InputStream endless = new InputStream() {
            long served;

            @Override
            public int read() {
                served++;
                return 'x';
            }
        };
        SseReader r = new SseReader(endless, 1000, 100_000);
        assertThatThrownBy(r::next).isInstanceOf(WireException.class).hasMessageContaining("over 1000 characters");
    }

    @Test
    void anEventOverTheLimitIsRefused() {
        String line = "data: " + "y".repeat(90) + "\n";
        SseReader r = new SseReader(new ByteArrayInputStream((line.repeat(20) + "\n").getBytes(StandardCharsets.UTF_8)),
                1000, 1000);
        assertThatThrownBy(r::next).isInstanceOf(WireException.class).hasMessageContaining("over 1000 characters of data");
    }

    @Test
    void limitsAreInclusive() throws IOException {
        String exact = "data: " + "z".repeat(94);   // 100 characters
        SseReader r = new SseReader(new ByteArrayInputStream((exact + "\n\n").getBytes(StandardCharsets.UTF_8)), 100, 94);
        assertThat(r.next()).map(SseEvent::data).contains("z".repeat(94));
    }

    @Test
    void writerOutputReadsBackExactly() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SseWriter w = new SseWriter(out);
        List<String> payloads = List.of("plain", " leading space", "two\nlines", "cr\rand crlf\r\nend", "", "\n",
                "ünïcødé", ":not a comment");
        for (String p : payloads) {
            w.send(p);
        }
        w.comment("keep-alive");
        w.send(new SseEvent("error", "{\"error\":{}}", "42"));
        w.send(SseEvent.DONE);
        List<SseEvent> back = read(new ByteArrayInputStream(out.toByteArray()));
        List<String> expected = new ArrayList<>(payloads.stream()
                .map(p -> p.replace("\r\n", "\n").replace('\r', '\n')).toList());
        assertThat(back.subList(0, payloads.size())).extracting(SseEvent::data).containsExactlyElementsOf(expected);
        assertThat(back.get(payloads.size())).isEqualTo(new SseEvent("error", "{\"error\":{}}", "42"));
        assertThat(back.get(payloads.size() + 1).isDone()).isTrue();
        assertThat(back).hasSize(payloads.size() + 2);
    }

    @Test
    void writerFormatsAsTheSpecShows() {
        assertThat(SseWriter.data("a\nb")).isEqualTo("data: a\ndata: b\n\n");
        assertThat(SseWriter.event(new SseEvent("message", "x", ""))).isEqualTo("data: x\n\n");
        assertThat(SseWriter.event(new SseEvent("update", "x", "9"))).isEqualTo("event: update\nid: 9\ndata: x\n\n");
        assertThat(SseWriter.commentLine("hi")).isEqualTo(": hi\n");
        assertThatThrownBy(() -> SseWriter.event(new SseEvent("bad\ntype", "x", ""))).isInstanceOf(WireException.class);
        assertThatThrownBy(() -> SseWriter.event(new SseEvent("message", "x", "a\0b"))).isInstanceOf(WireException.class);
    }
}
