package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --remote} accounts for the answer from the server's usage: the client has no token ids (it
 * asks for none and has no tokenizer), and once reported 0 generated tokens and 0.0 s of decoding.
 */
class RemoteRunAccountingTest {
    @TempDir
    Path tmp;

    @Test
    void generatedTokensAndDecodeTimeComeFromTheServer() throws Exception {
        Path model = tmp.resolve("tiny");
        RandomModelWriter.write(model, RandomModelSpec.tiny());
        Path note = tmp.resolve("note.txt");
        Files.writeString(note, "The patient was admitted with chest pain. Aspirin was started.");
        String[] task = {"--task", "ask", "--question", "What was started?", "--note", note.toString(),
                "--max-new-tokens", "10", "--json"};
        try (ServeProcess serve = new ServeProcess(model, "tiny")) {
            Cli remote = Cli.run(concat(new String[] {"run", "--remote", serve.base.toString(), "--model", "tiny"}, task));
            Cli local = Cli.run(concat(new String[] {"run", "--model", model.toString()}, task));
            assertThat(remote.exitCode()).as(remote.toString()).isZero();
            assertThat(local.exitCode()).as(local.toString()).isZero();
            JsonObject r = JsonParser.parseString(remote.out()).getAsJsonObject();
            JsonObject l = JsonParser.parseString(local.out()).getAsJsonObject();
            int generated = l.get("generated_tokens").getAsInt();
            assertThat(generated).isGreaterThan(1);   // greedy on the same weights: the server generates as many
            assertThat(r.get("generated_tokens").getAsInt()).isEqualTo(generated);
            JsonObject exchange = r.getAsJsonArray("exchanges").get(0).getAsJsonObject();
            assertThat(exchange.get("generated_tokens").getAsInt()).isEqualTo(generated);
            assertThat(exchange.get("prompt_tokens").getAsInt()).isEqualTo(l.get("prompt_tokens").getAsInt());
            assertThat(exchange.get("decode_seconds").getAsDouble()).isGreaterThan(0.0);
            assertThat(exchange.get("prefill_seconds").getAsDouble()).isGreaterThan(0.0);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
