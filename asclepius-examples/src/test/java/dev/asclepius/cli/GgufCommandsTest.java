package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convert, then the same commands on the GGUF file through llama.cpp. */
class GgufCommandsTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path gguf;

    @BeforeAll
    static void convert() {
        model = tmp.resolve("model");
        RandomModelWriter.write(model, new RandomModelSpec("llama", 32000, 64, 192, 2, 4, 4, 2048, false,
                StorageType.F16, 11, 0));
        gguf = tmp.resolve("model.f32.gguf");
        Cli cli = Cli.run("convert", "--model", model.toString(), "--to", gguf.toString(), "--type", "f32");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.out()).contains("wrote").contains("21 tensors");
        assertThat(gguf).isRegularFile();
    }

    @Test
    void generateOnTheGgufMatchesTheDjlEngineOnTheFolder() {
        String[] common = {"--prompt", "The patient was admitted with", "--max-new-tokens", "8", "--json",
                "--threads", "2"};
        Cli djl = Cli.run(concat(new String[] {"generate", "--model", model.toString()}, common));
        Cli cpp = Cli.run(concat(new String[] {"generate", "--model", gguf.toString()}, common));
        assertThat(djl.exitCode()).as(djl.toString()).isZero();
        assertThat(cpp.exitCode()).as(cpp.toString()).isZero();
        JsonObject a = JsonParser.parseString(djl.out()).getAsJsonObject();
        JsonObject b = JsonParser.parseString(cpp.out()).getAsJsonObject();
        // f16 checkpoint: both engines widen the same f16 values to f32, so greedy ids agree
        assertThat(b.get("token_ids")).isEqualTo(a.get("token_ids"));
        assertThat(b.get("text")).isEqualTo(a.get("text"));
    }

    @Test
    void runTaskOnTheGgufFile() throws Exception {
        Path note = tmp.resolve("note.txt");
        Files.writeString(note, "Patient admitted with chest pain. Started on aspirin.");
        Cli cli = Cli.run("run", "--model", gguf.toString(), "--task", "summary", "--note", note.toString(),
                "--max-new-tokens", "6", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(JsonParser.parseString(cli.out()).isJsonObject()).isTrue();
    }

    @Test
    void djlOnlyOptionsAreRefusedForGguf() {
        Cli cli = Cli.run("generate", "--model", gguf.toString(), "--prompt", "x", "--dtype", "f16");
        assertThat(cli.exitCode()).as(cli.toString()).isNotZero();
        assertThat(cli.err()).contains("DJL engine");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
