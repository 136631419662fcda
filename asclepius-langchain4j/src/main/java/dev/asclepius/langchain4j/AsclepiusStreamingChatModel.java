package dev.asclepius.langchain4j;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.langchain4j.internal.Mapping;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * langchain4j's {@link StreamingChatModel}: {@link AsclepiusChatModel} with the answer streamed, for AI services
 * that return a {@code TokenStream}. Messages, parameters and refusals are exactly those of
 * {@link AsclepiusChatModel} (a refused request goes to {@code onError}).
 *
 * <p>{@code onPartialResponse} receives each piece of text as the model produces it (never empty; they concatenate
 * to the final text), {@code onCompleteResponse} the whole answer with token usage and finish reason. The
 * {@link StreamingHandle} in each partial response's context cancels the generation: the model stops at its next
 * token and the handler gets no further call. By default the generation runs on the calling thread; give the
 * builder an {@link Executor} to return at once.
 */
public final class AsclepiusStreamingChatModel implements StreamingChatModel {
    private final dev.asclepius.core.LanguageModel model;
    private final AsclepiusChatModel mapping;
    private final Executor executor;

    private AsclepiusStreamingChatModel(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model: call AsclepiusStreamingChatModel.builder().model(...)");
        this.mapping = b.chat.build();
        this.executor = b.executor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Thrown inside the token listener to stop a cancelled generation; never reaches the caller. */
    private static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private static final class Handle implements StreamingHandle {
        private volatile boolean cancelled;

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        String prompt;
        GenerationConfig config;
        try {
            prompt = mapping.prompt(request.messages());
            config = mapping.generationConfig(request.parameters());
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        executor.execute(() -> run(prompt, config, handler));
    }

    private void run(String prompt, GenerationConfig config, StreamingChatResponseHandler handler) {
        Handle handle = new Handle();
        PartialResponseContext context = new PartialResponseContext(handle);
        GenerationResult result;
        try {
            result = model.generate(prompt, config, (delta, tokenId) -> {
                if (handle.isCancelled()) {
                    throw new Cancelled();
                }
                if (!delta.isEmpty()) {
                    handler.onPartialResponse(new PartialResponse(delta), context);
                }
            });
        } catch (Cancelled e) {
            return;
        } catch (RuntimeException e) {
            if (!handle.isCancelled()) {
                handler.onError(e);
            }
            return;
        }
        if (handle.isCancelled()) {
            return;   // cancelled after the last token: the caller asked for no more calls
        }
        handler.onCompleteResponse(ChatResponse.builder()
                .aiMessage(AiMessage.from(result.text()))
                .metadata(ChatResponseMetadata.builder()
                        .modelName(mapping.defaultRequestParameters().modelName())
                        .tokenUsage(Mapping.tokenUsage(result))
                        .finishReason(Mapping.finishReason(result.finishReason()))
                        .build())
                .build());
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return mapping.defaultRequestParameters();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /**
     * Builder; only the model is required. The settings are those of {@link AsclepiusChatModel.Builder}, kept by
     * one (the request mapping is that chat model's), plus the executor.
     */
    public static final class Builder {
        private final AsclepiusChatModel.Builder chat = AsclepiusChatModel.builder();
        private dev.asclepius.core.LanguageModel model;
        private Executor executor = Runnable::run;

        private Builder() {
        }

        /** The Asclepius model to ask (local or remote). Required. */
        public Builder model(dev.asclepius.core.LanguageModel value) {
            this.model = Objects.requireNonNull(value, "model");
            chat.model(value);
            return this;
        }

        /** The prompt form; default {@link PromptTemplate#INFERENCE}. */
        public Builder template(PromptTemplate value) {
            chat.template(value);
            return this;
        }

        /** Defaults for every request; request parameters override them. */
        public Builder generation(GenerationConfig value) {
            chat.generation(value);
            return this;
        }

        /** The name in responses; default: a remote model's served name, a local model's folder name. */
        public Builder modelName(String value) {
            chat.modelName(value);
            return this;
        }

        /** Where generations run; default: the calling thread (doChat returns when the handler is done). */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        public AsclepiusStreamingChatModel build() {
            return new AsclepiusStreamingChatModel(this);
        }
    }
}
