package dev.asclepius.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.ModelSource;
import dev.asclepius.core.TokenListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RemoteModel's wire format, against a loopback server that replays vLLM response bodies
 * ({@code fixtures/vllm/*.http}) and records what the client sent.
 */
class RemoteModelWireTest {
    private static final String MODEL = "starmpcc/Asclepius-7B";
    private static final String PROMPT = "You are an intelligent clinical languge model.\n[Instruction End] ";

    /** One canned response: status, headers, body, and a delay before it is sent. */
    record Canned(int status, Map<String, String> headers, String body, long delayMs) {
        static Canned fixture(String name) {
            try (InputStream in = Objects.requireNonNull(
                    RemoteModelWireTest.class.getResourceAsStream("/fixtures/vllm/" + name), name)) {
                String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int headEnd = raw.indexOf("\n\n");
                int crlfEnd = raw.indexOf("\r\n\r\n");
                int bodyStart;
                String head;
                if (crlfEnd >= 0 && (headEnd < 0 || crlfEnd < headEnd)) {
                    head = raw.substring(0, crlfEnd);
                    bodyStart = crlfEnd + 4;
                } else {
                    head = raw.substring(0, headEnd);
                    bodyStart = headEnd + 2;
                }
                String[] lines = head.split("\r?\n");
                int status = Integer.parseInt(lines[0].split(" ")[1]);
                Map<String, String> headers = new java.util.LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
                }
                return new Canned(status, headers, raw.substring(bodyStart), 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static Canned status(int status, String body) {
            return new Canned(status, Map.of("content-type", "application/json"), body, 0);
        }

        Canned delayed(long ms) {
            return new Canned(status, headers, body, ms);
        }
    }

    /** A recorded request: headers of interest and the JSON body. */
    record Seen(String path, String authorization, JsonObject body, long atNanos) {
    }

    private HttpServer server;
    private final ConcurrentLinkedQueue<Canned> script = new ConcurrentLinkedQueue<>();
    private Supplier<Canned> fallback = () -> Canned.status(500, "{\"error\":{\"message\":\"script ran out\"}}");
    private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::replay);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void replay(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"),
                    JsonParser.parseString(body).getAsJsonObject(), System.nanoTime()));
            Canned c = script.poll();
            if (c == null) {
                c = fallback.get();
            }
            if (c.delayMs() > 0) {
                Thread.sleep(c.delayMs());
            }
            c.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            byte[] bytes = c.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(c.status(), bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private RemoteModel.Builder client() {
        return RemoteModel.builder(base(), MODEL).apiKey("sk-test").backoff(Duration.ofMillis(10), Duration.ofMillis(50));
    }

    @Test
    void nonStreamingCompletionIsParsedAndTheRequestIsExact() {
        script.add(Canned.fixture("completion.http"));
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(200).stopStrings(List.of("\n\n")).build();
        try (RemoteModel model = client().build()) {
            GenerationResult r = model.generate(PROMPT, config);
            assertThat(r.text()).isEqualTo(" The patient was discharged on metoprolol 25 mg twice daily and lisinopril 10 mg daily.");
            assertThat(r.finishReason()).isEqualTo(FinishReason.EOS);
            assertThat(r.promptTokens()).isEqualTo(187);
            assertThat(r.decodeSteps()).isEqualTo(23);
            assertThat(r.tokenIds()).as("no ids from the server and no local tokenizer").isEmpty();
        }
        Seen s = seen.get(0);
        assertThat(s.path()).isEqualTo("/v1/completions");
        assertThat(s.authorization()).isEqualTo("Bearer sk-test");
        JsonObject expected = JsonParser.parseString("{\"model\":\"starmpcc/Asclepius-7B\",\"prompt\":"
                + new com.google.gson.Gson().toJson(PROMPT) + ",\"max_tokens\":200,\"temperature\":0.0,\"top_p\":1.0,"
                + "\"stop\":[\"\\n\\n\"],\"stream\":false}").getAsJsonObject();
        assertThat(s.body()).isEqualTo(expected);
    }

    @Test
    void beamSearchIsRefusedBeforeAnythingIsSent() {
        GenerationConfig beams = GenerationConfig.builder().maxNewTokens(8).numBeams(3).build();
        try (RemoteModel model = client().build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, beams))
                    .isInstanceOf(dev.asclepius.core.InvalidInputException.class)
                    .hasMessageContaining("numBeams(3)").hasMessageContaining("LocalModel");
        }
        assertThat(seen).as("nothing sent").isEmpty();
    }

    @Test
    void baseUriWithV1AndTrailingSlashIsAccepted() {
        script.add(Canned.fixture("completion.http"));
        try (RemoteModel model = RemoteModel.builder(URI.create(base() + "/v1/"), MODEL).build()) {
            assertThat(model.completionsUri().toString()).isEqualTo(base() + "/v1/completions");
            model.generate(PROMPT, GenerationConfig.greedy());
        }
        assertThat(seen.get(0).path()).isEqualTo("/v1/completions");
    }

    @Test
    void streamingDeliversDeltasInOrderAndMapsTheStopString() {
        script.add(Canned.fixture("completion-stream.http"));
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(64).temperature(0.7f).topK(40).topP(0.9f)
                .repetitionPenalty(1.1f).seed(7).stopStrings(List.of("\n\n")).stopTokenIds(java.util.Set.of(2))
                .ignoreEos(true).cacheScope("team-a").build();
        List<String> deltas = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        GenerationResult r;
        try (RemoteModel model = client().build()) {
            r = model.generate(PROMPT, config, (d, id) -> {
                deltas.add(d);
                ids.add(id);
            });
        }
        assertThat(deltas).containsExactly(" The", " patient", " was", " discharged", " home", ".");
        assertThat(ids).containsOnly(-1);
        assertThat(r.text()).isEqualTo(String.join("", deltas));
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_STRING);
        assertThat(r.promptTokens()).isEqualTo(187);
        assertThat(r.decodeSteps()).isEqualTo(6);
        JsonObject body = seen.get(0).body();
        assertThat(body.get("stream").getAsBoolean()).isTrue();
        assertThat(body.getAsJsonObject("stream_options").get("include_usage").getAsBoolean()).isTrue();
        assertThat(body.get("top_k").getAsInt()).isEqualTo(40);
        assertThat(body.get("top_p").getAsFloat()).isEqualTo(0.9f);
        assertThat(body.get("temperature").getAsFloat()).isEqualTo(0.7f);
        assertThat(body.get("repetition_penalty").getAsFloat()).isEqualTo(1.1f);
        assertThat(body.get("seed").getAsLong()).isEqualTo(7);
        assertThat(body.get("stop_token_ids").toString()).isEqualTo("[2]");
        assertThat(body.get("ignore_eos").getAsBoolean()).isTrue();
        assertThat(body.get("max_tokens").getAsInt()).isEqualTo(64);
        assertThat(body.get("cache_salt").getAsString()).as("a cache scope travels as vLLM's cache_salt")
                .isEqualTo("team-a");
    }

    @Test
    void tokenIdPromptIsSentAsAnArrayAndServerIdsAndStopTokenAreUsed() {
        script.add(Canned.status(200, "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\""
                + MODEL + "\",\"choices\":[{\"index\":0,\"text\":\" Hello\",\"logprobs\":null,\"finish_reason\":\"stop\","
                + "\"stop_reason\":13,\"token_ids\":[15043,13]}],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":5,"
                + "\"completion_tokens\":2}}"));
        try (RemoteModel model = client().requestTokenIds(true).build()) {
            GenerationResult r = model.generate(new int[] {1, 450, 16500}, GenerationConfig.greedy());
            assertThat(r.tokenIds()).containsExactly(15043, 13);
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_TOKEN);
            assertThat(r.promptTokens()).isEqualTo(3);
        }
        JsonObject body = seen.get(0).body();
        assertThat(body.get("prompt").toString()).isEqualTo("[1,450,16500]");
        assertThat(body.get("return_token_ids").getAsBoolean()).isTrue();
        assertThat(body.has("top_k")).as("off values are not sent").isFalse();
        assertThat(body.has("repetition_penalty")).isFalse();
        assertThat(body.has("ignore_eos")).isFalse();
        assertThat(body.has("seed")).isFalse();
        assertThat(body.has("cache_salt")).as("the shared scope sends no salt").isFalse();
    }

    @Test
    void cachedPromptTokensComeFromTheUsageDetailsWhenTheServerSendsThem() {
        // vLLM with --enable-prompt-tokens-details; without it the details are null.
        script.add(Canned.status(200, "{\"choices\":[{\"index\":0,\"text\":\"abc\",\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":4,\"total_tokens\":44,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":32}}}"));
        script.add(Canned.status(200, "{\"choices\":[{\"index\":0,\"text\":\"abc\",\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":4,\"prompt_tokens_details\":null}}"));
        try (RemoteModel model = client().build()) {
            assertThat(model.generate(PROMPT, GenerationConfig.greedy()).cachedPromptTokens()).isEqualTo(32);
            assertThat(model.generate(PROMPT, GenerationConfig.greedy()).cachedPromptTokens()).isZero();
        }
    }

    @Test
    void lengthIsMaxTokens() {
        script.add(Canned.status(200, "{\"choices\":[{\"index\":0,\"text\":\"abc\",\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4}}"));
        try (RemoteModel model = client().build()) {
            assertThat(model.generate(PROMPT, GenerationConfig.greedy()).finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
        }
    }

    @Test
    void contextLength400BecomesContextLengthExceeded() {
        script.add(Canned.fixture("error-context-length.http"));
        try (RemoteModel model = client().build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(ContextLengthExceededException.class, e -> {
                        assertThat(e.contextLength()).isEqualTo(2048);
                        assertThat(e.promptTokens()).isEqualTo(2165);
                        assertThat(e.getMessage()).contains("maximum context length is 2048 tokens");
                    });
        }
        assertThat(seen).as("a 400 is not retried").hasSize(1);
    }

    @Test
    void other400IsABadRequestWithTheServersMessage() {
        script.add(Canned.status(400, "{\"error\":{\"message\":\"temperature must be non-negative\",\"type\":"
                + "\"invalid_request_error\",\"param\":\"temperature\",\"code\":null}}"));
        try (RemoteModel model = client().build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteBadRequestException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.isRetryable()).isFalse();
                        assertThat(e.param()).contains("temperature");
                    })
                    .hasMessageContaining("HTTP 400").hasMessageContaining("temperature must be non-negative");
        }
    }

    @Test
    void unauthorizedIsAClearAuthError() {
        script.add(Canned.status(401, "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":"
                + "\"authentication_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));
        try (RemoteModel model = client().build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteAuthenticationException.class, e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessageContaining("rejected the API key").hasMessageContaining("OPENAI_API_KEY")
                    .hasMessageContaining("Incorrect API key provided");
        }
        assertThat(seen).hasSize(1);
    }

    @Test
    void rateLimitHonoursRetryAfterThenSucceeds() {
        script.add(Canned.fixture("rate-limited-429.http"));
        script.add(Canned.fixture("completion.http"));
        try (RemoteModel model = client().build()) {
            assertThat(model.generate(PROMPT, GenerationConfig.greedy()).promptTokens()).isEqualTo(187);
        }
        assertThat(seen).hasSize(2);
        long waitedMs = (seen.get(1).atNanos() - seen.get(0).atNanos()) / 1_000_000;
        assertThat(waitedMs).as("Retry-After: 1 beats the 10 ms backoff").isGreaterThanOrEqualTo(900);
        assertThat(seen.get(1).body()).isEqualTo(seen.get(0).body());
    }

    @Test
    void serverErrorsAreRetriedThenSucceed() {
        script.add(Canned.status(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        script.add(Canned.status(500, "Internal Server Error"));
        script.add(Canned.fixture("completion.http"));
        try (RemoteModel model = client().maxRetries(2).build()) {
            assertThat(model.generate(PROMPT, GenerationConfig.greedy()).finishReason()).isEqualTo(FinishReason.EOS);
        }
        assertThat(seen).hasSize(3);
    }

    @Test
    void givesUpAfterMaxRetriesNamingUrlAndStatus() {
        fallback = () -> Canned.status(503, "{\"error\":{\"message\":\"engine overloaded\"}}");
        try (RemoteModel model = client().maxRetries(2).build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteOverloadedException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.isRetryable()).isTrue();
                        assertThat(e.uri()).isEqualTo(model.completionsUri());
                    })
                    .hasMessageContaining(model.completionsUri().toString()).hasMessageContaining("3 attempt(s)")
                    .hasMessageContaining("HTTP 503").hasMessageContaining("engine overloaded");
        }
        assertThat(seen).hasSize(3);
    }

    @Test
    void connectionRefusedIsRetriedThenReported() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (RemoteModel model = RemoteModel.builder(URI.create("http://127.0.0.1:" + port), MODEL).maxRetries(1)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(10)).build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteConnectionException.class, e -> {
                        assertThat(e.status()).isEqualTo(-1);
                        assertThat(e.timedOut()).isFalse();
                    })
                    .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("2 attempt(s)");
        }
    }

    @Test
    void requestTimeoutIsReported() {
        script.add(Canned.fixture("completion.http").delayed(1500));
        try (RemoteModel model = client().requestTimeout(Duration.ofMillis(200)).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteConnectionException.class, e -> assertThat(e.timedOut()).isTrue())
                    .hasMessageContaining("within").hasMessageContaining("timeout");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1400);
        }
    }

    @Test
    void concurrencyLimitCapsRequestsInFlight() throws Exception {
        fallback = () -> Canned.fixture("completion.http").delayed(100);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (RemoteModel model = client().maxConcurrency(2).build()) {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(pool.submit(() -> model.generate(PROMPT, GenerationConfig.greedy())));
            }
            for (Future<GenerationResult> f : futures) {
                assertThat(f.get().promptTokens()).isEqualTo(187);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(seen).hasSize(6);
        assertThat(maxInFlight.get()).isBetween(1, 2);
    }

    @Test
    void tokenizerIsEmptyWithoutOneConfigured() {
        try (RemoteModel model = client().build()) {
            assertThat(model.tokenizer()).isEmpty();
            assertThat(model.tokenizer()).isEmpty();
            assertThat(model.info().contextLength()).isEqualTo(RemoteModel.DEFAULT_CONTEXT_LENGTH);
        }
    }

    @Test
    void closedModelRefusesCalls() {
        RemoteModel model = client().build();
        model.close();
        assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy())).isInstanceOf(ModelClosedException.class);
        assertThat(seen).isEmpty();
    }

    private static Canned sse(String events) {
        return new Canned(200, Map.of("content-type", "text/event-stream"), events, 0);
    }

    private static String chunk(String text, String finish) {
        return "{\"choices\":[{\"index\":0,\"text\":\"" + text + "\",\"finish_reason\":" + finish + "}]}";
    }

    @Test
    void typedErrorsSayWhetherToRetry() {
        script.add(Canned.status(404, "{\"error\":{\"message\":\"The model `x` does not exist.\"}}"));
        script.add(Canned.status(403, "{\"error\":{\"message\":\"forbidden\"}}"));
        script.add(Canned.status(422, "{\"detail\":\"top_p must be in (0, 1]\"}"));
        try (RemoteModel model = client().maxRetries(0).build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteNotFoundException.class, e -> assertThat(e.isRetryable()).isFalse())
                    .hasMessageContaining("does not exist").hasMessageContaining(MODEL);
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteAuthenticationException.class, e -> assertThat(e.isRetryable()).isFalse());
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteBadRequestException.class, e -> {
                        assertThat(e.status()).isEqualTo(422);
                        assertThat(e.param()).isEmpty();
                    })
                    .hasMessageContaining("top_p must be in (0, 1]");
        }
        assertThat(seen).as("no 4xx is retried").hasSize(3);
    }

    @Test
    void exhaustedRetriesAreOverloadedOrServerErrorsWithTheLastRetryAfter() {
        script.add(new Canned(429, Map.of("Retry-After", "0"), "{\"error\":{\"message\":\"slow down\"}}", 0));
        script.add(new Canned(429, Map.of("Retry-After", "0"), "{\"error\":{\"message\":\"slow down\"}}", 0));
        script.add(Canned.status(502, "Bad Gateway"));
        script.add(Canned.status(500, "boom"));
        try (RemoteModel model = client().maxRetries(1).build()) {
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteOverloadedException.class, e -> {
                        assertThat(e.status()).isEqualTo(429);
                        assertThat(e.isRetryable()).isTrue();
                        assertThat(e.retryAfter()).contains(Duration.ZERO);
                    }).hasMessageContaining("rate limiting").hasMessageContaining("slow down");
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteServerException.class, e -> {
                        assertThat(e.status()).isEqualTo(500);
                        assertThat(e.isRetryable()).isTrue();
                    }).hasMessageContaining("2 attempt(s)").hasMessageContaining("HTTP 500: boom");
        }
        assertThat(seen).hasSize(4);
    }

    @Test
    void multiLineSseEventsAreJoinedAsTheSpecSays() {
        // A server may split one JSON chunk over several data: lines (legal SSE); CRLF line ends and comments too.
        script.add(sse(": keep-alive\r\ndata: {\"choices\":[{\"index\":0,\r\ndata: \"text\":\" Metoprolol\",\r\n"
                + "data: \"finish_reason\":null}]}\r\n\r\n"
                + "data: " + chunk(" 25 mg", "\"length\"") + "\r\n\r\ndata: [DONE]\r\n\r\n"));
        List<String> deltas = new ArrayList<>();
        try (RemoteModel model = client().build()) {
            GenerationResult r = model.generate(PROMPT, GenerationConfig.greedy(), (d, id) -> deltas.add(d));
            assertThat(r.text()).isEqualTo(" Metoprolol 25 mg");
            assertThat(r.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
        }
        assertThat(deltas).containsExactly(" Metoprolol", " 25 mg");
    }

    @Test
    void brokenOrFailingStreamsAreStreamErrorsAndNotRetried() {
        script.add(sse("data: " + chunk(" The", "null") + "\n\n"));   // ends without finish reason or [DONE]
        script.add(sse("data: " + chunk(" The", "null") + "\n\ndata: {\"error\":{\"message\":\"CUDA out of memory\","
                + "\"type\":\"server_error\"}}\n\n"));
        script.add(sse("data: {not json}\n\n"));
        script.add(Canned.status(200, "{\"choices\":[]}"));
        try (RemoteModel model = client().build()) {
            TokenListener ignore = (d, id) -> { };
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy(), ignore))
                    .isInstanceOfSatisfying(RemoteStreamException.class, e -> {
                        assertThat(e.isRetryable()).isTrue();
                        assertThat(e.malformed()).isFalse();
                    }).hasMessageContaining("ended before its finish reason");
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy(), ignore))
                    .isInstanceOf(RemoteStreamException.class).hasMessageContaining("CUDA out of memory");
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy(), ignore))
                    .isInstanceOfSatisfying(RemoteStreamException.class, e -> {
                        assertThat(e.malformed()).isTrue();
                        assertThat(e.isRetryable()).isFalse();
                    }).hasMessageContaining("Unreadable response");
            assertThatThrownBy(() -> model.generate(PROMPT, GenerationConfig.greedy()))
                    .isInstanceOfSatisfying(RemoteStreamException.class, e -> assertThat(e.malformed()).isTrue())
                    .hasMessageContaining("no choices");
        }
        assertThat(seen).as("an accepted answer is never retried").hasSize(4);
    }

    @Test
    void remoteInfoIsHonest() {
        try (RemoteModel model = client().contextLength(4096).build()) {
            ModelInfo info = model.info();
            assertThat(info.contextLength()).isEqualTo(4096);
            assertThat(info.modelType()).isEqualTo("remote");
            assertThat(info.source()).isEqualTo(new ModelSource.Remote(model.completionsUri(), MODEL));
            assertThat(info.source().name()).isEqualTo(MODEL);
            assertThat(info.shape()).as("the server knows its shape, this client does not").isEmpty();
            assertThat(info.vocabSize()).as("no local tokenizer").isEmpty();
            assertThat(info.device()).isEmpty();
            assertThat(info.computeType()).isEmpty();
        }
    }
}
