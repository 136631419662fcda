package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.cli.serve.CompletionServer;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.RemoteException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.remote.RemoteModel;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.TaskResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code asclepius serve} over a tiny random model, driven end to end by {@link RemoteModel} on loopback. */
class ServeRemoteTest {
    private static final String PROMPT = "The patient was admitted with chest pain and";
    private static final GenerationConfig GREEDY = GenerationConfig.builder().maxNewTokens(12).build();

    @TempDir
    static Path tmp;

    static Path modelDir;
    static LocalModel local;
    static RecordingModel recording;
    static CompletionServer server;
    static URI base;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Delegates to the local model and records how each generation ended (tokens seen, exception). */
    static final class RecordingModel implements LanguageModel {
        final LanguageModel delegate;
        final ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();

        RecordingModel(LanguageModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
            AtomicInteger tokens = new AtomicInteger();
            try {
                GenerationResult r = delegate.generate(promptIds, config, (d, id) -> {
                    tokens.incrementAndGet();
                    listener.onToken(d, id);
                });
                outcomes.add("ok " + tokens.get());
                return r;
            } catch (RuntimeException e) {
                outcomes.add(e.getClass().getSimpleName() + " " + tokens.get());
                throw e;
            }
        }

        @Override
        public GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
            return generate(delegate.tokenizer().orElseThrow().encode(prompt), config, listener);
        }

        @Override
        public java.util.Optional<TextTokenizer> tokenizer() {
            return delegate.tokenizer();
        }

        @Override
        public ModelInfo info() {
            return delegate.info();
        }

        @Override
        public void close() {
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        modelDir = tmp.resolve("tiny");
        RandomModelWriter.write(modelDir, RandomModelSpec.tiny());
        local = LocalModel.load(modelDir);
        recording = new RecordingModel(local);
        server = CompletionServer.builder(recording, "tiny").workers(8).start();
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        server.close();
        // Not while a batch's last bookkeeping runs (the close race of issue 11, "Engine").
        local.awaitIdle(java.time.Duration.ofSeconds(30));
        local.close();
    }

    private static RemoteModel remote() {
        return RemoteModel.builder(base, "tiny").requestTokenIds(true).maxRetries(0).build();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject error(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonObject e = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("error");
        assertThat(e.keySet()).contains("message", "type", "param", "code");
        return e;
    }

    @Test
    void greedyRemoteEqualsLocal() {
        GenerationResult expected = local.generate(PROMPT, GREEDY);
        try (RemoteModel model = remote()) {
            GenerationResult r = model.generate(PROMPT, GREEDY);
            assertThat(r.text()).isEqualTo(expected.text());
            assertThat(r.tokenIds()).isEqualTo(expected.tokenIds());
            assertThat(r.finishReason()).isEqualTo(expected.finishReason());
            assertThat(r.promptTokens()).isEqualTo(expected.promptTokens());

            int[] ids = local.tokenizer().orElseThrow().encode(PROMPT);
            GenerationResult byIds = model.generate(ids, GREEDY);
            assertThat(byIds.tokenIds()).isEqualTo(expected.tokenIds());
        }
    }

    @Test
    void streamingDeliversTheSameText() {
        GenerationResult expected = local.generate(PROMPT, GREEDY);
        StringBuilder streamed = new StringBuilder();
        List<String> deltas = new ArrayList<>();
        try (RemoteModel model = remote()) {
            GenerationResult r = model.generate(PROMPT, GREEDY, (d, id) -> {
                streamed.append(d);
                deltas.add(d);
            });
            assertThat(r.text()).isEqualTo(expected.text());
            assertThat(streamed.toString()).isEqualTo(expected.text());
            assertThat(r.tokenIds()).isEqualTo(expected.tokenIds());
            assertThat(r.promptTokens()).isEqualTo(expected.promptTokens());
            assertThat(r.finishReason()).isEqualTo(expected.finishReason());
        }
        assertThat(deltas).isNotEmpty();
    }

    @Test
    void concurrentRequestsFromFourThreadsAllSucceed() throws Exception {
        GenerationResult expected = local.generate(PROMPT, GREEDY);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (RemoteModel model = remote()) {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean stream = i % 2 == 0;
                futures.add(pool.submit(() -> stream ? model.generate(PROMPT, GREEDY, (d, id) -> { })
                        : model.generate(PROMPT, GREEDY)));
            }
            for (Future<GenerationResult> f : futures) {
                assertThat(f.get().text()).isEqualTo(expected.text());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void clientDisconnectingMidStreamDoesNotStallTheNext() throws Exception {
        recording.outcomes.clear();
        String body = "{\"model\":\"tiny\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":2000,\"temperature\":0,"
                + "\"ignore_eos\":true,\"stream\":true}";
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                // headers, chunk sizes
            }
            assertThat(line).startsWith("data: ");
        } // closed mid-stream
        long start = System.nanoTime();
        try (RemoteModel model = remote()) {
            assertThat(model.generate(PROMPT, GREEDY).text()).isEqualTo(local.generate(PROMPT, GREEDY).text());
        }
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        String aborted = recording.outcomes.peek();
        assertThat(aborted).as("the abandoned stream's generation was stopped early; then the next ran (%d ms)", waitedMs)
                .startsWith("ClientGone");
        assertThat(Integer.parseInt(aborted.split(" ")[1])).isLessThan(2000);
    }

    @Test
    void modelsAndHealthAnswer() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JsonParser.parseString(health.body()).getAsJsonObject().get("status").getAsString()).isEqualTo("ok");
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(base.resolve("/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        HttpResponse<String> models = get("/v1/models");
        assertThat(models.statusCode()).isEqualTo(200);
        JsonObject m = JsonParser.parseString(models.body()).getAsJsonObject();
        assertThat(m.get("object").getAsString()).isEqualTo("list");
        JsonObject first = m.getAsJsonArray("data").get(0).getAsJsonObject();
        assertThat(first.get("id").getAsString()).isEqualTo("tiny");
        assertThat(first.get("object").getAsString()).isEqualTo("model");
        assertThat(first.get("max_model_len").getAsInt()).isEqualTo(2048);
    }

    @Test
    void rawStreamEndsWithDoneAndUsage() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":4,"
                + "\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        JsonObject usage = JsonParser.parseString(events.get(events.size() - 2)).getAsJsonObject().getAsJsonObject("usage");
        assertThat(usage.get("completion_tokens").getAsInt()).isEqualTo(4);
        JsonObject last = JsonParser.parseString(events.get(events.size() - 3)).getAsJsonObject();
        assertThat(last.getAsJsonArray("choices").get(0).getAsJsonObject().get("finish_reason").getAsString())
                .isEqualTo("length");
    }

