package dev.asclepius.core.internal.remote;

import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.wire.Choice;
import dev.asclepius.core.internal.wire.CompletionCodec;
import dev.asclepius.core.internal.wire.CompletionResponse;
import dev.asclepius.core.internal.wire.ErrorBody;
import dev.asclepius.core.internal.wire.SseEvent;
import dev.asclepius.core.internal.wire.SseReader;
import dev.asclepius.core.internal.wire.StopReason;
import dev.asclepius.core.internal.wire.StreamData;
import dev.asclepius.core.internal.wire.Usage;
import dev.asclepius.core.remote.RemoteStreamException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns an accepted (2xx) completions answer into a {@link GenerationResult}: one JSON response, or a stream of
 * server-sent events whose text deltas go to the listener in order. Malformed JSON reaches the caller as the
 * codec's {@code WireException} (the transport reports it as a malformed answer); a stream that ends early or
 * carries the server's error is a {@link RemoteStreamException}.
 *
 * <p>Token ids: the server's when it returns them; else the text re-encoded with the local tokenizer, when
 * there is one (approximate), plus the EOS or stop token the finish reason names; else none. Timing: a stream
 * splits prefill (to the first chunk) from decode (the rest); a whole response counts all as prefill.
 */
public final class CompletionReader {
    private final URI uri;
    private final Optional<TextTokenizer> tokenizer;

    public CompletionReader(URI uri, Optional<TextTokenizer> tokenizer) {
        this.uri = uri;
        this.tokenizer = tokenizer;
    }

    /** A non-streaming answer. */
    public GenerationResult readWhole(InputStream in, long startedNanos, boolean clamped) throws IOException {
        CompletionResponse r = CompletionCodec.readResponse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        long end = System.nanoTime();
        Accumulator acc = new Accumulator();
        acc.add(r.choices().get(0));
        r.usage().ifPresent(acc::usage);
        return acc.result(clamped, end - startedNanos, 0);
    }

    /** A streamed answer; each non-empty delta goes to {@code listener} on this thread. */
    public GenerationResult readStream(InputStream in, long startedNanos, TokenListener listener, boolean clamped)
            throws IOException {
        Accumulator acc = new Accumulator();
        long firstChunk = -1;
        boolean done = false;
        SseReader events = new SseReader(in);
        Optional<SseEvent> next;
        while ((next = events.next()).isPresent()) {
            SseEvent event = next.get();
            if (event.isDone()) {
                done = true;
                break;
            }
            StreamData data = CompletionCodec.readStreamData(event.data());
            if (data instanceof ErrorBody error) {
                throw new RemoteStreamException("The server at " + uri + " failed mid-stream: " + error.message()
                        + " (the text so far is incomplete; the request may be sent again)", uri, false, null);
            }
            CompletionResponse chunk = (CompletionResponse) data;
            if (firstChunk < 0) {
                firstChunk = System.nanoTime();
            }
            chunk.usage().ifPresent(acc::usage);
            Optional<Choice> choice = chunk.firstChoice();
            if (choice.isEmpty()) {
                continue; // the usage-only chunk
            }
            int before = acc.ids.size();
            String delta = acc.add(choice.get());
            if (!delta.isEmpty()) {
                listener.onToken(delta, acc.ids.size() > before ? acc.ids.get(acc.ids.size() - 1) : -1);
            }
        }
        if (!done && acc.finish.isEmpty()) {
            throw new RemoteStreamException("The stream from " + uri + " ended before its finish reason and [DONE]; "
                    + "the output so far is incomplete (the request may be sent again)", uri, false, null);
        }
        long end = System.nanoTime();
        long first = firstChunk < 0 ? end : firstChunk;
        return acc.result(clamped, first - startedNanos, end - first);
    }

    /** The parts of a completion, from one response or many stream chunks. */
    private final class Accumulator {
        final StringBuilder text = new StringBuilder();
        final List<Integer> ids = new ArrayList<>();
        boolean serverIds;
        Optional<String> finish = Optional.empty();
        Optional<StopReason> stopReason = Optional.empty();
        int promptTokens = -1;
        int completionTokens = -1;
        int cachedTokens;

        String add(Choice choice) {
            text.append(choice.text());
            choice.tokenIds().ifPresent(t -> {
                serverIds = true;
                ids.addAll(t);
            });
            if (choice.finishReason().isPresent()) {
                finish = choice.finishReason();
                stopReason = choice.stopReason();
            }
            return choice.text();
        }

        void usage(Usage u) {
            u.promptTokens().ifPresent(n -> promptTokens = n);
            u.completionTokens().ifPresent(n -> completionTokens = n);
            // OpenAI's shape; vLLM fills it with --enable-prompt-tokens-details, else sends null.
            u.cachedTokens().ifPresent(n -> cachedTokens = Math.max(0, n));
        }

        GenerationResult result(boolean clamped, long prefillNanos, long decodeNanos) {
            String out = text.toString();
            FinishReason reason = finishReason(clamped);
            List<Integer> tokenIds = ids;
            if (!serverIds && tokenizer.isPresent()) {
                TextTokenizer t = tokenizer.get();
                int[] enc = t.encode(out);
                int from = enc.length > 0 && enc[0] == t.bosId() ? 1 : 0;
                tokenIds = new ArrayList<>();
                for (int i = from; i < enc.length; i++) {
                    tokenIds.add(enc[i]);
                }
                if (reason == FinishReason.EOS) {
                    tokenIds.add(t.eosId());
                } else if (reason == FinishReason.STOP_TOKEN && stopReason.orElse(null) instanceof StopReason.Token s) {
                    tokenIds.add(s.id());
                }
            }
            int generated = completionTokens >= 0 ? completionTokens : tokenIds.size();
            int prompt = Math.max(promptTokens, 0);
            return new GenerationResult(out, tokenIds, reason, prompt, Duration.ofNanos(Math.max(prefillNanos, 0)),
                    Duration.ofNanos(Math.max(decodeNanos, 0)), Math.max(generated - 1, 0), Math.min(cachedTokens, prompt),
                    generated);
        }

        private FinishReason finishReason(boolean clamped) {
            if (finish.isEmpty() || finish.get().equals("length")) {
                return clamped ? FinishReason.CONTEXT_FULL : FinishReason.MAX_TOKENS;
            }
            if (stopReason.orElse(null) instanceof StopReason.Token s) {
                return tokenizer.isPresent() && s.id() == tokenizer.get().eosId() ? FinishReason.EOS : FinishReason.STOP_TOKEN;
            }
            if (stopReason.orElse(null) instanceof StopReason.Text) {
                return FinishReason.STOP_STRING;
            }
            return FinishReason.EOS; // "stop" with no named stop: the end-of-sequence token
        }
    }
}
