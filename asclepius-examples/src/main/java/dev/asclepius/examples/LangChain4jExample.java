package dev.asclepius.examples;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.langchain4j.AsclepiusChatModel;
import dev.asclepius.langchain4j.AsclepiusStreamingLanguageModel;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.V;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An Asclepius model inside a langchain4j application (docs/langchain4j.md):
 * {@code LangChain4jExample MODEL_DIR NOTE_FILE [QUESTION]}. Asks the question through an AI service (the note
 * as its system message, the question as its user message; the chat model wraps them in the Asclepius prompt),
 * prints the answer with langchain4j's token usage and finish reason, then streams the same answer through
 * langchain4j's {@code StreamingLanguageModel}.
 */
public final class LangChain4jExample {
    /** The AI service: langchain4j implements it; {@link AsclepiusChatModel} turns each call into one prompt. */
    interface ClinicalAssistant {
        @SystemMessage("{{note}}")
        @UserMessage("{{question}}")
        Result<String> ask(@V("note") String note, @V("question") String question);
    }

    private LangChain4jExample() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: LangChain4jExample MODEL_DIR NOTE_FILE [QUESTION]");
            System.exit(2);
        }
        String note = Files.readString(Path.of(args[1]));
        String question = args.length == 3 ? args[2] : "What follow-up is planned?";
        try (LocalModel model = LocalModel.load(Path.of(args[0]))) {
            run(model, note, question, System.out);
        }
    }

    /** Asks and streams {@code question} about {@code note}, printing to {@code out}; returns the answer. */
    static String run(dev.asclepius.core.LanguageModel model, String note, String question, PrintStream out) {
        GenerationConfig generation = GenerationConfig.builder().maxNewTokens(128).build();

        AsclepiusChatModel chat = AsclepiusChatModel.builder().model(model).generation(generation).build();
        ClinicalAssistant assistant = AiServices.create(ClinicalAssistant.class, chat);
        Result<String> answer = assistant.ask(note, question);
        out.println("answer:        " + answer.content());
        out.println("token usage:   " + answer.tokenUsage().inputTokenCount() + " in, "
                + answer.tokenUsage().outputTokenCount() + " out");
        out.println("finish reason: " + answer.finishReason());

        // Streaming is raw completion: the prompt is built here with the same template the chat model uses.
        AsclepiusStreamingLanguageModel streaming = AsclepiusStreamingLanguageModel.of(model, generation);
        out.print("streamed:      ");
        streaming.generate(PromptTemplate.INFERENCE.format(note, question), new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                out.print(token);
                out.flush();
            }

            @Override
            public void onComplete(Response<String> response) {
                out.println();
                out.println("stream done:   " + response.finishReason() + ", " + response.tokenUsage().outputTokenCount()
                        + " tokens");
            }

            @Override
            public void onError(Throwable error) {
                out.println();
                out.println("stream failed: " + error.getMessage());
            }
        });
        return answer.content();
    }
}
