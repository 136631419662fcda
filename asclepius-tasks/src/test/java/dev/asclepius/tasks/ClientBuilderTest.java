package dev.asclepius.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@link AsclepiusClient.Builder} takes its model from: exactly one source, the last one given, and
 * who closes it. Loads a tiny random-weight model from a folder written at run time.
 */
class ClientBuilderTest {
    private static final GenerationConfig SHORT = GenerationConfig.builder().maxNewTokens(2).build();

    @TempDir
    static Path tmp;
    static Path folder;

    @BeforeAll
    static void writeModel() {
        folder = tmp.resolve("tiny");
        RandomModelWriter.write(folder, RandomModelSpec.tiny());
    }

    private static ScriptedModel scripted() {
        return new ScriptedModel(instruction -> "Answer.");
    }

    @Test
    void aLoadedModelGivenAfterAFolderOrHubIdIsTheOneUsed() {
        ScriptedModel given = scripted();
        // the bug this guards against: the earlier model(String) was loaded and the given model ignored
        try (AsclepiusClient client = AsclepiusClient.builder().model(folder.toString()).model(given).build()) {
            assertThat(client.model()).isSameAs(given);
            assertThat(client.ask(ClinicalNote.of("Note."), "Q?").value().text()).isEqualTo("Answer.");
        }
        assertThat(given.isClosed()).as("the caller owns a model given with model(LanguageModel)").isFalse();
        try (AsclepiusClient client = AsclepiusClient.builder().model(Path.of("/no/such/model")).model(given).build()) {
            assertThat(client.model()).isSameAs(given);
        }
        try (AsclepiusClient client = AsclepiusClient.builder().remote(URI.create("http://127.0.0.1:9"), "x")
                .model(given).build()) {
            assertThat(client.model()).isSameAs(given);
        }
    }

    @Test
    void aFolderGivenAfterALoadedModelIsLoadedAndTheModelLeftAlone() {
        ScriptedModel given = scripted();
        try (AsclepiusClient client = AsclepiusClient.builder().model(given).model(folder).generation(SHORT).build()) {
            assertThat(client.model()).isInstanceOf(LocalModel.class);
            assertThat(client.model().info().source()).isEqualTo(new dev.asclepius.core.ModelSource.Local(folder.toAbsolutePath()));
        }
        assertThat(given.prompts).isEmpty();
        assertThat(given.isClosed()).isFalse();
    }

    @Test
    void aLocalModelBuilderKeepsEveryOptionAndTheClientClosesWhatItBuilt() {
        LocalModel probe = LocalModel.load(folder);
        long perSequence = probe.kvCacheBytes(1, 1000);
        probe.close();
        AsclepiusClient client = AsclepiusClient.builder()
                .model(LocalModel.builder(folder).kvCacheBudget(2 * perSequence + 1).decodeThreads(1))
                .generation(SHORT).build();
        LocalModel model = (LocalModel) client.model();
        assertThat(client.maxSequences(1000)).hasValue(2);
        client.close();
        assertThatThrownBy(() -> model.generate("x", SHORT)).isInstanceOf(ModelClosedException.class);
    }

    @Test
    void aFolderOrHubIdTakesLocalModelOptions() {
        try (AsclepiusClient client = AsclepiusClient.builder().model(folder.toString(), b -> b.kvCacheBudget(1))
                .generation(SHORT).build()) {
            assertThat(client.maxSequences(1000)).hasValue(0);
        }
    }

    @Test
    void settingsThatDoNotApplyToTheSourceAreRefused() {
        assertThatThrownBy(() -> AsclepiusClient.builder().model(LocalModel.builder(folder)).closeModel(true).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("closes the models it creates");
        assertThatThrownBy(() -> AsclepiusClient.builder().model(scripted()).ggufFile("m.Q8_0.gguf").build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ggufFile");
        assertThatThrownBy(() -> AsclepiusClient.builder().model(folder).offline(true).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("model(String)");
        assertThatThrownBy(() -> AsclepiusClient.builder().model("/models/x.gguf", b -> b.decodeThreads(1)).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("LlamaCppModel");
    }

    @Test
    void aDerivedBuilderGivenAnotherModelUsesItAndLeavesTheParentsAlone() {
        ScriptedModel parentModel = scripted();
        ScriptedModel other = scripted();
        try (AsclepiusClient parent = AsclepiusClient.builder().model(parentModel).closeModel(true).build();
             AsclepiusClient child = parent.newBuilder().model(other).build()) {
            assertThat(child.model()).isSameAs(other);
            child.close();
            assertThat(parent.model()).isSameAs(parentModel);
            assertThat(other.isClosed()).isFalse();
        }
        assertThat(parentModel.isClosed()).isTrue();
    }
}
