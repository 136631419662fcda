package dev.asclepius.langchain4j;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.langchain4j.internal.Mapping;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import java.util.List;
import java.util.Objects;

/**
 * langchain4j's {@link ChatModel} that asks an Asclepius model one instruction about one discharge summary,
 * in the authors' prompt ({@link PromptTemplate}, byte-exact).
 *
 * <p>Asclepius was trained on single turns of "note + instruction → answer", not on conversations, so a chat
 * request must hold exactly a note and a question, in one of two shapes:
 * <ul>
 *   <li>a {@link SystemMessage} with the note, then one {@link UserMessage} with the question (what an AI
 *       service with {@code @SystemMessage("{{note}}")} and {@code @UserMessage} sends), or</li>
 *   <li>two {@link UserMessage}s: the first is the note, the second the question.</li>
 * </ul>
 * Both texts go into the prompt verbatim (nothing is trimmed). Anything else (earlier answers from a chat
 * memory, several system messages, images, tools, a JSON response format, frequency or presence penalties) is
 * refused with an {@link UnsupportedChatRequestException} that says what to send instead, rather than being
 * silently dropped.
 *
 * <p>Request parameters override the builder's {@link GenerationConfig}: {@code maxOutputTokens} is the token
 * budget, {@code temperature}, {@code topP} and {@code topK} the sampling, {@code stopSequences} the stop
 * strings. The response's token usage and finish reason map as in {@link AsclepiusLanguageModel}.
 *
 * <p>The chat model does not own the Asclepius model: close that yourself. Thread-safe as the model is.
 */
public final class AsclepiusChatModel implements ChatModel {
    private final dev.asclepius.core.LanguageModel model;
    private final PromptTemplate template;
    private final GenerationConfig generation;
    private final String modelName;

