package dev.asclepius.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.V;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapters through langchain4j's own API (AI services, ChatModel, LanguageModel, StreamingLanguageModel)
 * on a tiny random-weight model with the real LLaMA tokenizer. The answers are noise; what is checked is that
 * langchain4j gets exactly what the engine did: the prompt that reached it, its text, token counts and finish
 * reason.
 */
class AsclepiusLangChain4jTest {
    private static final String NOTE = "Discharge summary\nPt c/o SOB.\nHx: CHF (EF 35%), Ménière's; 肺炎 🩺\n"
            + "Discharged on furosemide 40 mg daily.  ";
    private static final String QUESTION = "What is the patient's diagnosis?";
    private static final GenerationConfig SHORT = GenerationConfig.builder().maxNewTokens(6).build();

    @TempDir
    static Path dir;

    static LocalModel tiny;
    static LocalModel smallContext;
    static RecordingModel model;

    @BeforeAll
    static void load() {
        RandomModelWriter.write(dir.resolve("tiny"), RandomModelSpec.tiny());
        tiny = LocalModel.load(dir.resolve("tiny"));
        model = new RecordingModel(tiny);
        // Same shape with a 40-token context window: generation runs into the end of it.
        RandomModelWriter.write(dir.resolve("ctx40"),
                new RandomModelSpec("llama", 32000, 64, 172, 2, 4, 4, 40, false, StorageType.F32, 7, 0));
        smallContext = LocalModel.load(dir.resolve("ctx40"));
    }

    @AfterAll
    static void close() {
        if (tiny != null) {
            tiny.close();
        }
        if (smallContext != null) {
            smallContext.close();
        }
    }

    /** The authors' prompt file (copied into asclepius-core's test resources) with the placeholders filled. */
    private static String authorsPrompt(String note, String question) throws IOException {
        try (InputStream in = AsclepiusLangChain4jTest.class.getResourceAsStream("/fixtures/prompt-inference.txt")) {
            String file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return file.replace("{note}", note).replace("{question}", question);
        }
    }

    interface ClinicalAssistant {
        @dev.langchain4j.service.SystemMessage("{{note}}")
        @dev.langchain4j.service.UserMessage("{{question}}")
        String ask(@V("note") String note, @V("question") String question);
    }

    interface ClinicalAssistantWithResult {
        @dev.langchain4j.service.SystemMessage("{{note}}")
        @dev.langchain4j.service.UserMessage("{{question}}")
        Result<String> ask(@V("note") String note, @V("question") String question);
    }

    interface Chatty {
        String chat(String message);
    }

    @Test
    void anAiServiceSendsTheAuthorsPromptByteForByteAndReturnsTheModelsAnswer() throws IOException {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT).build();
        ClinicalAssistant assistant = AiServices.create(ClinicalAssistant.class, chat);

        String answer = assistant.ask(NOTE, QUESTION);

