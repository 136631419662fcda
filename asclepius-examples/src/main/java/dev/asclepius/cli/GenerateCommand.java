package dev.asclepius.cli;

import com.google.gson.JsonObject;
import dev.asclepius.core.EarlyStopping;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.TokenListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius generate}: one generation from a prompt, a note + instruction, or raw token ids. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text with a local model. Streams text as it is produced unless --json.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Raw prompt text (BOS is added).")
        String prompt;

        @ArgGroup(exclusive = false)
        NoteInput note;

        @Option(names = "--prompt-ids", paramLabel = "\"1 2 3\"", description = "Prompt as token ids (used as given).")
        String promptIds;
    }

    static final class NoteInput {
        @Option(names = "--note", required = true, paramLabel = "FILE", description = "Discharge summary text file.")
        Path note;

        @Option(names = "--instruction", required = true, paramLabel = "TEXT", description = "Instruction about the note.")
        String instruction;

        @Option(names = "--template", defaultValue = "INFERENCE", paramLabel = "INFERENCE|TRAINING",
                description = "Prompt form: the authors' inference form or the LLaMA-1/2 training form (default: ${DEFAULT-VALUE}).")
        PromptTemplate template;
    }

    @Option(names = "--max-new-tokens", defaultValue = "400", paramLabel = "N",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T",
            description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K",
            description = "Sample among the K likeliest tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P",
            description = "Sample among the likeliest tokens whose probabilities add up to P, in (0, 1]; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--repetition-penalty", defaultValue = "1", paramLabel = "R",
            description = "Penalty on tokens already in the prompt or answer, > 0; 1 = off (default: ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(names = "--seed", paramLabel = "S",
            description = "Random seed for sampling, for repeatable samples (default: a fresh seed each run; greedy needs none).")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string (repeatable).")
    String[] stop = new String[0];

    @Option(names = "--num-beams", defaultValue = "1", paramLabel = "N",
            description = "Beam search over N beams, as the Asclepius authors evaluated (HF num_beams=5); with --temperature > 0 "
                    + "beam sampling. Prints the best hypothesis once the search ends; local models only (default: ${DEFAULT-VALUE}).")
    int numBeams;

    @Option(names = "--length-penalty", defaultValue = "1", paramLabel = "L",
            description = "Beam search: a hypothesis scores log-probability / length^L; > 0 favours longer answers (default: ${DEFAULT-VALUE}).")
    float lengthPenalty;

    @Option(names = "--early-stopping", defaultValue = "false", paramLabel = "true|false|never",
            description = "Beam search stopping rule, as HF's early_stopping (default: ${DEFAULT-VALUE}).")
    String earlyStopping;

    @Option(names = "--json", description = "Print one JSON object instead of streaming text.")
    boolean json;

    @Option(names = "--logits-out", paramLabel = "FILE.npy", description = "Write the last prompt position's logits as float32 .npy.")
    Path logitsOut;

    @Override
    public Integer call() throws IOException {
        GenerationConfig.Builder config = GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature)
                .topK(topK).topP(topP).repetitionPenalty(repetitionPenalty).stopStrings(Arrays.asList(stop))
                .numBeams(numBeams).lengthPenalty(lengthPenalty);
        try {
            config.earlyStopping(EarlyStopping.parse(earlyStopping));
        } catch (InvalidInputException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), OptionErrors.withOptionNames(e.getMessage()), e);
        }
        if (seed != null) {
            config.seed(seed);
        }
        GenerationConfig generation = OptionErrors.build(spec, config);
        PrintWriter out = spec.commandLine().getOut();
        // What the user typed is checked (and the note read) before the model loads: seconds to minutes.
        int[] givenIds = input.promptIds != null ? parsePromptIds(input.promptIds) : null;
        String noteText = input.note != null ? Files.readString(input.note.note, StandardCharsets.UTF_8) : null;
        if (generation.isBeamSearch() && modelOptions.gguf()) {
            throw new InvalidInputException("--num-beams needs the DJL engine (a model folder or hub id): "
                    + "llama.cpp's binding has no beam search here");
        }
        try (LanguageModel model = modelOptions.loadAny()) {
            int[] ids = givenIds != null ? givenIds : tokenizerOf(model).encode(input.prompt != null ? input.prompt
                    : input.note.template.format(noteText, input.note.instruction));
            if (logitsOut != null) {
                if (!(model instanceof LocalModel local)) {
                    throw new InvalidInputException("--logits-out needs the DJL engine: llama.cpp's binding does not expose logits");
                }
                Npy.writeFloat32(logitsOut, local.logits(ids));
            }
            TokenListener listener = json ? TokenListener.NONE : (delta, id) -> {
                out.print(delta);
                out.flush();
            };
            GenerationResult result = model.generate(ids, generation, listener);
            if (json) {
                out.println(Json.GSON.toJson(toJson(result)));
            } else {
                out.println();
            }
            out.flush();
        }
        return 0;
    }

    /** The model's tokenizer: the local and GGUF models this command loads always have one. */
    private static dev.asclepius.core.TextTokenizer tokenizerOf(LanguageModel model) {
        return model.tokenizer().orElseThrow(() -> new dev.asclepius.core.UnsupportedModelException(
                "This model has no local tokenizer: give the prompt as ids with --prompt-ids."));
    }

    private static int[] parsePromptIds(String given) {
        String text = given.trim();
        if (text.isEmpty()) {
            throw new InvalidInputException("--prompt-ids is empty: give space- or comma-separated token ids, e.g. \"1 15043 3186\".");
        }
        try {
            return Arrays.stream(text.split("[\\s,]+")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new InvalidInputException("--prompt-ids must be integers separated by spaces or commas: " + e.getMessage());
        }
    }

    static JsonObject toJson(GenerationResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("text", r.text());
        o.add("token_ids", Json.GSON.toJsonTree(r.tokenIds()));
        o.addProperty("prompt_tokens", r.promptTokens());
        o.addProperty("cached_prompt_tokens", r.cachedPromptTokens());
        o.addProperty("generated_tokens", r.generatedTokens());
        o.addProperty("finish_reason", r.finishReason().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("prefill_seconds", r.prefillTime().toNanos() / 1e9);
        o.addProperty("decode_seconds", r.decodeTime().toNanos() / 1e9);
        o.addProperty("decode_steps", r.decodeSteps());
        return o;
    }
}