    private AsclepiusChatModel(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model: call AsclepiusChatModel.builder().model(...)");
        this.template = b.template;
        this.generation = b.generation;
        this.modelName = b.modelName != null ? b.modelName : Mapping.modelName(model);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The note and the question a chat request carries, as {@link AsclepiusChatModel} reads them. */
    public record NoteAndQuestion(String note, String question) {
        public NoteAndQuestion {
            Objects.requireNonNull(note, "note");
            Objects.requireNonNull(question, "question");
        }
    }

    /**
     * Reads the note and the question from {@code messages} (the two shapes in the class comment).
     *
     * @throws UnsupportedChatRequestException for any other shape, naming what was found
     */
    public static NoteAndQuestion noteAndQuestion(List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        String usage = " AsclepiusChatModel takes a system message with the discharge summary and one user message "
                + "with the instruction, or two user messages (summary, then instruction); Asclepius answers one "
                + "instruction about one note, so an AI service that uses it must not have a chat memory.";
        if (messages.size() != 2) {
            throw new UnsupportedChatRequestException("The chat request has " + messages.size() + " message(s) "
                    + describe(messages) + "." + usage);
        }
        ChatMessage first = messages.get(0);
        ChatMessage second = messages.get(1);
        if (!(second instanceof UserMessage)) {
            throw new UnsupportedChatRequestException("The last message is a " + kind(second)
                    + " message, not the user's instruction " + describe(messages) + "." + usage);
        }
        String question = text((UserMessage) second, "instruction (the last user message)");
        String note;
        if (first instanceof SystemMessage) {
            note = ((SystemMessage) first).text();
        } else if (first instanceof UserMessage) {
            note = text((UserMessage) first, "discharge summary (the first user message)");
        } else {
            throw new UnsupportedChatRequestException("The first message is a " + kind(first)
                    + " message, not the discharge summary " + describe(messages) + "." + usage);
        }
        if (note.isBlank()) {
            throw new UnsupportedChatRequestException("The discharge summary (the " + kind(first)
                    + " message) is blank: pass the note's text.");
        }
        if (question.isBlank()) {
            throw new UnsupportedChatRequestException("The instruction (the last user message) is blank: "
                    + "ask a question or give a task about the note.");
        }
        return new NoteAndQuestion(note, question);
    }

    /** The exact prompt the model gets for {@code messages}. */
    public String prompt(List<ChatMessage> messages) {
        NoteAndQuestion nq = noteAndQuestion(messages);
        return template.format(nq.note(), nq.question());
    }

    /** The generation settings for a request's parameters: this model's defaults overridden by what it sets. */
    public GenerationConfig generationConfig(ChatRequestParameters p) {
        GenerationConfig.Builder b = generation.toBuilder();
        if (p == null) {
            return b.build();
        }
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedChatRequestException("The chat request offers " + p.toolSpecifications().size()
                    + " tool(s); Asclepius models cannot call tools. Build the AI service without tools.");
        }
        if (p.toolChoice() == dev.langchain4j.model.chat.request.ToolChoice.REQUIRED) {
            throw new UnsupportedChatRequestException("The chat request requires a tool call (toolChoice REQUIRED); "
                    + "Asclepius models cannot call tools.");
        }
        if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedChatRequestException("The chat request asks for a JSON response format; Asclepius "
                    + "models answer in plain text. Return String from the AI service method (the typed clinical "
                    + "tasks in asclepius-tasks parse answers into records).");
        }
        if (p.frequencyPenalty() != null || p.presencePenalty() != null) {
            throw new UnsupportedChatRequestException("The chat request sets a frequency or presence penalty; "
                    + "Asclepius models have a repetition penalty instead: set it with "
                    + "AsclepiusChatModel.builder().generation(GenerationConfig.builder().repetitionPenalty(...).build()).");
        }
        if (p.modelName() != null && !p.modelName().equals(modelName)) {
            throw new UnsupportedChatRequestException("The chat request names model '" + p.modelName()
                    + "' but this chat model serves '" + modelName + "' only.");
        }
        if (p.maxOutputTokens() != null) {
            b.maxNewTokens(p.maxOutputTokens());
        }
        if (p.temperature() != null) {
            b.temperature(p.temperature().floatValue());
        }
        if (p.topP() != null) {
            b.topP(p.topP().floatValue());
        }
        if (p.topK() != null) {
            b.topK(p.topK());
        }
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
            b.stopStrings(p.stopSequences());
        }
        return b.build();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        String prompt = prompt(request.messages());
        GenerationConfig config = generationConfig(request.parameters());
        GenerationResult result = model.generate(prompt, config);
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(result.text()))
                .metadata(ChatResponseMetadata.builder()
                        .modelName(modelName)
                        .tokenUsage(Mapping.tokenUsage(result))
                        .finishReason(Mapping.finishReason(result.finishReason()))
                        .build())
                .build();
    }

    /** This model's defaults in langchain4j's terms, so listeners and callers see what a request gets. */
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return ChatRequestParameters.builder()
                .modelName(modelName)
                .maxOutputTokens(generation.maxNewTokens())
                .temperature((double) generation.temperature())
                .topP((double) generation.topP())
                .topK(generation.topK())
                .stopSequences(generation.stopStrings())
                .build();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** The prompt template in use. */
    public PromptTemplate template() {
        return template;
    }

    private static String text(UserMessage message, String what) {
        if (!message.hasSingleText()) {
            throw new UnsupportedChatRequestException("The " + what + " holds " + message.contents().size()
                    + " content part(s) that are not a single text; Asclepius reads text only.");
        }
        return message.singleText();
    }

    private static String kind(ChatMessage m) {
        return m.type().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(List<ChatMessage> messages) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < messages.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(kind(messages.get(i)));
        }
        return s.append(")").toString();
    }

    /** Builder; only the model is required. */
    public static final class Builder {
        private dev.asclepius.core.LanguageModel model;
        private PromptTemplate template = PromptTemplate.INFERENCE;
        private GenerationConfig generation = GenerationConfig.greedy();
        private String modelName;

        private Builder() {
        }

        /** The Asclepius model to ask (local or remote). Required. */
        public Builder model(dev.asclepius.core.LanguageModel value) {
            this.model = Objects.requireNonNull(value, "model");
            return this;
        }

        /**
         * The prompt form: {@link PromptTemplate#INFERENCE} (the default) or {@link PromptTemplate#TRAINING} for
         * Asclepius-7B/13B and the Llama-2 variants (see {@link PromptTemplate}).
         */
        public Builder template(PromptTemplate value) {
            this.template = Objects.requireNonNull(value, "template");
            return this;
        }

        /** Defaults for every request (greedy, 400 new tokens unless set); request parameters override them. */
        public Builder generation(GenerationConfig value) {
            this.generation = Objects.requireNonNull(value, "generation");
            return this;
        }

        /** The name in responses; default: a remote model's served name, a local model's folder name. */
        public Builder modelName(String value) {
            this.modelName = Objects.requireNonNull(value, "modelName");
            return this;
        }

        public AsclepiusChatModel build() {
            return new AsclepiusChatModel(this);
        }
    }
}
