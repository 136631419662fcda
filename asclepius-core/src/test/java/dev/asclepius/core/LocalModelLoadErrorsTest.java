package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code LocalModel.builder(dir).build()} throws for broken model folders: the type and what the message names. */
class LocalModelLoadErrorsTest {
    /** A few MB: hidden 32, 2 layers, over the bundled LLaMA tokenizer's 32000-token vocabulary. */
    private static final RandomModelSpec SPEC =
            new RandomModelSpec("llama", 32000, 32, 64, 2, 4, 2, 64, false, StorageType.F32, 5, 0);

    @TempDir
    Path tmp;

    private Path writeModel(RandomModelSpec spec) {
        Path dir = tmp.resolve("model");
        RandomModelWriter.write(dir, spec);
        return dir;
    }

    private static void editConfig(Path dir, Consumer<JsonObject> change) throws IOException {
        Path file = dir.resolve("config.json");
        JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        change.accept(o);
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(o), StandardCharsets.UTF_8);
    }

    private static LocalModel load(Path dir) {
        return LocalModel.builder(dir).build();
    }

    @Test
    void unsupportedModelTypeNamesItAndTheSupportedTypes() throws IOException {
        Path dir = writeModel(SPEC);
        editConfig(dir, o -> o.addProperty("model_type", "gpt2"));
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("model_type \"gpt2\" is not supported")
                .hasMessageContaining("\"llama\"").hasMessageContaining("\"mistral\"")
                .hasMessageContaining(dir.resolve("config.json").toString());
    }

    @Test
    void missingHiddenSizeNamesTheField() throws IOException {
        Path dir = writeModel(SPEC);
        editConfig(dir, o -> o.remove("hidden_size"));
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("required field 'hidden_size' is missing")
                .hasMessageContaining(dir.resolve("config.json").toString());
    }

    @Test
    void weightShapeThatContradictsConfigNamesTheTensorAndBothShapes() throws IOException {
        Path dir = writeModel(SPEC);
        editConfig(dir, o -> o.addProperty("intermediate_size", 96));
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Tensor 'model.layers.0.mlp.gate_proj.weight' has shape [64, 32]")
                .hasMessageContaining("config.json implies [96, 32]")
                .hasMessageContaining("do not belong to the same model");
    }

    @Test
    void truncatedSafetensorsSaysTruncatedAndNamesTheFile() throws IOException {
        Path dir = writeModel(SPEC);
        Path weights = dir.resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Safetensors file " + weights)
                .hasMessageContaining("is truncated")
                .hasMessageContaining("Download it again");
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path dir = writeModel(SPEC.withShards(200_000));
        List<Path> shards;
        try (Stream<Path> files = Files.list(dir)) {
            shards = files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).sorted().toList();
        }
        assertThat(shards).as("the spec writes several shards").hasSizeGreaterThan(2);
        Path gone = shards.get(1);
        Files.delete(gone);
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Shard '" + gone.getFileName() + "'")
                .hasMessageContaining("model.safetensors.index.json")
                .hasMessageContaining("is missing");
    }

    @Test
    void folderWithoutTokenizerJsonSaysWhatIsExpected() throws IOException {
        Path dir = writeModel(SPEC);
        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("No tokenizer.json in model folder " + dir)
                .hasMessageContaining("tokenizer.model");
    }

    @Test
    void missingFolderIsNamed() {
        Path dir = tmp.resolve("no-such-model");
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Model folder " + dir + " does not exist")
                .hasMessageContaining("config.json");
    }

    @Test
    void gpuOnACpuOnlyBuildSaysHowToGetCuda() {
        assumeTrue(PyTorchRuntime.engine().getGpuCount() == 0, "this machine has a GPU");
        Path dir = writeModel(SPEC);
        assertThatThrownBy(() -> LocalModel.builder(dir).device(Device.gpu(0)).build())
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("gpu:0 requested but PyTorch sees 0 GPU(s)")
                .hasMessageContaining("PYTORCH_LIBRARY_PATH")
                .hasMessageContaining("PYTORCH_FLAVOR=cu128")
                .hasMessageContaining("pytorch-native-cpu")
                .hasMessageContaining("docs/gpu.md");
    }
}
