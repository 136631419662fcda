package dev.asclepius.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.V;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming chat model through an AI service's TokenStream and directly, on a tiny random-weight model. */
class AsclepiusStreamingChatModelTest {
    private static final String NOTE = "Pt admitted with CHF exacerbation.\nDischarged on furosemide 40 mg daily.";
    private static final String QUESTION = "What is the discharge medication?";
    private static final GenerationConfig CONFIG = GenerationConfig.builder().maxNewTokens(24).build();

    @TempDir
    static Path dir;

    static LocalModel tiny;
    static RecordingModel model;

    @BeforeAll
    static void load() {
        RandomModelWriter.write(dir, RandomModelSpec.tiny());
        tiny = LocalModel.load(dir);
        model = new RecordingModel(tiny);
    }

    @AfterAll
    static void close() {
        if (tiny != null) {
            tiny.close();
        }
    }

    interface StreamingAssistant {
        @dev.langchain4j.service.SystemMessage("{{note}}")
        @dev.langchain4j.service.UserMessage("{{question}}")
        TokenStream ask(@V("note") String note, @V("question") String question);
    }

    private static String authorsPrompt() throws IOException {
        try (InputStream in = AsclepiusStreamingChatModelTest.class.getResourceAsStream("/fixtures/prompt-inference.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("{note}", NOTE).replace("{question}", QUESTION);
        }
    }

    @Test
    void aTokenStreamGetsTheAnswerPieceByPieceAndTheEnginesCounts() throws Exception {
        AsclepiusStreamingChatModel chat = AsclepiusStreamingChatModel.builder().model(model).generation(CONFIG).build();
        StreamingAssistant assistant = AiServices.create(StreamingAssistant.class, chat);
        List<String> partials = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        assistant.ask(NOTE, QUESTION)
                .onPartialResponse(partials::add)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        ChatResponse response = done.get(60, TimeUnit.SECONDS);

        GenerationResult engine = model.last().result();
        assertThat(model.last().prompt()).isEqualTo(authorsPrompt());
        assertThat(partials).isNotEmpty().allSatisfy(p -> assertThat(p).isNotEmpty());
        assertThat(String.join("", partials)).isEqualTo(response.aiMessage().text()).isEqualTo(engine.text());
        assertThat(response.aiMessage().text()).isEqualTo(tiny.generate(authorsPrompt(), CONFIG).text());
        assertThat(response.tokenUsage()).isEqualTo(new TokenUsage(engine.promptTokens(), 24));
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void cancellingFromThePartialResponseStopsTheEngineAndTheCallbacks() {
        AsclepiusStreamingChatModel chat = AsclepiusStreamingChatModel.builder().model(model).generation(CONFIG).build();
        List<String> partials = new ArrayList<>();
        List<Object> after = new ArrayList<>();
        int tokensBefore = model.tokens.get();
        chat.chat(List.of(SystemMessage.from(NOTE), UserMessage.from(QUESTION)), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                partials.add(partial.text());
                context.streamingHandle().cancel();
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                after.add(response);
            }

            @Override
            public void onError(Throwable error) {
                after.add(error);
            }
        });
        assertThat(partials).hasSize(1);
        assertThat(after).isEmpty();
        // The engine stopped at the token after the cancel, far short of the 24 it was asked for.
        assertThat(model.tokens.get() - tokensBefore).isLessThan(24);
        // And the model serves the next request normally.
        assertThat(tiny.generate("Hello", GenerationConfig.builder().maxNewTokens(3).build()).generatedTokens()).isEqualTo(3);
    }

    @Test
    void aRefusedRequestGoesToOnError() {
        AsclepiusStreamingChatModel chat = AsclepiusStreamingChatModel.builder().model(model).generation(CONFIG).build();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        chat.chat(List.of(UserMessage.from(QUESTION)), new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                error.completeExceptionally(new AssertionError("no response expected"));
            }

            @Override
            public void onError(Throwable e) {
                error.complete(e);
            }
        });
        assertThat(error).isCompleted();
        assertThat(error.join()).isInstanceOf(UnsupportedChatRequestException.class).hasMessageContaining("1 message(s) (user)");
    }
}