    @Test
    void aRepeatedLongPromptReportsItsCachedTokensThroughTheWire() {
        // Long enough for the prefix cache (64+ tokens); the second request reuses all but its last token.
        String note = "The patient was admitted with chest pain and shortness of breath, troponin rising. ".repeat(6);
        try (RemoteModel model = remote()) {
            GenerationConfig config = GenerationConfig.greedy().toBuilder().maxNewTokens(2).build();
            GenerationResult first = model.generate(note, config);
            GenerationResult second = model.generate(note, config);
            assertThat(first.promptTokens()).isGreaterThan(64);
            assertThat(second.cachedPromptTokens()).isEqualTo(second.promptTokens() - 1);
            assertThat(second.text()).isEqualTo(first.text());
        }
    }

    @Test
    void badRequestsGetOpenAiStyleErrors() throws Exception {
        HttpResponse<String> missing = post("/v1/completions", "{\"model\":\"tiny\",\"max_tokens\":4}");
        assertThat(missing.statusCode()).isEqualTo(400);
        JsonObject e = error(missing);
        assertThat(e.get("type").getAsString()).isEqualTo("invalid_request_error");
        assertThat(e.get("param").getAsString()).isEqualTo("prompt");

        HttpResponse<String> badType = post("/v1/completions", "{\"prompt\":42}");
        assertThat(badType.statusCode()).isEqualTo(400);
        assertThat(error(badType).get("param").getAsString()).isEqualTo("prompt");

        HttpResponse<String> badTemperature = post("/v1/completions", "{\"prompt\":\"x\",\"temperature\":\"hot\"}");
        assertThat(badTemperature.statusCode()).isEqualTo(400);
        assertThat(error(badTemperature).get("param").getAsString()).isEqualTo("temperature");

        HttpResponse<String> notJson = post("/v1/completions", "{prompt:");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(error(notJson).get("message").getAsString()).contains("not valid JSON");

        HttpResponse<String> badValue = post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":0}");
        assertThat(badValue.statusCode()).isEqualTo(400);
        assertThat(error(badValue).get("message").getAsString()).contains("maxNewTokens");

        HttpResponse<String> wrongModel = post("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"x\"}");
        assertThat(wrongModel.statusCode()).isEqualTo(404);
        assertThat(error(wrongModel).get("message").getAsString()).contains("gpt-4");

