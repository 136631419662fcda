package dev.asclepius.core;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An Asclepius (LLaMA / Mistral) checkpoint loaded into this process and run on DJL's PyTorch engine.
 *
 * <pre>{@code
 * try (LocalModel model = LocalModel.builder(Path.of("/models/Asclepius-7B")).build()) {
 *     String prompt = PromptTemplate.INFERENCE.format(note, "What medications were prescribed?");
 *     System.out.println(model.generate(prompt, GenerationConfig.greedy()).text());
 * }
 * }</pre>
 */
public final class LocalModel implements LanguageModel {

    private LocalModel() {
    }

    /** Starts loading the HuggingFace model folder {@code modelDir} (required). */
    public static Builder builder(Path modelDir) {
        return new Builder(modelDir);
    }

    /** Loads {@code modelDir} on the CPU in f32. */
    public static LocalModel load(Path modelDir) {
        return builder(modelDir).build();
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        throw new UnsupportedOperationException("engine not yet implemented");
    }

    @Override
    public TextTokenizer tokenizer() {
        throw new UnsupportedOperationException("engine not yet implemented");
    }

    @Override
    public ModelInfo info() {
        throw new UnsupportedOperationException("engine not yet implemented");
    }

    @Override
    public void close() {
    }

    /** Options for loading; only the folder is required. */
    public static final class Builder {
        private final Path modelDir;
        private Device device = Device.cpu();
        private ComputeType computeType;
        private OptionalInt threads = OptionalInt.empty();

        private Builder(Path modelDir) {
            this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
        }

        /** Where to run; default the CPU. */
        public Builder device(Device value) {
            this.device = Objects.requireNonNull(value);
            return this;
        }

        /** Weight and compute type; default f32 on CPU, f16 on GPU. */
        public Builder computeType(ComputeType value) {
            this.computeType = Objects.requireNonNull(value);
            return this;
        }

        /** Intra-op CPU threads for PyTorch; default PyTorch's choice (all cores). */
        public Builder threads(int value) {
            if (value <= 0) {
                throw new InvalidInputException("threads must be > 0, got " + value);
            }
            this.threads = OptionalInt.of(value);
            return this;
        }

        public LocalModel build() {
            throw new UnsupportedOperationException("engine not yet implemented");
        }
    }
}