        String expected = authorsPrompt(NOTE, QUESTION);
        assertThat(model.last().prompt().getBytes(StandardCharsets.UTF_8))
                .isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        assertThat(answer).isEqualTo(model.last().result().text());
        // Greedy: the engine asked directly with the same prompt says the same.
        assertThat(answer).isEqualTo(tiny.generate(expected, SHORT).text());
    }

    @Test
    void theTrainingTemplateIsUsedWhenChosen() throws IOException {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT)
                .template(PromptTemplate.TRAINING).build();
        AiServices.create(ClinicalAssistant.class, chat).ask(NOTE, QUESTION);
        // The training form differs from the inference file only by the space after [Instruction End].
        assertThat(model.last().prompt()).isEqualTo(authorsPrompt(NOTE, QUESTION).replace("[Instruction End] \n",
                "[Instruction End]\n"));
    }

    @Test
    void tokenUsageAndFinishReasonReachTheAiServiceResult() {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT).build();
        Result<String> result = AiServices.create(ClinicalAssistantWithResult.class, chat).ask(NOTE, QUESTION);

        GenerationResult engine = model.last().result();
        assertThat(engine.finishReason()).isEqualTo(dev.asclepius.core.FinishReason.MAX_TOKENS);
        assertThat(result.content()).isEqualTo(engine.text());
        assertThat(result.tokenUsage()).isEqualTo(new TokenUsage(engine.promptTokens(), 6, engine.promptTokens() + 6));
        assertThat(result.tokenUsage().inputTokenCount())
                .isEqualTo(tiny.tokenizer().orElseThrow().encode(model.last().prompt()).length);
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void twoUserMessagesAreTheNoteThenTheQuestion() throws IOException {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT).build();
        ChatResponse response = chat.chat(UserMessage.from(NOTE), UserMessage.from(QUESTION));
        assertThat(model.last().prompt()).isEqualTo(authorsPrompt(NOTE, QUESTION));
        assertThat(response.aiMessage().text()).isEqualTo(model.last().result().text());
        assertThat(response.metadata().modelName()).isEqualTo("tiny");
    }

    @Test
    void requestParametersOverrideTheDefaultsAndStopSequencesStop() {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT).build();
        List<ChatMessage> messages = List.of(SystemMessage.from(NOTE), UserMessage.from(QUESTION));
        String full = chat.chat(ChatRequest.builder().messages(messages)
                .parameters(ChatRequestParameters.builder().maxOutputTokens(16).build()).build()).aiMessage().text();
        assertThat(model.last().config().maxNewTokens()).isEqualTo(16);
        String stop = stopStringIn(full);

        ChatResponse response = chat.chat(ChatRequest.builder().messages(messages)
                .parameters(ChatRequestParameters.builder().maxOutputTokens(16).stopSequences(List.of(stop))
                        .temperature(0.0).topK(5).topP(0.5).build())
                .build());

        GenerationConfig sent = model.last().config();
        assertThat(sent.stopStrings()).containsExactly(stop);
        assertThat(sent.topK()).isEqualTo(5);
        assertThat(sent.topP()).isEqualTo(0.5f);
        assertThat(model.last().result().finishReason()).isEqualTo(dev.asclepius.core.FinishReason.STOP_STRING);
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.aiMessage().text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(model.last().result().generatedTokens());
    }

    /** A short piece of {@code text} that does not occur in its first character (so the answer is cut, not empty). */
    private static String stopStringIn(String text) {
        assertThat(text.length()).as("the random model's greedy answer").isGreaterThan(4);
        for (int i = 1; i + 2 <= text.length(); i++) {
            String s = text.substring(i, i + 2);
            if (!s.isBlank() && text.indexOf(s) == i) {
                return s;
            }
        }
        throw new AssertionError("no usable stop string in " + text);
    }

    @Test
    void aStopTokenIsAStop() {
        GenerationResult free = tiny.generate("Hello", SHORT);
        int first = free.tokenIds().get(0);
        AsclepiusLanguageModel lm = AsclepiusLanguageModel.of(model,
                SHORT.toBuilder().stopTokenIds(Set.of(first)).build());
        Response<String> response = lm.generate("Hello");
        assertThat(model.last().result().finishReason()).isEqualTo(dev.asclepius.core.FinishReason.STOP_TOKEN);
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(1);
        assertThat(response.metadata()).containsEntry(AsclepiusLanguageModel.FINISH_REASON_KEY, "STOP_TOKEN");
    }

    @Test
    void theLanguageModelIsRawCompletionWithTheEnginesCounts() {
        AsclepiusLanguageModel lm = AsclepiusLanguageModel.of(model, SHORT);
        Response<String> response = lm.generate("The patient was admitted with");
        GenerationResult engine = model.last().result();
        assertThat(model.last().prompt()).isEqualTo("The patient was admitted with");
        assertThat(response.content()).isEqualTo(engine.text());
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(engine.promptTokens());
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(engine.generatedTokens());
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(engine.promptTokens() + engine.generatedTokens());
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.metadata()).containsEntry(AsclepiusLanguageModel.FINISH_REASON_KEY, "MAX_TOKENS");
    }

    @Test
    void aFullContextWindowIsLength() {
        RecordingModel small = new RecordingModel(smallContext);
        int promptTokens = smallContext.tokenizer().orElseThrow().encode("The patient was admitted with").length;
        Response<String> response = AsclepiusLanguageModel.of(small,
                GenerationConfig.builder().maxNewTokens(100).ignoreEos(true).build()).generate("The patient was admitted with");
        assertThat(small.last().result().finishReason()).isEqualTo(dev.asclepius.core.FinishReason.CONTEXT_FULL);
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(promptTokens);
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(40);
    }

    @Test
    void streamingDeltasConcatenateToTheCompletedTextOnTheCallingThread() {
        AsclepiusStreamingLanguageModel lm = AsclepiusStreamingLanguageModel.of(model,
                GenerationConfig.builder().maxNewTokens(24).build());
        Collector handler = new Collector();
        lm.generate("Discharge diagnosis:", handler);

        // The default runs on the calling thread: complete when generate returns.
        assertThat(handler.error).isNull();
        assertThat(handler.completed).isNotNull();
        GenerationResult engine = model.last().result();
        assertThat(handler.deltas).isNotEmpty().allSatisfy(d -> assertThat(d).isNotEmpty());
        assertThat(String.join("", handler.deltas)).isEqualTo(handler.completed.content()).isEqualTo(engine.text());
        assertThat(handler.completed.content()).isEqualTo(tiny.generate("Discharge diagnosis:",
                GenerationConfig.builder().maxNewTokens(24).build()).text());
        assertThat(handler.completed.tokenUsage()).isEqualTo(new TokenUsage(engine.promptTokens(), 24));
        assertThat(handler.completed.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void streamingOnAnExecutorReturnsAtOnceAndReportsErrorsToTheHandler() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            AsclepiusStreamingLanguageModel lm = AsclepiusStreamingLanguageModel.of(smallContext, SHORT, executor);
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            Thread caller = Thread.currentThread();
            List<Thread> errorThreads = new ArrayList<>();
            lm.generate("word ".repeat(60), new StreamingResponseHandler<>() {
                @Override
                public void onNext(String token) {
                    failure.completeExceptionally(new AssertionError("no token expected, got " + token));
                }

                @Override
                public void onComplete(Response<String> response) {
                    failure.completeExceptionally(new AssertionError("no completion expected"));
                }

                @Override
                public void onError(Throwable error) {
                    errorThreads.add(Thread.currentThread());
                    failure.complete(error);
                }
            });
            Throwable error = failure.get(30, TimeUnit.SECONDS);
            assertThat(error).isInstanceOf(ContextLengthExceededException.class);
            assertThat(errorThreads).doesNotContain(caller);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aHandlerThatThrowsStopsTheGenerationAndGetsItsOwnError() {
        AsclepiusStreamingLanguageModel lm = AsclepiusStreamingLanguageModel.of(model,
                GenerationConfig.builder().maxNewTokens(24).build());
        IllegalStateException boom = new IllegalStateException("client went away");
        Collector handler = new Collector() {
            @Override
            public void onNext(String token) {
                super.onNext(token);
                throw boom;
            }
        };
        lm.generate("Discharge diagnosis:", handler);
        assertThat(handler.deltas).hasSize(1);
        assertThat(handler.error).isSameAs(boom);
        assertThat(handler.completed).isNull();
    }

    @Test
    void aChatMemoryIsRefusedOnTheSecondTurnWithAClearError() {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT).build();
        ClinicalAssistant withMemory = AiServices.builder(ClinicalAssistant.class).chatModel(chat)
                .chatMemory(MessageWindowChatMemory.withMaxMessages(10)).build();
        String first = withMemory.ask(NOTE, QUESTION);
        assertThat(first).isEqualTo(model.last().result().text());
        int calls = model.calls.size();
        // The memory now sends the first answer back as history: Asclepius has no use for it.
        assertThatThrownBy(() -> withMemory.ask(NOTE, "And the plan?"))
                .isInstanceOf(UnsupportedChatRequestException.class)
                .hasMessageContaining("(system, user, ai, user)")
                .hasMessageContaining("must not have a chat memory");
        assertThat(model.calls).hasSize(calls);
    }

    @Test
    void aPlainChatWithoutANoteIsRefused() {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT).build();
        Chatty service = AiServices.create(Chatty.class, chat);
        assertThatThrownBy(() -> service.chat(NOTE))
                .isInstanceOf(UnsupportedChatRequestException.class)
                .hasMessageContaining("1 message(s) (user)")
                .hasMessageContaining("system message with the discharge summary");
    }

    @Test
    void conversationsToolsJsonAndPenaltiesAreRefusedBeforeAnyGeneration() {
        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(SHORT).build();
        int before = model.calls.size();
        assertThatThrownBy(() -> chat.chat(SystemMessage.from(NOTE), UserMessage.from(QUESTION), AiMessage.from("x"),
                UserMessage.from("And then?")))
                .isInstanceOf(UnsupportedChatRequestException.class)
                .hasMessageContaining("4 message(s) (system, user, ai, user)")
                .hasMessageContaining("must not have a chat memory");
        assertThatThrownBy(() -> chat.chat(SystemMessage.from(NOTE), AiMessage.from("x")))
                .isInstanceOf(UnsupportedChatRequestException.class)
                .hasMessageContaining("last message is a ai message");
        assertThatThrownBy(() -> chat.chat(AiMessage.from(NOTE), UserMessage.from(QUESTION)))
                .hasMessageContaining("first message is a ai message");
        assertThatThrownBy(() -> chat.chat(UserMessage.from(" \n"), UserMessage.from(QUESTION)))
                .hasMessageContaining("discharge summary (the user message) is blank");
        assertThatThrownBy(() -> chat.chat(UserMessage.from(NOTE), UserMessage.from("  ")))
                .hasMessageContaining("instruction (the last user message) is blank");
        List<ChatMessage> ok = List.of(SystemMessage.from(NOTE), UserMessage.from(QUESTION));
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(ok).toolSpecifications(
                ToolSpecification.builder().name("lookup").build()).build()))
                .isInstanceOf(UnsupportedChatRequestException.class).hasMessageContaining("cannot call tools");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(ok).responseFormat(ResponseFormat.JSON).build()))
                .isInstanceOf(UnsupportedChatRequestException.class).hasMessageContaining("plain text");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(ok).frequencyPenalty(0.5).build()))
                .isInstanceOf(UnsupportedChatRequestException.class).hasMessageContaining("repetitionPenalty");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(ok).modelName("gpt-4o").build()))
                .isInstanceOf(UnsupportedChatRequestException.class).hasMessageContaining("serves 'tiny' only");
        assertThat(model.calls).hasSize(before);
    }

    @Test
    void everyAsclepiusFinishReasonMapsToStopOrLength() {
        for (dev.asclepius.core.FinishReason reason : dev.asclepius.core.FinishReason.values()) {
            FinishReason expected = switch (reason.name()) {
                case "EOS", "STOP_TOKEN", "STOP_STRING" -> FinishReason.STOP;
                case "MAX_TOKENS", "CONTEXT_FULL" -> FinishReason.LENGTH;
                default -> throw new AssertionError("unmapped in this test: " + reason);
            };
            assertThat(dev.asclepius.langchain4j.internal.Mapping.finishReason(reason)).as("%s", reason).isEqualTo(expected);
        }
    }

    private static class Collector implements StreamingResponseHandler<String> {
        final List<String> deltas = new ArrayList<>();
        Response<String> completed;
        Throwable error;

        @Override
        public void onNext(String token) {
            deltas.add(token);
        }

        @Override
        public void onComplete(Response<String> response) {
            completed = response;
        }

        @Override
        public void onError(Throwable error) {
            this.error = error;
        }
    }
}
