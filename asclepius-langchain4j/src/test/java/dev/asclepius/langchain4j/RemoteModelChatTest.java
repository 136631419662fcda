package dev.asclepius.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.remote.RemoteModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chat model over a {@link RemoteModel}: the Asclepius prompt goes to an OpenAI-compatible
 * {@code /v1/completions} endpoint (a loopback fake with a vLLM-shaped answer), and the server's counts and
 * finish reason come back in langchain4j's terms.
 */
class RemoteModelChatTest {
    private static final String NOTE = "Admitted with chest pain.\nDischarged on aspirin 81 mg.";
    private static final String QUESTION = "What medication was the patient discharged on?";

    private HttpServer server;
    private final List<JsonObject> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/v1/completions", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                requests.add(JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject());
            }
            byte[] body = ("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"starmpcc/Asclepius-7B\","
                    + "\"choices\":[{\"index\":0,\"text\":\" Aspirin 81 mg\",\"logprobs\":null,\"finish_reason\":\"length\","
                    + "\"stop_reason\":null,\"token_ids\":[319,1028,262,29947]}],"
                    + "\"usage\":{\"prompt_tokens\":118,\"completion_tokens\":4,\"total_tokens\":122}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theAsclepiusPromptGoesToTheServerAndItsUsageComesBack() {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (RemoteModel remote = RemoteModel.builder(uri, "starmpcc/Asclepius-7B").requestTokenIds(true).build()) {
            AsclepiusChatModel chat = AsclepiusChatModel.builder().model(remote).build();
            ChatResponse response = chat.chat(SystemMessage.from(NOTE), UserMessage.from(QUESTION));

            assertThat(requests).hasSize(1);
            assertThat(requests.get(0).get("prompt").getAsString()).isEqualTo(PromptTemplate.INFERENCE.format(NOTE, QUESTION));
            assertThat(requests.get(0).get("model").getAsString()).isEqualTo("starmpcc/Asclepius-7B");
            assertThat(requests.get(0).get("max_tokens").getAsInt()).isEqualTo(400);
            assertThat(response.aiMessage().text()).isEqualTo(" Aspirin 81 mg");
            assertThat(response.tokenUsage()).isEqualTo(new TokenUsage(118, 4, 122));
            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
            // A remote model is named as the server knows it.
            assertThat(response.metadata().modelName()).isEqualTo("starmpcc/Asclepius-7B");
        }
    }
}