        StringBuilder ids = new StringBuilder("[1");
        for (int i = 0; i < 2100; i++) {
            ids.append(",450");
        }
        HttpResponse<String> tooLong = post("/v1/completions", "{\"prompt\":" + ids + "],\"stream\":true}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(error(tooLong).get("message").getAsString()).contains("maximum context length is 2048 tokens");

        HttpResponse<String> unknown = get("/v1/chat/nothing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        error(unknown);

        HttpResponse<String> wrongMethod = get("/v1/completions");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
        error(wrongMethod);
    }

    @Test
    void overLongPromptBecomesContextLengthExceededRemotely() {
        int[] ids = new int[2100];
        java.util.Arrays.fill(ids, 450);
        ids[0] = 1;
        try (RemoteModel model = remote()) {
            assertThatThrownBy(() -> model.generate(ids, GREEDY))
                    .isInstanceOfSatisfying(ContextLengthExceededException.class, e -> {
                        assertThat(e.contextLength()).isEqualTo(2048);
                        assertThat(e.promptTokens()).isEqualTo(2100);
                    });
        }
        // With a local tokenizer the client checks before sending.
        try (RemoteModel model = RemoteModel.builder(base, "tiny").tokenizer(modelDir).build()) {
            assertThatThrownBy(() -> model.generate(ids, GREEDY)).isInstanceOf(ContextLengthExceededException.class);
            assertThat(model.tokenizer().orElseThrow().eosId()).isEqualTo(local.tokenizer().orElseThrow().eosId());
        }
    }

    @Test
    void apiKeyIsEnforcedAndSent() throws Exception {
        try (CompletionServer secured = CompletionServer.builder(local, "tiny").workers(2).apiKey("sk-secret").start()) {
            URI uri = URI.create("http://127.0.0.1:" + secured.port());
            try (RemoteModel wrong = RemoteModel.builder(uri, "tiny").apiKey("sk-wrong").build()) {
                assertThatThrownBy(() -> wrong.generate(PROMPT, GREEDY))
                        .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.status()).isEqualTo(401))
                        .hasMessageContaining("API key");
            }
            try (RemoteModel right = RemoteModel.builder(uri, "tiny").apiKey("sk-secret").build()) {
                assertThat(right.generate(PROMPT, GREEDY).text()).isEqualTo(local.generate(PROMPT, GREEDY).text());
            }
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(uri.resolve("/health")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as("health needs no key").isEqualTo(200);
        }
    }

    @Test
    void typedTasksRunUnchangedAndConcurrentlyOnARemoteModel() throws Exception {
        ClinicalNote note = ClinicalNote.of("The patient was admitted with chest pain. Aspirin was started.");
        GenerationConfig generation = GenerationConfig.builder().maxNewTokens(8).build();
        String expected;
        try (AsclepiusClient localClient = AsclepiusClient.builder().model(local).generation(generation).build()) {
            expected = localClient.ask(note, "What was started?").rawResponse();
        }
        try (AsclepiusClient client = AsclepiusClient.builder().remote(base, "tiny").generation(generation).build()) {
            List<CompletableFuture<TaskResult<Answer>>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(client.async(c -> c.ask(note, "What was started?")));
            }
            for (CompletableFuture<TaskResult<Answer>> f : futures) {
                assertThat(f.get().rawResponse()).isEqualTo(expected);
            }
            assertThat(client.model()).isInstanceOf(RemoteModel.class);
        }
    }

    @Test
    void serveCommandStartsAnswersAndStopsOnInterrupt() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(AsclepiusCli.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "serve", "--model", modelDir.toString(), "--port", "0", "--served-model-name", "tiny-cli")));
        t.start();
        Pattern listening = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/v1");
        Matcher m = listening.matcher("");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(m = listening.matcher(out.toString())).find()) {
            assertThat(t.isAlive()).as("serve exited early: %s %s", out, err).isTrue();
            assertThat(System.nanoTime()).as("serve did not start: %s %s", out, err).isLessThan(deadline);
            Thread.sleep(20);
        }
        URI uri = URI.create("http://127.0.0.1:" + m.group(1));
        try (RemoteModel model = RemoteModel.builder(uri, "tiny-cli").build()) {
            assertThat(model.generate(PROMPT, GREEDY).text()).isEqualTo(local.generate(PROMPT, GREEDY).text());
        }
        t.interrupt();
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(code.get()).as("%s %s", out, err).isZero();
        assertThat(out.toString()).contains("Serving tiny-cli").contains("Stopped.");
    }

    @Test
    void runCommandWithRemoteAsksTheServer() throws Exception {
        Path note = tmp.resolve("note.txt");
        java.nio.file.Files.writeString(note, "The patient was admitted with chest pain. Aspirin was started.");
        Cli remoteRun = Cli.run("run", "--remote", base.toString(), "--model", "tiny", "--task", "ask", "--question",
                "What was started?", "--note", note.toString(), "--max-new-tokens", "4", "--json");
        assertThat(remoteRun.exitCode()).as(remoteRun.toString()).isZero();
        Cli localRun = Cli.run("run", "--model", modelDir.toString(), "--task", "ask", "--question",
                "What was started?", "--note", note.toString(), "--max-new-tokens", "4", "--json");
        assertThat(localRun.exitCode()).as(localRun.toString()).isZero();
        JsonObject remote = JsonParser.parseString(remoteRun.out()).getAsJsonObject();
        JsonObject localJson = JsonParser.parseString(localRun.out()).getAsJsonObject();
        assertThat(remote.get("value")).isEqualTo(localJson.get("value"));
    }
}
